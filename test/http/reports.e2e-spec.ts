import { randomUUID } from 'node:crypto';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';
import { requestsAs } from '../support/requests-as';

// The report endpoints over HTTP: formats, read-your-writes with minPosition, as-known-at, and
// the access policy (analysts figures, auditors also traces, england-and-wales only for *).

const GM = 'greater-manchester';

describe('report endpoints', () => {
  let s: SecuredApp;
  let lastPosition: string;
  const { bearer, get, postBatch } = requestsAs(() => s);
  const analyst = principal({ roles: ['analyst'], agency: 'moj', areas: [GM] });
  const auditor = principal({ roles: ['auditor'], agency: 'moj', areas: [GM] });
  const nationalAnalyst = principal({ roles: ['analyst'], agency: 'moj', areas: ['*'] });
  const nationalAuditor = principal({ roles: ['auditor'], agency: 'moj', areas: ['*'] });
  const recorder = principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] });
  const admin = principal({ roles: ['admin'], agency: 'moj', areas: ['*'] });

  beforeAll(async () => {
    s = await startSecuredApp();
    const run = randomUUID().slice(0, 6);
    const lines = [];
    for (let i = 0; i < 6; i++) {
      const offenderId = `REP-${run}-${i}`;
      lines.push({
        type: 'OffenderRegistered',
        offenderId,
        occurredOn: '2014-01-10',
        data: { area: GM, category: 1 + (i % 2), level: 1, division: 'salford', inCustody: false, underSupervision: true, onLicence: true },
      });
      if (i < 2) lines.push({ type: 'LevelChanged', offenderId, occurredOn: '2014-06-01', data: { level: 2 } });
    }
    const res = await postBatch(recorder, lines);
    expect(res.status).toBe(200);
    expect(res.body.refused).toBe(0);
    lastPosition = res.body.lastPosition;
  });
  afterAll(() => s?.close());

  it('answers the report as JSON once the read models reach the written position', async () => {
    const res = await get(analyst, `/reports/${GM}/2014-15?minPosition=${lastPosition}`);
    expect(res.status).toBe(200);
    expect(BigInt(res.body.position)).toBeGreaterThanOrEqual(BigInt(lastPosition));
    expect(res.body.year).toBe('2014/15');
    expect(res.body.cells['offendersOnSnapshot.total.total']).toBe(6);
    expect(res.body.cells['level23InYear.level2.total']).toBe(2);
    expect(res.body.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(res.body.tables.map((t: { id: string }) => t.id)).toContain('sfoOutcomes');
  });

  it('answers CSV (one row per cell) and HTML', async () => {
    const csv = await get(analyst, `/reports/${GM}/2014-15`, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n')[0]).toBe('table,row,column,value');
    expect(csv.text).toContain('offendersOnSnapshot,total,total,6');
    const html = await get(analyst, `/reports/${GM}/2014-15`, 'text/html');
    expect(html.status).toBe(200);
    expect(html.text).toContain('<h1>MAPPA annual report 2014/15: Greater Manchester</h1>');
  });

  it('as known before the events were recorded, the figures are empty', async () => {
    const res = await get(analyst, `/reports/${GM}/2014-15?asKnownAt=2000-01-01T00:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.body.position).toBe('0');
    expect(res.body.cells['offendersOnSnapshot.total.total']).toBe(0);
  });

  it('answers a snapshot for any date and period totals for any range', async () => {
    const before = await get(analyst, `/snapshots/${GM}?date=2014-01-09`);
    expect(before.status).toBe(200);
    expect(before.body.cells['offendersOnSnapshot.total.total']).toBe(0);
    const after = await get(analyst, `/snapshots/${GM}?date=2014-07-01`);
    expect(after.body.cells['offendersOnSnapshot.level2.total']).toBe(2);
    const period = await get(analyst, `/periods/${GM}?from=2014-05-01&to=2014-05-31`);
    expect(period.status).toBe(200);
    expect(period.body.cells['level23InYear.total.total']).toBe(0);
  });

  it('gives traces to auditors, with as many items as the cell counts, and audits the read', async () => {
    const res = await get(auditor, `/reports/${GM}/2014-15/cells/level23InYear.level2.total/trace?reason=quarterly%20audit`);
    expect(res.status).toBe(200);
    expect(res.body.value).toBe(2);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.rule).toMatch(/^6\.2 /);
    const audit = await get(auditor, '/audit/access');
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('level23InYear.level2.total');
  });

  it('refuses traces to analysts, other areas and england-and-wales without *, and reports to recorders and admins', async () => {
    expect((await get(analyst, `/reports/${GM}/2014-15/cells/level23InYear.level2.total/trace`)).status).toBe(403);
    expect((await get(analyst, `/reports/lancashire/2014-15`)).status).toBe(403);
    expect((await get(analyst, `/reports/england-and-wales/2014-15`)).status).toBe(403);
    expect((await get(recorder, `/reports/${GM}/2014-15`)).status).toBe(403);
    expect((await get(admin, `/reports/${GM}/2014-15`)).status).toBe(403);
    const national = await get(nationalAnalyst, `/reports/england-and-wales/2014-15`);
    expect(national.status).toBe(200);
    expect(national.body.cells[`rsoByDivision.${GM}.count`]).toBe(3);
  });

  it('refuses malformed areas, years, dates and cell ids with the documented error body', async () => {
    for (const [url, status] of [
      [`/reports/atlantis/2014-15`, 404],
      [`/reports/${GM}/2014-16`, 400],
      [`/snapshots/${GM}?date=2014-02-30`, 400],
      [`/reports/${GM}/2014-15?asKnownAt=yesterday`, 400],
      [`/reports/${GM}/2014-15/cells/nope/trace`, 400],
      [`/reports/${GM}/2014-15/cells/offendersOnSnapshot.level9.category1/trace?reason=check`, 404],
    ] as const) {
      const res = await get(nationalAuditor, url);
      expect({ url, status: res.status }).toEqual({ url, status });
      expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    }
  });

  it('lets only admins start a rebuild', async () => {
    expect(
      (
        await s
          .http()
          .post('/admin/rebuild')
          .set('Authorization', await bearer(analyst))
      ).status,
    ).toBe(403);
    const res = await s
      .http()
      .post('/admin/rebuild')
      .set('Authorization', await bearer(admin));
    expect(res.status).toBe(202);
  });
});
