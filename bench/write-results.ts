import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ReportCells } from '../src/reports/tables';
import type { EventLoopPauses, Latencies } from './measure';
import type { PhaseResult } from './phases';
import { peerMarkdown, type PeerResults } from './peer-results';
import { soakMarkdown, type SoakResults } from './soak-results';

// bench/results.json (machine-readable) and docs/benchmarks.md (the same figures, each beside
// its limit or baseline, the ratio and the target), plus the hand-written analysis of bench/notes.md.

export interface Check {
  id: string;
  ok: boolean;
  detail: string;
}

export interface StoreResults {
  store: string;
  kind: 'postgres' | 'embedded';
  import: { result: PhaseResult<'import'>; peakRssMiB: number; limit: PhaseResult<'bulkLimit'>; limitPeakRssMiB: number };
  rebuild: { result: PhaseResult<'rebuild'>; peakRssMiB: number; limit: PhaseResult<'scanLimit'>; limitPeakRssMiB: number };
  /** Absent from results written before start-up was measured. */
  startUp?: PhaseResult<'startUp'>;
  /** Trends and paged traces (issue 14); absent from results written before they were measured. */
  trendsAndPages?: { result: PhaseResult<'trendsAndPages'>; peakRssMiB: number };
  /** Set when import and rebuild (their figures, peaks and checks) come from a later `--only writes` run than the rest. */
  writesRun?: { commit: string | null; scale: string; at: string; command: string };
  /** Set when start-up, trends and paged traces come from a later `--only serving` run than the rest. */
  servingRun?: { commit: string | null; scale: string; at: string; command: string };
  reports: {
    result: Omit<PhaseResult<'reports'>, 'cells'>;
    peakRssMiB: number;
    baseline: Omit<PhaseResult<'baseline'>, 'cells'>;
    baselinePeakRssMiB: number;
  };
  checks: Check[];
}

/** Fairness between callers (bench/fairness.ts), possibly measured by another run than the rest. */
export interface FairnessResults {
  generatedAt: string;
  commit: { id: string | null; dirty: boolean };
  scale: string;
  timed: boolean;
  command: string;
  stores: Array<{ store: string; kind: 'postgres' | 'embedded'; result: PhaseResult<'fairness'>; peakRssMiB: number; run?: { commit: string | null; scale: string; at: string } }>;
}

export interface BenchResults {
  title: string;
  generatedAt: string;
  finishedAt: string;
  commit: { id: string | null; dirty: boolean };
  scale: string;
  /** false for the smoke scale: the run checks that everything works; its timings mean nothing. */
  timed: boolean;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string; postgres: string | null; pglite: string | null };
  dataset: PhaseResult<'generate'> & { file: string; peakRssMiB: number };
  stores: StoreResults[];
  fairness?: FairnessResults;
  /** Known capacity and overload (bench/soak.ts), possibly measured by another run than the rest. */
  soak?: SoakResults;
  /** The workbench's switches (bench/workbench.ts), possibly measured by another run than the rest. */
  workbench?: WorkbenchResults;
  /** Ours beside Emmett's PostgreSQL event store (bench/peer.ts, issue 13.5), possibly measured by another run than the rest. */
  peer?: PeerResults;
}

/** The workbench's switches over HTTP (issue 15.3), a part of its own like fairness. */
export interface WorkbenchResults {
  generatedAt: string;
  commit: { id: string | null; dirty: boolean };
  scale: string;
  timed: boolean;
  command: string;
  stores: Array<{ store: string; kind: 'postgres' | 'embedded'; result: PhaseResult<'workbench'>; peakRssMiB: number; run?: { commit: string | null; scale: string; at: string } }>;
}

/** The targets of the issue ("National scale, measured"), on this machine. */
export const TARGETS = {
  importShareOfLimit: 0.25,
  rebuildShareOfLimit: 0.5,
  areaYearMedianMs: 50,
  snapshotMedianMs: 20,
  nationalMedianMs: 500,
  speedupOverFold: 100,
  /** B's area report under A's flood of national reports, over B's alone (issue 10, item 1). */
  fairnessRatio: 2,
  /** Issue 11, item 1: from `mappa serve` started, read models current. */
  healthWithinMs: 2000,
  firstReportWithinMs: 5000,
  /** Issue 14.4: one table over every report year, medians. */
  areaTrendMedianMs: 200,
  nationalTrendMedianMs: 2000,
  /** Issue 15.3: a switch of area, year, date or as-known-at moment in the workbench, server time, median. */
  workbenchSwitchMedianMs: 300,
} as const;

