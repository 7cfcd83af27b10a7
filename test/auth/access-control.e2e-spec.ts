import { randomUUID } from 'node:crypto';
import type { Agency, Principal, Role } from '../../src/auth/principal';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';
import { requestsAs } from '../support/requests-as';

// The access policy over HTTP: each role allowed exactly what docs/security.md says, refused
// (403, nothing appended) everything else; 401 for missing or bad tokens; reads audited.

const GM = 'greater-manchester';
const LANCS = 'lancashire';

const ERROR_BODY = { error: expect.any(String), message: expect.any(String), details: expect.any(Array) };

describe('access control over HTTP', () => {
  let s: SecuredApp;
  const { bearer } = requestsAs(() => s);
  const operator = principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] });
  const ids = (() => {
    const run = randomUUID().slice(0, 6);
    let n = 0;
    return (prefix: string) => `${prefix}-${run}-${++n}`;
  })();

  const post = async (who: Principal, offenderId: string, type: string, data: object, occurredOn = '2014-06-01') =>
    s
      .http()
      .post(`/offenders/${offenderId}/events`)
      .set('Authorization', await bearer(who))
      .send({ type, occurredOn, data });

  /** A fresh offender in `area`: category 1, level 1, in the community on licence. */
  const register = async (area = GM) => {
    const offenderId = ids('OFF');
    const res = await post(operator, offenderId, 'OffenderRegistered', { area, category: 1, level: 1, inCustody: false, underSupervision: true, onLicence: true }, '2014-04-01');
    expect(res.status).toBe(201);
    return offenderId;
  };

  beforeAll(async () => {
    s = await startSecuredApp();
  });
  afterAll(() => s?.close());

  describe('recording events', () => {
    const recorder = (agency: Agency, areas = [GM]) => principal({ roles: ['recorder'], agency, areas });
    const EVENTS: Record<string, object> = {
      LevelChanged: { level: 2 },
      CategoryChanged: { category: 2 },
      DivisionChanged: { division: 'salford' },
      OffenderTransferred: { toArea: LANCS },
      CustodyEntered: { reason: 'sentence' },
      SupervisionEnded: {},
      LicenceBreached: { returnedToCustody: false },
      NotificationRequirementBreached: { outcome: 'caution' },
      SopoImposed: { orderId: 'SOPO-1' },
      SfoCharged: { chargeId: 'SFO-1' },
      MappaManagementEnded: { reason: 'other' },
    };
    // docs/security.md: who records which type (moj records every type).
    const RECORDS: Record<string, Agency[]> = {
      LevelChanged: ['police', 'probation'],
      CategoryChanged: ['police', 'probation'],
      DivisionChanged: ['police', 'probation'],
      OffenderTransferred: ['police', 'probation'],
      CustodyEntered: ['probation', 'prison'],
      SupervisionEnded: ['probation'],
      LicenceBreached: ['probation'],
      NotificationRequirementBreached: ['police'],
      SopoImposed: ['police'],
      SfoCharged: ['probation'],
      MappaManagementEnded: ['police', 'probation'],
    };
    const callers: Array<{ name: string; who: Principal; allowed: (type: string) => boolean }> = [
      ...(['police', 'probation', 'prison', 'duty-to-cooperate'] as Agency[]).map((agency) => ({
        name: `${agency} recorder of ${GM}`,
        who: recorder(agency),
        allowed: (type: string) => RECORDS[type].includes(agency),
      })),
      { name: 'moj recorder of *', who: recorder('moj', ['*']), allowed: () => true },
      { name: `police recorder of ${LANCS}`, who: recorder('police', [LANCS]), allowed: () => false },
      { name: `probation recorder of ${LANCS} and cumbria`, who: recorder('probation', [LANCS, 'cumbria']), allowed: () => false },
      ...(['analyst', 'auditor', 'admin'] as Role[]).map((role) => ({
        name: `${role} of *`,
        who: principal({ roles: [role], agency: 'moj', areas: ['*'] }),
        allowed: () => false,
      })),
    ];
    const cases = callers.flatMap((c) => Object.keys(EVENTS).map((type) => ({ ...c, type, expected: c.allowed(type) ? 201 : 403 })));

    it.each(cases)('$name posts $type for an offender of greater-manchester: $expected', async ({ who, type, expected }) => {
      const offenderId = await register(GM);
      const before = await s.storeFingerprint();
      const res = await post(who, offenderId, type, EVENTS[type]);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: expected });
      if (expected === 403) {
        expect(res.body).toEqual({ ...ERROR_BODY, error: 'forbidden' });
        expect(await s.storeFingerprint()).toEqual(before);
      }
    });

    it('registration only into its areas', async () => {
      const registration = { area: LANCS, category: 2, level: 2, inCustody: false, underSupervision: false };
      const refused = await post(recorder('police', [GM]), ids('NEW'), 'OffenderRegistered', registration);
      expect(refused.status).toBe(403);
      expect(refused.body.details[0]).toMatchObject({ field: 'data.area', rule: 'area' });
      expect((await post(recorder('police', [LANCS]), ids('NEW'), 'OffenderRegistered', registration)).status).toBe(201);
      expect((await post(recorder('prison', ['*']), ids('NEW'), 'OffenderRegistered', registration)).status).toBe(403);
    });

    it('a transfer out is posted by the sending area; the receiving area records from its date on', async () => {
      const offenderId = await register(GM);
      expect((await post(recorder('police', [LANCS]), offenderId, 'OffenderTransferred', { toArea: LANCS }, '2014-09-01')).status).toBe(403);
      expect((await post(recorder('police', [GM]), offenderId, 'OffenderTransferred', { toArea: LANCS }, '2014-09-01')).status).toBe(201);
      expect((await post(recorder('police', [GM]), offenderId, 'LevelChanged', { level: 2 }, '2014-10-01')).status).toBe(403);
      expect((await post(recorder('police', [LANCS]), offenderId, 'LevelChanged', { level: 2 }, '2014-10-01')).status).toBe(201);
      // Back-dated to before the transfer: greater-manchester's business again.
      expect((await post(recorder('police', [LANCS]), offenderId, 'CategoryChanged', { category: 2 }, '2014-08-01')).status).toBe(403);
      expect((await post(recorder('police', [GM]), offenderId, 'CategoryChanged', { category: 2 }, '2014-08-01')).status).toBe(201);
    });

    it('in an NDJSON batch a refused line never blocks the others', async () => {
      const offenderId = ids('BATCH');
      const lines = [
        { type: 'OffenderRegistered', offenderId, occurredOn: '2014-05-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true, onLicence: true } },
        { type: 'LicenceBreached', offenderId, occurredOn: '2014-05-02', data: { returnedToCustody: false } },
        { type: 'OffenderRegistered', offenderId: ids('BATCH'), occurredOn: '2014-05-01', data: { area: LANCS, category: 1, level: 1, inCustody: false, underSupervision: false } },
        { type: 'LevelChanged', offenderId, occurredOn: '2014-05-03', data: { level: 2 } },
      ];
      const before = await s.storeFingerprint();
      const res = await s
        .http()
        .post('/events')
        .set('Authorization', await bearer(recorder('police', [GM])))
        .set('Content-Type', 'application/x-ndjson')
        .send(lines.map((l) => JSON.stringify(l)).join('\n'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ appended: 2, refused: 2 });
      // Issue 10: accepted lines are counted, refused ones listed with their reasons.
      expect(res.body.refusals.map((r: { line: number; error: { error: string } }) => [r.line, r.error.error])).toEqual([
        [2, 'forbidden'],
        [3, 'forbidden'],
      ]);
      expect((await s.storeFingerprint()).count).toBe(before.count + 2);
    });

    it("the events' metadata says who posted them", async () => {
      const offenderId = await register(GM);
      const who = principal({ sub: 'officer-42', roles: ['recorder'], agency: 'probation', areas: [GM] });
      expect((await post(who, offenderId, 'LevelChanged', { level: 3 })).status).toBe(201);
      const stream = await s.storage.store.readStream(offenderId);
      expect(stream[1].metadata).toMatchObject({ actor: 'officer-42', agency: 'probation', source: 'api' });
    });
  });

  describe('authentication', () => {
    const routes: Array<[string, string]> = [
      ['get', '/offenders/GM-1'],
      ['get', '/offenders/GM-1/events'],
      ['post', '/offenders/GM-1/events'],
      ['post', '/events'],
      ['get', '/audit/access'],
    ];
    const badAuth = async (): Promise<Array<[string, string | undefined]>> => {
      const expired = await s.token(principal({ roles: ['auditor'] }), { now: new Date(Date.now() - 7200_000), ttlSeconds: 3600 });
      const early = await s.token(principal({ roles: ['auditor'] }), { notBeforeSeconds: 3600 });
      return [
        ['no token', undefined],
        ['not bearer', 'Basic dXNlcjpwYXNz'],
        ['empty bearer', 'Bearer '],
        ['garbage', 'Bearer abc.def.ghi'],
        ['expired', `Bearer ${expired}`],
        ['not yet valid', `Bearer ${early}`],
      ];
    };

    it.each(routes)('%s %s: 401 with the error body for missing, malformed, expired and not-yet-valid tokens', async (method, url) => {
      const before = await s.storeFingerprint();
      for (const [, header] of await badAuth()) {
        let req = (s.http() as unknown as Record<string, (u: string) => import('supertest').Test>)[method](url);
        if (header !== undefined) req = req.set('Authorization', header);
        const res = await req.send({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 } });
        expect({ header, status: res.status }).toEqual({ header, status: 401 });
        expect(res.body).toEqual({ ...ERROR_BODY, error: 'unauthenticated' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      expect(await s.storeFingerprint()).toEqual(before);
    });

    it('health and the API documentation need no token', async () => {
      await s.http().get('/health').expect(200);
      await s.http().get('/docs-json').expect(200);
    });

    it('security headers are set (helmet)', async () => {
      const res = await s.http().get('/health');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-frame-options']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('reading offender-level data', () => {
    let gmOffender: string;
    let lancsOffender: string;
    let movedOffender: string;
    beforeAll(async () => {
      gmOffender = await register(GM);
      lancsOffender = await register(LANCS);
      movedOffender = await register(GM);
      expect((await post(operator, movedOffender, 'OffenderTransferred', { toArea: LANCS }, '2014-09-01')).status).toBe(201);
    });

    const read = async (who: Principal, url: string) =>
      s
        .http()
        .get(url)
        .set('Authorization', await bearer(who));

    it.each([
      ['recorder', 'police'],
      ['analyst', 'moj'],
      ['admin', 'moj'],
    ] as Array<[Role, Agency]>)('a %s, even of every area, may not read offenders (403)', async (role, agency) => {
      const who = principal({ roles: [role], agency, areas: ['*'] });
      for (const url of [`/offenders/${gmOffender}?reason=check`, `/offenders/${gmOffender}/events?reason=check`, '/offenders/NOBODY?reason=check', '/audit/access']) {
        const res = await read(who, url);
        expect({ url, status: res.status }).toEqual({ url, status: 403 });
        expect(res.body).toEqual({ ...ERROR_BODY, error: 'forbidden' });
      }
    });

    it('an auditor reads the offenders ever managed in its areas, state and history', async () => {
      const gmAuditor = principal({ roles: ['auditor'], areas: [GM] });
      const lancsAuditor = principal({ roles: ['auditor'], areas: [LANCS] });
      const expectations: Array<[Principal, string, number]> = [
        [gmAuditor, gmOffender, 200],
        [gmAuditor, lancsOffender, 403],
        [gmAuditor, movedOffender, 200],
        [lancsAuditor, gmOffender, 403],
        [lancsAuditor, lancsOffender, 200],
        [lancsAuditor, movedOffender, 200],
      ];
      for (const [who, offenderId, status] of expectations) {
        for (const url of [`/offenders/${offenderId}?reason=case+review`, `/offenders/${offenderId}/events?reason=case+review`]) {
          expect({ url, areas: who.areas, status: (await read(who, url)).status }).toEqual({ url, areas: who.areas, status });
        }
      }
    });

    it('an unknown offender: 403 for an auditor of some areas (existence is not leaked), 404 for *', async () => {
      expect((await read(principal({ roles: ['auditor'], areas: [GM] }), '/offenders/NOBODY-AT-ALL?reason=check')).status).toBe(403);
      expect((await read(principal({ roles: ['auditor'], agency: 'moj', areas: ['*'] }), '/offenders/NOBODY-AT-ALL?reason=check')).status).toBe(404);
    });

    it('every read is in the access audit, with who, when, what and why; auditors list their areas only', async () => {
      const auditor = principal({ sub: 'auditor-gm-7', roles: ['auditor'], areas: [GM] });
      const started = new Date(Date.now() - 1000).toISOString();
      expect((await read(auditor, `/offenders/${gmOffender}?asOf=2015-03-31&reason=${encodeURIComponent('figure 6.1 check')}`)).status).toBe(200);
      expect((await read(principal({ sub: 'nosy-analyst', roles: ['analyst'], areas: [GM] }), `/offenders/${gmOffender}?reason=curious`)).status).toBe(403);
      expect((await read(principal({ sub: 'auditor-lancs', roles: ['auditor'], areas: [LANCS] }), `/offenders/${lancsOffender}/events?reason=lancs`)).status).toBe(200);

      const listing = await read(auditor, `/audit/access?from=${encodeURIComponent(started)}&reason=review`);
      expect(listing.status).toBe(200);
      const entries = listing.body.entries as Array<Record<string, unknown>>;
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'auditor-gm-7',
            agency: 'police',
            roles: ['auditor'],
            action: 'offender-state',
            offenderId: gmOffender,
            target: `offender ${gmOffender} state asOf=2015-03-31`,
            areas: [GM],
            reason: 'figure 6.1 check',
            outcome: 'allowed',
            at: expect.any(String),
          }),
          expect.objectContaining({ actor: 'nosy-analyst', action: 'offender-state', offenderId: gmOffender, outcome: 'refused' }),
        ]),
      );
      expect(entries.some((e) => e.actor === 'auditor-lancs')).toBe(false);
      expect(entries.every((e) => (e.areas as string[]).includes(GM))).toBe(true);

      // A * auditor sees everything, including the listing above (listing the audit is audited too).
      const all = await read(principal({ roles: ['auditor'], agency: 'moj', areas: ['*'] }), `/audit/access?from=${encodeURIComponent(started)}`);
      const actions = (all.body.entries as Array<Record<string, unknown>>).map((e) => `${e.actor}:${e.action}`);
      expect(actions).toEqual(expect.arrayContaining(['auditor-lancs:offender-history', 'auditor-gm-7:access-audit']));

      // A time range that ends before the reads finds none of them.
      const old = await read(auditor, '/audit/access?from=2014-01-01&to=2014-12-31');
      expect(old.body.entries).toEqual([]);
    });

    it('refuses bad audit queries and reasons with 400', async () => {
      const auditor = principal({ roles: ['auditor'], areas: [GM] });
      for (const url of [
        '/audit/access?from=yesterday',
        '/audit/access?from=2015-02-30',
        '/audit/access?from=2015-04-02&to=2015-04-01',
        '/audit/access?limit=0',
        '/audit/access?limit=abc',
        `/offenders/${gmOffender}?reason=${'x'.repeat(201)}`,
        `/offenders/${gmOffender}?reason=${encodeURIComponent('line\nbreak')}`,
        `/offenders/${gmOffender}?reason=a&reason=b`,
      ]) {
        const res = await read(auditor, url);
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect(res.body).toEqual({ ...ERROR_BODY, error: 'invalid-input' });
      }
    });

    it('the access audit is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
      const sql = s.storage.sql!;
      const { rows } = await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM access_audit');
      expect(Number(rows[0].n)).toBeGreaterThan(0);
      await expect(sql.query("UPDATE access_audit SET reason = 'rewritten'")).rejects.toThrow(/append-only/);
      await expect(sql.query('DELETE FROM access_audit')).rejects.toThrow(/append-only/);
      await expect(sql.exec('TRUNCATE access_audit')).rejects.toThrow(/append-only/);
      const after = await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM access_audit');
      expect(after.rows[0].n).toBe(rows[0].n);
    });
  });
});
