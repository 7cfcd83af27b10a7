import type { Principal } from '../../src/auth/principal';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 10, item 9: ids that are also names of every JavaScript object's properties
// (`constructor`, `__proto__`, `toString`) go through every report format and offender read.
// Kent has no divisions configured, so it accepts any well-formed division id (DOMAIN.md 2).

const KENT = 'kent';

describe('ids named like object properties', () => {
  let s: SecuredApp;
  const recorder = principal({ roles: ['recorder'], agency: 'moj', areas: [KENT] });
  const analyst = principal({ roles: ['analyst'], agency: 'moj', areas: [KENT] });
  const auditor = principal({ roles: ['auditor'], agency: 'moj', areas: [KENT] });
  const as = async (who: Principal) => `Bearer ${await s.token(who)}`;
  let lastPosition = '0';

  const register = async (offenderId: string, division: string) =>
    s
      .http()
      .post(`/offenders/${offenderId}/events`)
      .set('Authorization', await as(recorder))
      .send({
        type: 'OffenderRegistered',
        occurredOn: '2014-05-01',
        data: { area: KENT, category: 1, level: 1, division, inCustody: false, underSupervision: true, onLicence: false },
      });

  beforeAll(async () => {
    s = await startSecuredApp();
  }, 60_000);
  afterAll(() => s?.close());

  it('records the division constructor in an area without configured divisions, for offenders named after object properties', async () => {
    for (const offenderId of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await register(offenderId, 'constructor');
      expect(res.status).toBe(201);
      lastPosition = res.body.position ?? lastPosition;
    }
  });

  it('refuses the divisions __proto__ and toString as malformed (400), never 500', async () => {
    for (const division of ['__proto__', 'toString', 'valueOf']) {
      const res = await register(`P-${division}`, division);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid-input');
    }
  });

  it.each(['application/json', 'text/csv', 'text/html'])('the report of the area, as %s, lists the division and escapes it', async (accept) => {
    const res = await s
      .http()
      .get(`/reports/${KENT}/2014-15?minPosition=${lastPosition}`)
      .set('Authorization', await as(analyst))
      .set('Accept', accept);
    expect(res.status).toBe(200);
    if (accept === 'application/json') expect(res.body.cells['rsoByDivision.constructor.count']).toBe(4);
    if (accept === 'text/csv') expect(res.text).toContain('rsoByDivision,constructor,count,4');
    if (accept === 'text/html') expect(res.text).toMatch(/<th>Constructor<\/th><td title="rsoByDivision\.constructor\.count">4<\/td>/);
  });

  it('the published years and snapshots of the area answer too', async () => {
    for (const url of [`/reports/${KENT}/2015-16`, `/snapshots/${KENT}?date=2015-03-31`, `/periods/${KENT}?from=2014-04-01&to=2015-03-31`]) {
      const res = await s
        .http()
        .get(url)
        .set('Authorization', await as(analyst))
        .set('Accept', 'text/html');
      expect(res.status).toBe(200);
    }
  });

  it('traces the division cell and reads the offenders', async () => {
    const trace = await s
      .http()
      .get(`/reports/${KENT}/2014-15/cells/rsoByDivision.constructor.count/trace?reason=audit`)
      .set('Authorization', await as(auditor));
    expect(trace.status).toBe(200);
    expect(trace.body.items.map((i: { offenderId: string }) => i.offenderId).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    for (const offenderId of ['constructor', '__proto__', 'toString']) {
      const state = await s
        .http()
        .get(`/offenders/${offenderId}?reason=audit`)
        .set('Authorization', await as(auditor));
      expect(state.status).toBe(200);
      const history = await s
        .http()
        .get(`/offenders/${offenderId}/events?reason=audit`)
        .set('Authorization', await as(auditor));
      expect(history.status).toBe(200);
    }
  });
});