/** A row of the results table: a figure beside its limit or baseline. */
export interface Figure {
  id: string;
  label: string;
  measured: string;
  against: string;
  ratio: string;
  target: string;
  met: boolean | null;
  gap: string | null;
}

/** Cells that differ between two reports (missing cells count as 0; NaN equals NaN). */
export function compareCells(a: ReportCells, b: ReportCells): string[] {
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const id of [...ids].sort()) {
    const x = a[id] ?? 0;
    const y = b[id] ?? 0;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) out.push(`${id}: read models ${x}, fold ${y}`);
  }
  return out;
}

export function figuresOf(s: StoreResults): Figure[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  const figures: Figure[] = [];

  const throughput = (id: string, label: string, value: number, seconds: number, limitName: string, limit: number, share: number): Figure => {
    const ratio = value / limit;
    const met = ratio >= share;
    return {
      id,
      label,
      measured: `${n(value)} events/s (${seconds.toFixed(1)} s)`,
      against: `${limitName}: ${n(limit)} events/s`,
      ratio: `${(100 * ratio).toFixed(0)}% of the limit`,
      target: `≥ ${(100 * share).toFixed(0)}% of the limit`,
      met,
      gap: met ? null : `short by ${(100 * (share - ratio)).toFixed(0)} points: needs ${n(share * limit)} events/s, ${(share / ratio).toFixed(2)}× the measured rate`,
    };
  };
  const importFigure = throughput(
    'import',
    'Import through the command path',
    s.import.result.eventsPerSecond,
    s.import.result.seconds,
    'bulk COPY into a bare table',
    s.import.limit.eventsPerSecond,
    TARGETS.importShareOfLimit,
  );
  const { firstTenthEventsPerSecond: first, lastTenthEventsPerSecond: last } = s.import.result as {
    firstTenthEventsPerSecond?: number | null;
    lastTenthEventsPerSecond?: number | null;
  };
  if (first && last) importFigure.measured += `; first tenth of the file ${n(first)}/s, last tenth ${n(last)}/s`;
  figures.push(importFigure);
  figures.push(
    throughput(
      'rebuild',
      'Full rebuild of the read models',
      s.rebuild.result.eventsPerSecond,
      s.rebuild.result.seconds,
      'read and parse every event',
      s.rebuild.limit.eventsPerSecond,
      TARGETS.rebuildShareOfLimit,
    ),
  );

  const latency = (id: string, label: string, ours: Latencies, fold: Latencies, medianTarget: number | null): Figure => {
    const speedup = fold.medianMs / ours.medianMs;
    const fastEnough = medianTarget === null || ours.medianMs <= medianTarget;
    const met = medianTarget === null ? null : fastEnough && speedup >= TARGETS.speedupOverFold;
    const gaps: string[] = [];
    if (!fastEnough && medianTarget !== null)
      gaps.push(
        `median ${ours.medianMs} ms is ${(ours.medianMs - medianTarget).toFixed(1)} ms (${((100 * (ours.medianMs - medianTarget)) / medianTarget).toFixed(0)}%) over ${medianTarget} ms`,
      );
    if (medianTarget !== null && speedup < TARGETS.speedupOverFold) gaps.push(`${speedup.toFixed(0)}× faster than the fold, not ${TARGETS.speedupOverFold}×`);
    return {
      id,
      label,
      measured: `median ${ours.medianMs} ms, p95 ${ours.p95Ms} ms (${ours.samples} calls)`,
      against: `fold per query: median ${fmtMs(fold.medianMs)}, p95 ${fmtMs(fold.p95Ms)} (${fold.samples} calls)`,
      ratio: `${speedup >= 10 ? speedup.toFixed(0) : speedup.toFixed(1)}× faster`,
      target: medianTarget === null ? '(no target)' : `median ≤ ${medianTarget} ms and ≥ ${TARGETS.speedupOverFold}× faster`,
      met,
      gap: gaps.length > 0 ? gaps.join('; ') : null,
    };
  };
  if (s.startUp) {
    const within = (id: string, label: string, ms: number, limitMs: number, note: string): Figure => ({
      id,
      label,
      measured: `${fmtMs(ms)}${note}`,
      against: '—',
      ratio: '—',
      target: `≤ ${limitMs / 1000} s`,
      met: ms <= limitMs,
      gap: ms <= limitMs ? null : `${fmtMs(ms - limitMs)} over`,
    });
    figures.push(within('startUpHealth', '`mappa serve` started to `/health` answered', s.startUp.healthMs, TARGETS.healthWithinMs, ''));
    if (s.startUp.readyMs !== undefined)
      figures.push(within('startUpReady', '`mappa serve` started to `/health/ready` answered 200', s.startUp.readyMs, TARGETS.firstReportWithinMs, ''));
    figures.push(
      within(
        'startUpReport',
        '`mappa serve` started to its first area-year report',
        s.startUp.firstReportMs,
        TARGETS.firstReportWithinMs,
        ` (the report call itself ${fmtMs(s.startUp.reportCallMs)})`,
      ),
    );
  }
  const r = s.reports.result;
  const b = s.reports.baseline;
  figures.push(latency('areaYear', 'Report, all tables, one area-year', r.areaYear, b.areaYear, TARGETS.areaYearMedianMs));
  figures.push(latency('national', 'Report, england-and-wales', r.national, b.national, TARGETS.nationalMedianMs));
  figures.push(latency('snapshot', 'Snapshot (table 6.1) for any date', r.snapshot, b.snapshot, TARGETS.snapshotMedianMs));
  figures.push(latency('trace', `Trace of one cell (${r.trace.items} items)`, r.trace, b.trace, null));
  if (s.trendsAndPages) {
    // Issue 14.4: a trend beside the same years computed one report at a time; 14.1: a national trace in pages.
    for (const t of s.trendsAndPages.result.trends) {
      const limitMs = t.area === 'england-and-wales' ? TARGETS.nationalTrendMedianMs : TARGETS.areaTrendMedianMs;
      const speedup = t.perYearReports.medianMs / t.trend.medianMs;
      figures.push({
        id: `trend-${t.area}-${t.table}`,
        label: `Trend, ${t.table} over ${t.years} years, ${t.area}`,
        measured: `median ${fmtMs(t.trend.medianMs)}, p95 ${fmtMs(t.trend.p95Ms)} (${t.trend.samples} calls)`,
        against: `the same years one report at a time: median ${fmtMs(t.perYearReports.medianMs)} (${t.perYearReports.samples} calls)`,
        ratio: `${speedup >= 10 ? speedup.toFixed(0) : speedup.toFixed(1)}× faster`,
        target: `median ≤ ${fmtMs(limitMs)}`,
        met: t.trend.medianMs <= limitMs,
        gap: t.trend.medianMs <= limitMs ? null : `${fmtMs(Math.round(t.trend.medianMs - limitMs))} over`,
      });
    }
    const p = s.trendsAndPages.result.pagedTrace;
    figures.push({
      id: 'pagedTrace',
      label: `Trace in pages, england-and-wales ${p.cell} (${p.items} items, pages of ${p.pageSize})`,
      measured: `first page with summary: median ${fmtMs(p.firstPage.medianMs)}; a later page: median ${fmtMs(p.laterPage.medianMs)}; whole CSV export ${fmtMs(p.wholeExport.ms)}`,
      against: '—',
      ratio: '—',
      target: '(no target)',
      met: null,
      gap: null,
    });
  }
  return figures;
}

