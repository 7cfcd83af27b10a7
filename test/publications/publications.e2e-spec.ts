import type { ProjectionRunner } from '../../projections/projection-runner';
import published from '../../reference/published/greater-manchester-2014-15.json';
import type { Principal } from '../../src/auth/principal';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore } from '../../src/event-store/event-store';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import { testMetadata } from '../support/offender-event-fixtures';
import { randomHistory } from '../support/random-history';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Publications and revisions over HTTP (issue 14.2, 14.3): only publishers of the area publish
// (403 otherwise, nothing recorded); bad input is a 400 that records nothing; analysts see the
// revised cells and counts, never an offender id; auditors see the offenders with a reason, audited.

const GM = 'greater-manchester';

async function appendAll(store: EventStore, events: readonly NewOffenderEvent[], revisions: Map<string, number>): Promise<bigint> {
  let last = 0n;
  for (const e of events) {
    const rev = revisions.get(e.offenderId);
    revisions.set(e.offenderId, (rev ?? -1) + 1);
    const [result] = await store.appendToStreams([
      { offenderId: e.offenderId, expectedRevision: rev ?? 'no-stream', events: [e], metadata: testMetadata({ agency: 'police' }), recordedAt: new Date().toISOString() },
    ]);
    if (result.status !== 'appended') throw new Error(`not appended: ${result.status}`);
    last = result.events.at(-1)!.position;
  }
  return last;
}

