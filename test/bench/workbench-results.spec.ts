import type { Latencies } from '../../bench/measure';
import type { WorkbenchSwitch } from '../../bench/workbench';
import { parseRequest, requestUrl, sortedRequests, switchRequests } from '../../bench/workbench-switches';
import { TARGETS, workbenchCheck, workbenchMarkdown, type WorkbenchResults } from '../../bench/write-results';

// The workbench part of the bench (issue 15.3): the requests of each switch, and how its figures are
// held to their targets in docs/benchmarks.md.

const latency = (medianMs: number, samples = 30): Latencies => ({ samples, medianMs, p95Ms: medianMs * 2, minMs: medianMs / 2, maxMs: medianMs * 3 });
const sw = (kind: WorkbenchSwitch['kind'], medianMs: number, failed = 0): WorkbenchSwitch => ({ kind, requests: ['GET /x'], latency: latency(medianMs), failed });

function results(switches: WorkbenchSwitch[], timed = true): WorkbenchResults {
  return {
    generatedAt: '2026-12-01T00:00:00.000Z',
    commit: { id: 'abc', dirty: false },
    scale: timed ? 'national' : 'smoke',
    timed,
    command: 'npm run bench -- --only workbench',
    stores: [{ store: 'PostgreSQL', kind: 'postgres', peakRssMiB: 100, result: { area: 'greater-manchester', year: 2014, areas: 42, switches } }],
  };
}

/** The "met" column of the table row of a switch. */
const metOf = (lines: string[], label: string): string => {
  const row = lines.find((l) => l.startsWith('| PostgreSQL | ' + label));
  if (!row) throw new Error(`no row for ${label}`);
  return row.split(' | ').at(-1)!.replace(/ \|$/, '');
};

describe('the workbench switches in the bench', () => {
  it("asks, per switch, what the page asks: report and the area's publications, report, snapshot, report then and now", () => {
    const to = { area: 'merseyside', year: '2013-14', date: '2013-09-30', asKnownAt: '2015-04-30T23:59:00.000Z' };
    expect(switchRequests('area', to).map(requestUrl)).toEqual(['/reports/merseyside/2013-14', '/publications?area=merseyside']);
    expect(switchRequests('year', to).map(requestUrl)).toEqual(['/reports/merseyside/2013-14']);
    expect(switchRequests('date', to).map(requestUrl)).toEqual(['/snapshots/merseyside?date=2013-09-30']);
    expect(switchRequests('asKnownAt', to).map(requestUrl)).toEqual(['/reports/merseyside/2013-14?asKnownAt=2015-04-30T23%3A59%3A00.000Z', '/reports/merseyside/2013-14']);
    expect(() => switchRequests('date', { area: 'merseyside', year: '2013-14' })).toThrow(/needs a date/);
  });

  it('compares requests whatever the order of their query parameters or of the requests', () => {
    const page = ['http://127.0.0.1:4000/publications?area=merseyside', 'http://127.0.0.1:4000/reports/merseyside/2013-14'].map(parseRequest);
    expect(sortedRequests(page)).toEqual(sortedRequests(switchRequests('area', { area: 'merseyside', year: '2013-14' })));
    expect(sortedRequests(page)).not.toEqual(sortedRequests(switchRequests('area', { area: 'merseyside', year: '2014-15' })));
    const moment = { path: '/reports/merseyside/2013-14', query: { asKnownAt: '2015-04-30T23:59:00.000Z', atPosition: '7' } };
    expect(sortedRequests([parseRequest('/reports/merseyside/2013-14?atPosition=7&asKnownAt=2015-04-30T23%3A59%3A00.000Z')])).toEqual(sortedRequests([moment]));
  });

  it('holds a switch to 300 ms and england-and-wales to the national report target, on the median', () => {
    const lines = workbenchMarkdown(
      results([sw('area', 120), sw('year', TARGETS.workbenchSwitchMedianMs + 1), sw('date', 10, 2), sw('asKnownAt', 250), sw('areaNational', TARGETS.nationalMedianMs - 1)]),
    );
    expect(metOf(lines, 'area (the next')).toBe('yes');
    expect(metOf(lines, 'report year')).toBe('**no**: 1 ms over');
    expect(metOf(lines, 'snapshot date')).toBe('**no**: 2 switch(es) not answered 200');
    expect(metOf(lines, 'as-known-at')).toBe('yes');
    expect(metOf(lines, 'area: to england-and-wales')).toBe('yes');
    expect(lines.join('\n')).toContain(`median ≤ ${TARGETS.nationalMedianMs} ms`);
  });

  it('holds nothing to a target on a smoke run, but its check fails when a switch was not answered', () => {
    const r = results([sw('area', 5000), sw('date', 1, 1)], false);
    expect(metOf(workbenchMarkdown(r), 'area (the next')).toBe('—');
    expect(workbenchCheck(r.stores[0].result)).toMatchObject({ ok: false, detail: 'date: 1 failed of 31' });
    expect(workbenchCheck(results([sw('area', 5000)]).stores[0].result).ok).toBe(true);
  });
});