const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

export async function writeResults(results: BenchResults, jsonFile: string, mdFile: string, notesFile: string): Promise<void> {
  const withFigures = { ...results, stores: results.stores.map((s) => ({ ...s, figures: figuresOf(s) })) };
  await mkdir(path.dirname(jsonFile), { recursive: true });
  await writeFile(jsonFile, JSON.stringify(withFigures, null, 2) + '\n');
  const notes = await readFile(notesFile, 'utf8').catch(() => '');
  await mkdir(path.dirname(mdFile), { recursive: true });
  await writeFile(mdFile, markdown(results, notes));
}

function markdown(r: BenchResults, notes: string): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  const d = r.dataset;
  const actives = d.snapshots.map((s) => s.active);
  const last = d.snapshots[d.snapshots.length - 1];
  const lines: string[] = [];
  lines.push('# Benchmarks');
  lines.push('');
  lines.push(`Written by \`${r.command}\` from the figures it measured (also in \`bench/results.json\`); do not edit by hand.`);
  lines.push('The analysis at the end comes from `bench/notes.md`.');
  if (!r.timed) lines.push('', `**Scale ${r.scale}: a smoke run that checks the suite works. Its timings are not measurements of anything.**`);
  lines.push('');
  lines.push('| | |');
  lines.push('| --- | --- |');
  lines.push(`| date | ${r.generatedAt} (finished ${r.finishedAt}) |`);
  lines.push(`| commit | ${r.commit.id ?? 'unknown'}${r.commit.dirty ? ' with uncommitted changes' : ''} |`);
  lines.push(`| machine | ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, ${r.machine.os} |`);
  lines.push(`| software | Node ${r.machine.node}; PostgreSQL ${r.machine.postgres ?? '(not run)'}; PGlite ${r.machine.pglite ?? '?'} |`);
  lines.push(`| scale | ${r.scale} |`);
  lines.push('');
  lines.push('## The data set');
  lines.push('');
  lines.push(
    `\`mappa generate\` (seed ${d.seed}): ${d.areas} areas, ${d.from} to ${d.to}, sized for ${n(d.activeOffendersTarget)} offenders active on each 31 March ` +
      `(measured: ${n(Math.min(...actives))} to ${n(Math.max(...actives))}). ${n(d.events)} events for ${n(d.offenders)} offenders ` +
      `(${(d.bytes / 2 ** 20).toFixed(0)} MiB of NDJSON), ${n(d.late)} recorded late (${n(d.backDated)} of them back-dated behind a later event), ` +
      `${n(d.retractions)} retractions; ${n(d.refusedAndLeftOut)} drawn events refused by decide() and left out. Generated in ${d.seconds.toFixed(0)} s ` +
      `(${n(d.eventsPerSecond)} events/s, every one checked by decide()), peak memory ${n(d.peakRssMiB)} MiB.`,
  );
  if (last) {
    lines.push('');
    lines.push(
      `On ${last.date}: ${n(last.active)} active, ${n(last.inCommunity)} in the community, of whom ` +
        `${((100 * last.byCategory['1']) / last.inCommunity).toFixed(0)}% category 1 and ${((100 * last.byLevel['1']) / last.inCommunity).toFixed(1)}% at level 1 ` +
        '(Greater Manchester 2014/15: 64% and 99.4%).',
    );
  }
  for (const s of r.stores) {
    lines.push('');
    lines.push(`## ${s.store}`);
    lines.push('');
    if (s.servingRun)
      lines.push(
        `Start-up, trend and paged-trace figures: measured by \`${s.servingRun.command}\` at ${s.servingRun.at}, commit ${s.servingRun.commit ?? 'unknown'}, scale **${s.servingRun.scale}** (on a store built the same way); the rest by the run above.`,
        '',
      );
    if (s.writesRun)
      lines.push(
        `Import and rebuild figures, their peak memory and their checks: measured by \`${s.writesRun.command}\` at ${s.writesRun.at}, commit ${s.writesRun.commit ?? 'unknown'}, scale **${s.writesRun.scale}** (on a store of its own); the rest by the run above.`,
        '',
      );
    lines.push('| figure | measured | limit or baseline | ratio | target | met |');
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const f of figuresOf(s)) {
      const met = f.met === null ? '—' : f.met ? 'yes' : `**no**: ${f.gap}`;
      lines.push(`| ${f.label} | ${f.measured} | ${f.against} | ${f.ratio} | ${f.target} | ${met} |`);
    }
    lines.push('');
    lines.push("Peak memory (resident set of the phase's own process" + (s.kind === 'embedded' ? ', PGlite included' : '; the PostgreSQL server not included') + '):');
    lines.push('');
    lines.push('| phase | peak MiB |');
    lines.push('| --- | --- |');
    lines.push(`| import through the command path | ${n(s.import.peakRssMiB)} |`);
    lines.push(`| bulk COPY limit | ${n(s.import.limitPeakRssMiB)} |`);
    lines.push(`| rebuild | ${n(s.rebuild.peakRssMiB)} |`);
    lines.push(`| read-and-parse limit | ${n(s.rebuild.limitPeakRssMiB)} |`);
    lines.push(`| report, snapshot and trace queries | ${n(s.reports.peakRssMiB)} |`);
    lines.push(`| fold-per-query baseline | ${n(s.reports.baselinePeakRssMiB)} |`);
    lines.push('');
    const pauses = (s.rebuild.result as { eventLoop?: EventLoopPauses }).eventLoop;
    if (pauses)
      lines.push(
        `During the rebuild the service's thread paused at most ${pauses.maxDelayMs} ms (99th percentile ${pauses.p99DelayMs} ms; monitorEventLoopDelay), ` +
          `and a 50 ms timer standing for /health/live took at most ${pauses.slowestTickMs} ms between two turns (issue 18.4: liveness within 1 s` +
          (r.timed ? `, ${pauses.maxDelayMs < 1000 ? 'met' : '**not met**'}).` : ').'),
        '',
      );
    lines.push(
      `Rebuild wrote ${n(s.rebuild.result.intervalRows)} interval rows for ${n(s.rebuild.result.offenders)} offenders. ` +
        `The baseline folds ${n(s.reports.baseline.areaYear.eventsFolded)} events for one area and ${n(s.reports.baseline.national.eventsFolded)} for england-and-wales.`,
    );
    lines.push('');
    lines.push('Checks: ' + s.checks.map((c) => `${c.ok ? 'pass' : '**FAIL**'} ${c.id} (${c.detail})`).join('; ') + '.');
  }
  if (r.fairness) lines.push('', ...fairnessMarkdown(r.fairness));
  if (r.workbench) lines.push('', ...workbenchMarkdown(r.workbench));
  if (r.soak) lines.push('', ...soakMarkdown(r.soak));
  if (r.peer) lines.push('', ...peerMarkdown(r.peer));
  if (notes.trim()) {
    lines.push('');
    lines.push(notes.trim());
  }
  return lines.join('\n') + '\n';
}

