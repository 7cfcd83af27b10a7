import { randomUUID } from 'node:crypto';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';
import { requestsAs } from '../support/requests-as';

// Issue 14.1, 14.4 and 14.5 over HTTP: paged traces with their summary first, the CSV export safe
// in a spreadsheet, trends beside the per-year reports, counting units in the report JSON, and the
// access policy of traces (auditors only, audited) kept for every new way of reading one.

const GM = 'greater-manchester';

/** The fields of a CSV line (quoted fields with "" inside them). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m && m.index < line.length; m = re.exec(line)) {
    fields.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
    if (m[2] === '') break;
  }
  return fields;
}

describe('paged traces and trends over HTTP', () => {
  let s: SecuredApp;
  let lastPosition: string;
  const run = randomUUID().slice(0, 6);
  const { get, postBatch } = requestsAs(() => s);
  const analyst = principal({ roles: ['analyst'], agency: 'moj', areas: [GM] });
  const auditor = principal({ roles: ['auditor'], agency: 'moj', areas: [GM] });
  const recorder = principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] });
  const traceUrl = (cell: string, query: string) => `/reports/${GM}/2014-15/cells/${cell}/trace?reason=quarterly%20audit&minPosition=${lastPosition}${query}`;

  beforeAll(async () => {
    s = await startSecuredApp();
    const lines = [];
    // Offender ids may start with '-' (the API accepts A-Z a-z 0-9 . _ -): a spreadsheet would read -… as a formula.
    const ids = [`-${run}-0`, ...Array.from({ length: 6 }, (_, i) => `TP-${run}-${i + 1}`)];
    for (const [i, offenderId] of ids.entries()) {
      lines.push({
        type: 'OffenderRegistered',
        offenderId,
        occurredOn: '2013-02-10',
        data: { area: GM, category: 1, level: 1, division: 'salford', inCustody: false, underSupervision: true, onLicence: true },
      });
      if (i < 3) lines.push({ type: 'LevelChanged', offenderId, occurredOn: '2014-06-01', data: { level: 2 } });
    }
    const res = await postBatch(recorder, lines);
    expect(res.body.refused).toBe(0);
    lastPosition = res.body.lastPosition;
  }, 120_000);
  afterAll(() => s?.close());

  it('pages a trace: the summary first, then pages that together are the unpaged trace', async () => {
    const cell = 'offendersOnSnapshot.level1.category1';
    const whole = await get(auditor, traceUrl(cell, ''));
    expect(whole.status).toBe(200);
    expect(whole.body.items).toHaveLength(4); // 7 registered at level 1, 3 of them at level 2 since June 2014
    expect(whole.body).not.toHaveProperty('next'); // the unpaged answer is as it was
    const first = await get(auditor, traceUrl(cell, '&limit=3'));
    expect(first.status).toBe(200);
    expect(first.body.summary).toEqual({ items: 4, byArea: { [GM]: 4 }, byCountedType: { OffenderRegistered: 4 } });
    expect(first.body.unit).toBe('persons');
    const items = [...first.body.items];
    let next: string | null = first.body.next;
    while (next) {
      const page = await get(auditor, traceUrl(cell, `&limit=3&after=${next}`));
      expect(page.status).toBe(200);
      expect(page.body.summary).toBeUndefined();
      expect(page.body.position).toBe(first.body.position);
      items.push(...page.body.items);
      next = page.body.next;
    }
    expect(items).toEqual(whole.body.items);
  });

  it('exports the whole trace as CSV, one row per item, no cell starting with = + - @', async () => {
    for (const [url, accept] of [
      [traceUrl('offendersOnSnapshot.total.total', ''), 'text/csv'],
      [traceUrl('offendersOnSnapshot.total.total', '&format=csv'), 'application/json'],
    ]) {
      const res = await get(auditor, url, accept);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['x-trace-items']).toBe('7');
      const lines = res.text.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^offenderId,area,row,column,counted.eventId,/);
      expect(lines).toHaveLength(8);
      const cells = lines.flatMap(csvFields);
      expect(cells.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
      expect(cells).toContain(`'-${run}-0`);
      expect(lines.slice(1).every((l) => csvFields(l).length === csvFields(lines[0]).length)).toBe(true);
    }
  });

  it('refuses traces to analysts in every form (403), and audits each refusal', async () => {
    for (const query of ['', '&limit=2', '&format=csv']) {
      expect((await get(analyst, traceUrl('offendersOnSnapshot.total.total', query))).status).toBe(403);
    }
    const audit = await get(auditor, '/audit/access');
    const refused = (audit.body.entries ?? audit.body).filter((e: { outcome: string; action: string }) => e.outcome === 'refused' && e.action === 'trace');
    expect(refused.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad paging with the documented error body', async () => {
    for (const query of ['&limit=-1', '&limit=10001', '&limit=two', '&limit=2&after=not-a-cursor', '&after=eyJ9', '&limit=2&format=csv', '&format=xlsx']) {
      const res = await get(auditor, traceUrl('offendersOnSnapshot.total.total', query));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    }
  });

  it('answers trends equal to the per-year reports, to analysts, with units', async () => {
    const trend = await get(analyst, `/trends/${GM}?table=level23InYear&from=2013-14&to=2015-16&minPosition=${lastPosition}`);
    expect(trend.status).toBe(200);
    const reports = await Promise.all(['2013-14', '2014-15', '2015-16'].map((y) => get(analyst, `/reports/${GM}/${y}`)));
    for (const c of trend.body.cells) {
      expect({ cell: c.cell, values: c.years.map((p: { value: number }) => p.value) }).toEqual({ cell: c.cell, values: reports.map((r) => r.body.cells[c.cell]) });
      expect(c.unit).toBe('persons');
    }
    const level2 = trend.body.cells.find((c: { cell: string }) => c.cell === 'level23InYear.level2.category1');
    expect(level2.years).toEqual([
      { year: '2013/14', value: 0 },
      { year: '2014/15', value: 3, change: 3 },
      { year: '2015/16', value: 3, change: 0 },
    ]);
    expect(reports[0].body.tables.find((t: { id: string }) => t.id === 'sfoCharges').unit).toBe('cases');
    const cells = await get(analyst, `/trends/${GM}?cells=offendersOnSnapshot.total.total,rsoRate.per100k.value&from=2014-15&to=2014-15`);
    expect(cells.body.cells.map((c: { cell: string; unit: string }) => [c.cell, c.unit])).toEqual([
      ['offendersOnSnapshot.total.total', 'persons'],
      ['rsoRate.per100k.value', 'ratePer100k'],
    ]);
  });

  it('refuses trends to callers the policy does not name, and bad questions with 400/404', async () => {
    expect((await get(recorder, `/trends/${GM}?table=level23InYear&from=2013-14&to=2014-15`)).status).toBe(403);
    expect((await get(analyst, `/trends/england-and-wales?table=level23InYear&from=2013-14&to=2014-15`)).status).toBe(403);
    for (const [query, status] of [
      ['from=2013-14&to=2014-15', 400],
      ['table=level23InYear&cells=level23InYear.total.total&from=2013-14&to=2014-15', 400],
      ['table=level23InYear&to=2014-15', 400],
      ['table=level23InYear&from=2014&to=2014-15', 400],
      ['table=level23InYear&from=2015-16&to=2014-15', 400],
      ['table=nope&from=2013-14&to=2014-15', 404],
      ['cells=level23InYear.level9.total&from=2013-14&to=2014-15', 404],
    ] as const) {
      const res = await get(analyst, `/trends/${GM}?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status });
      expect(res.body).toEqual({ error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
    }
  });

  it('documents the paging, the CSV export and trends in OpenAPI', async () => {
    const doc = (await s.http().get('/docs-json')).body;
    const trace = doc.paths['/reports/{area}/{year}/cells/{cellId}/trace'].get;
    expect(trace.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'after', 'format', 'reason']));
    expect(doc.paths['/trends/{area}'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['table', 'cells', 'from', 'to', 'asKnownAt']));
  });
});