describe('publications and revisions over HTTP (issue 14.2, 14.3)', () => {
  let s: SecuredApp;
  let offenderIds: string[];
  let firstHalf: bigint;
  const publisher = principal({ sub: 'publisher-gm', roles: ['publisher'], agency: 'police', areas: [GM] });
  const analyst = principal({ sub: 'analyst-gm', roles: ['analyst'], agency: 'moj', areas: [GM] });
  const auditor = principal({ sub: 'auditor-gm', roles: ['auditor'], agency: 'moj', areas: [GM] });
  const bearer = async (p: Principal) => `Bearer ${await s.token(p)}`;
  const publicationCount = async () => Number((await s.storage.sql!.query<{ n: string }>('SELECT count(*)::text AS n FROM publications')).rows[0].n);
  const publish = async (p: Principal, body: unknown) =>
    s
      .http()
      .post('/publications')
      .set('Authorization', await bearer(p))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
  const get = async (p: Principal, url: string, query: Record<string, string> = {}) =>
    s
      .http()
      .get(url)
      .query(query)
      .set('Authorization', await bearer(p));

  beforeAll(async () => {
    s = await startSecuredApp();
    const history = randomHistory({ seed: 1414, offenders: 80, proposals: 30 });
    offenderIds = [...new Set(history.map((e) => e.offenderId))];
    const revisions = new Map<string, number>();
    firstHalf = await appendAll(s.storage.store, history.slice(0, Math.floor(history.length / 2)), revisions);
    const last = await appendAll(s.storage.store, history.slice(Math.floor(history.length / 2)), revisions);
    await s.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitFor(last, 30_000);
  }, 120_000);
  afterAll(() => s?.close());

  it('only a publisher of the area records a publication: 403 for every other role and area, nothing recorded', async () => {
    const others = [
      principal({ roles: ['analyst', 'auditor', 'admin', 'recorder'], agency: 'moj', areas: ['*'] }),
      principal({ sub: 'publisher-lancs', roles: ['publisher'], agency: 'police', areas: ['lancashire'] }),
    ];
    for (const p of others) {
      const res = await publish(p, { area: GM, year: '2014-15' });
      expect({ sub: p.sub, status: res.status, error: res.body.error }).toEqual({ sub: p.sub, status: 403, error: 'forbidden' });
    }
    expect(await publicationCount()).toBe(0);
    expect((await publish(principal({ roles: ['publisher'], agency: 'moj', areas: [GM] }), { area: 'england-and-wales', year: '2014-15' })).status).toBe(403);
    expect(await publicationCount()).toBe(0);
  });

  it.each([
    ['an array', []],
    ['no year', { area: GM }],
    ['a malformed year', { area: GM, year: '2014' }],
    ['an unknown field', { area: GM, year: '2014-15', position: 3 }],
    ['both moments', { area: GM, year: '2014-15', asKnownAt: '2015-04-30T00:00:00Z', atPosition: '3' }],
    ['a malformed position', { area: GM, year: '2014-15', atPosition: 'three' }],
    ['an unreal publication date', { area: GM, year: '2014-15', publishedOn: '2015-02-30' }],
    ['a publication date before the year', { area: GM, year: '2014-15', publishedOn: '2013-05-01' }],
    ['a publication date in the future', { area: GM, year: '2014-15', publishedOn: '2999-01-01' }],
    ['figures of another area', { area: GM, year: '2014-15', figures: { ...published, area: 'lancashire' } }],
    ['figures of another year', { area: GM, year: '2014-15', figures: { ...published, year: '2013/14' } }],
    ['figures with an unknown cell', { area: GM, year: '2014-15', figures: { ...published, cells: { ...published.cells, 'offendersOnSnapshot.level9.category1': 1 } } }],
    ['figures with a negative figure', { area: GM, year: '2014-15', figures: { ...published, cells: { ...published.cells, 'ordersImposed.sopo.count': -1 } } }],
    ['figures with a text figure', { area: GM, year: '2014-15', figures: { ...published, cells: { 'ordersImposed.sopo.count': '40' } } }],
    ['figures with a prototype key', { area: GM, year: '2014-15', figures: JSON.parse(`{"area":"${GM}","year":"2014/15","cells":{"constructor":1}}`) }],
  ])('%s: 400 and nothing recorded', async (_, body) => {
    const before = await publicationCount();
    const res = await publish(publisher, body);
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid-input' });
    expect(await publicationCount()).toBe(before);
  });

  // The seed's two printed inconsistencies: 62 for 52 (a row and a column check) and the divisions 31 short.
  it('a publisher records one, with the published file checked as printed; analysts list it and read the report as published', async () => {
    const res = await publish(publisher, { area: GM, year: '2014-15', atPosition: firstHalf.toString(), publishedOn: '2015-10-29', figures: published });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      area: GM,
      year: '2014/15',
      position: firstHalf.toString(),
      publishedOn: '2015-10-29',
      recordedBy: { actor: 'publisher-gm', agency: 'police' },
    });
    expect(
      res.body.figureChecks
        .filter((c: { ok: boolean }) => !c.ok)
        .map((c: { id: string }) => c.id)
        .sort(),
    ).toEqual(['level23InYear.column.category3', 'level23InYear.row.total', 'rsoByDivision.total']);
    const list = await get(analyst, '/publications', { area: GM });
    expect(list.status).toBe(200);
    expect(list.body.publications).toEqual([
      expect.objectContaining({ id: res.body.id, figures: { given: true, checks: res.body.figureChecks.length, failedChecks: 3, differences: res.body.differences.length } }),
    ]);
    const asPublished = await get(analyst, `/publications/${res.body.id}/report`);
    expect(asPublished.status).toBe(200);
    expect(asPublished.body.report.position).toBe(firstHalf.toString());
    expect(asPublished.body.recomputedMatches).toBe(true);
    expect(asPublished.body.publishedCells['level23InYear.total.category3']).toBe(62);
    expect((await get(principal({ roles: ['recorder'], agency: 'police', areas: [GM] }), '/publications', { area: GM })).status).toBe(403);
    expect((await get(principal({ roles: ['analyst'], agency: 'police', areas: ['kent'] }), `/publications/${res.body.id}`)).status).toBe(403);
    expect((await get(analyst, '/publications/9999')).status).toBe(404);
    expect((await get(analyst, '/publications/abc')).status).toBe(404);
  });

  it('analysts get the revised cells and counts by kind of cause, never an offender id; asking for items is 403, audited', async () => {
    const res = await get(analyst, `/reports/${GM}/2013-14/revisions`, { from: firstHalf.toString() });
    expect(res.status).toBe(200);
    expect(res.body.detail).toBe('counts');
    expect(res.body.cells.length).toBeGreaterThan(0);
    for (const id of offenderIds) expect(res.text).not.toContain(id);
    const refused = await get(analyst, `/reports/${GM}/2013-14/revisions`, { from: firstHalf.toString(), detail: 'items', reason: 'curious' });
    expect(refused.status).toBe(403);
    const audit = await get(auditor, '/audit/access', { reason: 'check' });
    expect(audit.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'analyst-gm', action: 'revisions', outcome: 'refused' })]));
  });

  it('auditors get the offenders with a reason, audited; without one, 400', async () => {
    expect((await get(auditor, `/reports/${GM}/2013-14/revisions`, { from: firstHalf.toString() })).status).toBe(400);
    const res = await get(auditor, `/reports/${GM}/2013-14/revisions`, { from: firstHalf.toString(), reason: 'reconciling the figures' });
    expect(res.status).toBe(200);
    expect(res.body.detail).toBe('items');
    const items = res.body.cells.flatMap((c: { items: Array<{ offenderId: string }> }) => c.items);
    expect(items.length).toBeGreaterThan(0);
    expect(offenderIds).toEqual(expect.arrayContaining([items[0].offenderId]));
    const audit = await get(auditor, '/audit/access', { reason: 'check' });
    expect(audit.body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'auditor-gm',
          action: 'revisions',
          outcome: 'allowed',
          reason: 'reconciling the figures',
          target: `${GM} 2013-14 revisions from=${firstHalf} to=now`,
        }),
      ]),
    );
    const counts = await get(auditor, `/reports/${GM}/2013-14/revisions`, { from: firstHalf.toString(), detail: 'counts' });
    expect(counts.status).toBe(200);
    for (const id of offenderIds) expect(counts.text).not.toContain(id);
  });

  it.each([
    ['no from', {}],
    ['a malformed from', { from: 'yesterday' }],
    ['an unreal instant', { from: '2015-02-30T00:00:00Z' }],
    ['a publication that does not exist', { from: 'publication:9999' }],
    ['from after to', { from: '5', to: '2' }],
    ['a bad detail', { from: '1', detail: 'everything' }],
  ])('revisions with %s: 400', async (_, query) => {
    const res = await get(analyst, `/reports/${GM}/2014-15/revisions`, query as Record<string, string>);
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid-input' });
  });
});