/** The fairness section: its own run (scale, commit), a row per store, with and without the read limit. */
function fairnessMarkdown(f: FairnessResults): string[] {
  const lines: string[] = [];
  lines.push('## Fairness between callers');
  lines.push('');
  lines.push(`Measured by \`${f.command}\` at ${f.generatedAt}, commit ${f.commit.id ?? 'unknown'}${f.commit.dirty ? ' with uncommitted changes' : ''}, scale **${f.scale}**.`);
  if (!f.timed) lines.push('', `**Scale ${f.scale}: a smoke run; its timings are not measurements of anything.**`);
  const first = f.stores[0]?.result;
  if (first) {
    lines.push('');
    lines.push(
      `Caller B (an analyst of ${first.area}) reads its ${first.year}/${String((first.year + 1) % 100).padStart(2, '0')} annual report over HTTP, one call after another, alone and then while ` +
        `caller A (a national analyst) runs ${first.attackers} loops asking for the england-and-wales report without pause (after a 429, ` +
        `again when Retry-After says). Real HTTP stack: tokens, guards, the report read limit ` +
        `(${first.limits.budgetPerCaller} per caller, an expensive read weighs ${first.limits.expensiveWeight}); the request rate limit is off so that it does not hide the read limit.`,
    );
  }
  lines.push('');
  lines.push(
    "| store | read limit | B alone (median, p95) | B while A floods (median, p95) | ratio of medians | A served / refused | A's national report (median) | target | met |",
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of f.stores) {
    for (const [label, run] of [
      ['on', s.result.withLimit],
      ['off', s.result.withoutLimit],
    ] as const) {
      const b = run.underAttack.b;
      const met = !f.timed || label === 'off' ? '—' : run.ratio <= TARGETS.fairnessRatio ? 'yes' : `**no**: ${run.ratio}×, not ≤ ${TARGETS.fairnessRatio}×`;
      lines.push(
        `| ${s.store} | ${label} | ${run.alone.medianMs} ms, ${run.alone.p95Ms} ms (${run.alone.samples}) | ${b.medianMs} ms, ${b.p95Ms} ms (${b.samples}${b.failed ? `, ${b.failed} failed` : ''}) | ${run.ratio}× | ${run.underAttack.a.served} / ${run.underAttack.a.refused} | ${run.underAttack.a.servedLatency.medianMs} ms | ≤ ${TARGETS.fairnessRatio}× | ${met} |`,
      );
    }
  }
  for (const s of f.stores) {
    if (s.run && s.run.commit !== f.commit.id) lines.push('', `${s.store} measured at ${s.run.at}, commit ${s.run.commit ?? 'unknown'}, scale ${s.run.scale}.`);
  }
  return lines;
}

