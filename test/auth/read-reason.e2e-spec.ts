import { randomUUID } from 'node:crypto';
import type { Principal } from '../../src/auth/principal';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Statutory logging (issue 10, item 11; DPA 2018 s.62): an offender-level read (state, history,
// trace) states why, or is refused with 400 naming `reason`; the audit records the knowledge
// moment read (asOf, asKnownAt, atPosition as given).

const GM = 'greater-manchester';

describe('offender-level reads need a reason (issue 10, item 11)', () => {
  let s: SecuredApp;
  let offenderId: string;
  const auditor = principal({ sub: 'auditor-s62', roles: ['auditor'], agency: 'police', areas: [GM] });
  const recorder = principal({ sub: 'recorder-s62', roles: ['recorder'], agency: 'police', areas: [GM] });
  const bearer = async (p: Principal) => `Bearer ${await s.token(p)}`;
  const get = async (url: string, query: Record<string, string> = {}) =>
    s
      .http()
      .get(url)
      .query(query)
      .set('Authorization', await bearer(auditor));

  beforeAll(async () => {
    s = await startSecuredApp();
    offenderId = `S62-${randomUUID().slice(0, 8)}`;
    const res = await s
      .http()
      .post(`/offenders/${offenderId}/events`)
      .set('Authorization', await bearer(recorder))
      .send({ type: 'OffenderRegistered', occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 2, inCustody: false, underSupervision: false } });
    expect(res.status).toBe(201);
  });
  afterAll(() => s?.close());

  it.each([
    ['offender state', () => `/offenders/${offenderId}`],
    ['offender history', () => `/offenders/${offenderId}/events`],
    ['trace', () => `/reports/${GM}/2014-15/cells/offendersOnSnapshot.total.total/trace`],
  ])('%s: 400 naming reason without one (or a blank one), and nothing served', async (_, url) => {
    for (const query of [{}, { reason: '' }, { reason: '   ' }] as Array<Record<string, string>>) {
      const res = await get(url(), query);
      expect({ query, status: res.status, body: res.body }).toEqual({
        query,
        status: 400,
        body: { error: 'invalid-input', message: expect.stringMatching(/reason/), details: [expect.objectContaining({ field: 'reason', rule: 'required' })] },
      });
    }
    expect((await get(url(), { reason: 'annual audit' })).status).toBe(200);
  });

  it('the audit target records the knowledge moment read, as given', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const asKnownAt = new Date().toISOString();
    expect((await get(`/offenders/${offenderId}`, { reason: 'moment', asOf: '2014-06-30', asKnownAt })).status).toBe(200);
    const trace = await get(`/reports/${GM}/2014-15/cells/offendersOnSnapshot.total.total/trace`, { reason: 'moment', asKnownAt, atPosition: '1' });
    expect(trace.status).toBe(200);
    const audit = await get('/audit/access', { from: started, reason: 'check' });
    const targets = (audit.body.entries as Array<{ target: string; reason: string }>).filter((e) => e.reason === 'moment').map((e) => e.target);
    expect(targets).toEqual(
      expect.arrayContaining([
        `offender ${offenderId} state asOf=2014-06-30 asKnownAt=${asKnownAt}`,
        `${GM} 2014-15 offendersOnSnapshot.total.total asKnownAt=${asKnownAt} atPosition=1`,
      ]),
    );
  });
});