const SWITCH_LABELS: Record<PhaseResult<'workbench'>['switches'][number]['kind'], string> = {
  area: 'area (the next of the areas)',
  year: 'report year',
  date: 'snapshot date',
  asKnownAt: 'as-known-at moment',
  areaNational: 'area: to england-and-wales',
};

/** Issue 15.3: each kind of switch with the requests it makes, against 300 ms (the national report keeps its own 500 ms). */
export function workbenchMarkdown(w: WorkbenchResults): string[] {
  const lines: string[] = [];
  lines.push('## Workbench: switching area, year, date or moment (issue 15)');
  lines.push('');
  lines.push(`Measured by \`${w.command}\` at ${w.generatedAt}, commit ${w.commit.id ?? 'unknown'}${w.commit.dirty ? ' with uncommitted changes' : ''}, scale **${w.scale}**.`);
  if (!w.timed) lines.push('', `**Scale ${w.scale}: a smoke run; its timings are not measurements of anything.**`);
  const first = w.stores[0]?.result;
  if (first) {
    lines.push('');
    lines.push(
      `What the page asks when its user switches (\`bench/workbench-switches.ts\`; the browser test checks the page asks exactly that), ` +
        `sent together as the browser sends them, over the real HTTP stack (an HS256 token of a national analyst, guards, the report read limit; ` +
        `the request rate limit off), timed until every answer is read. Each switch goes somewhere not asked before: the next of ${first.areas} areas ` +
        `(${first.year}/${String((first.year + 1) % 100).padStart(2, '0')}), the next report year, a snapshot date spread over the history, ` +
        `an as-known-at moment spread over the times the store recorded its events. Target: median ≤ ${TARGETS.workbenchSwitchMedianMs} ms ` +
        `(england-and-wales, a national report, has its own: median ≤ ${TARGETS.nationalMedianMs} ms).`,
    );
  }
  lines.push('');
  lines.push('| store | switch | requests | median | p95 | switches | target | met |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of w.stores) {
    for (const x of s.result.switches) {
      const limit = x.kind === 'areaNational' ? TARGETS.nationalMedianMs : TARGETS.workbenchSwitchMedianMs;
      const ok = x.failed === 0 && x.latency.medianMs <= limit;
      const met = !w.timed ? '—' : ok ? 'yes' : x.failed > 0 ? `**no**: ${x.failed} switch(es) not answered 200` : `**no**: ${fmtMs(Math.round(x.latency.medianMs - limit))} over`;
      lines.push(
        `| ${s.store} | ${SWITCH_LABELS[x.kind]} | ${x.requests.map((r) => `\`${r}\``).join(' + ')} | ${fmtMs(x.latency.medianMs)} | ${fmtMs(x.latency.p95Ms)} | ${x.latency.samples}${x.failed ? `, ${x.failed} failed` : ''} | median ≤ ${limit} ms | ${met} |`,
      );
    }
  }
  for (const s of w.stores) {
    if (s.run && s.run.commit !== w.commit.id) lines.push('', `${s.store} measured at ${s.run.at}, commit ${s.run.commit ?? 'unknown'}, scale ${s.run.scale}.`);
  }
  return lines;
}

/** Functional, not timed: every switch of every kind answered 200. */
export function workbenchCheck(r: PhaseResult<'workbench'>): Check {
  const failed = r.switches.filter((x) => x.failed > 0 || x.latency.samples === 0);
  return {
    id: 'workbench-switches-answer',
    ok: failed.length === 0,
    detail:
      failed.length === 0
        ? `${r.switches.map((x) => `${x.kind} ${x.latency.samples}`).join(', ')} switches, every answer 200`
        : failed.map((x) => `${x.kind}: ${x.failed} failed of ${x.latency.samples + x.failed}`).join('; '),
  };
}
