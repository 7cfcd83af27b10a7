import 'reflect-metadata';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { Client } from 'pg';
import { benchScale, type BenchScale } from './bench-scales';
import { dropTarget, probePostgres, targetName, type BenchTarget } from './bench-target';
import type { FairnessArgs } from './fairness';
import type { PeerSide } from './peer';
import { peerArgs, peerChecks, peerFigures, type PeerResults } from './peer-results';
import type { PhaseName, PhaseResult } from './phases';
import { soakArgs, type SoakResults } from './soak-results';
import type { WorkbenchArgs } from './workbench';
import { compareCells, workbenchCheck, writeResults, type BenchResults, type Check, type FairnessResults, type StoreResults, type WorkbenchResults } from './write-results';

// `npm run bench`: one run that measures, side by side on the same synthetic history, the import
// through the command path, a full rebuild, and report / snapshot / trace latency, each against its
// limit or baseline, on PostgreSQL and on PGlite; then writes docs/benchmarks.md and
// bench/results.json. `--scale smoke` runs in seconds and only checks that everything works.

/** The parts `--only` measures on a store of their own, merged into an earlier run's results with `--merge-into`. */
const ONLY_PARTS = ['fairness', 'soak', 'serving', 'workbench', 'peer', 'writes'] as const;
type OnlyPart = (typeof ONLY_PARTS)[number];

const ROOT = path.resolve(__dirname, __filename.endsWith('.ts') ? '..' : '../..');

interface Options {
  scale: string;
  stores: string;
  pgUrl?: string;
  json?: string;
  md?: string;
  work: string;
  keep?: boolean;
  write: boolean;
  render?: string;
  batchSize?: number;
  only?: string;
  mergeInto?: string;
  soakStepSeconds?: number;
  soakOverloadSeconds?: number;
}

async function main(): Promise<void> {
  const program = new Command('bench')
    .option('--scale <scale>', 'smoke (seconds, for CI: checks, no timings), medium (10 areas), national (42 areas, the default)', 'national')
    .option('--stores <stores>', 'postgres,embedded (either or both)', 'postgres,embedded')
    .option('--pg-url <url>', 'PostgreSQL server (default: BENCH_DATABASE_URL, DATABASE_URL, TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/postgres)')
    .option('--json <file>', 'results file (default bench/results.json; bench/out/results.<scale>.json below national)')
    .option('--md <file>', 'report file (default docs/benchmarks.md; bench/out/benchmarks.<scale>.md below national)')
    .option('--work <dir>', 'where the NDJSON history and the embedded store are kept while running', path.join(ROOT, 'bench', 'out'))
    .option('--keep', 'keep the stores after the run (default: dropped)')
    .option('--no-write', 'measure and check only: write neither results file (CI smoke run)')
    .option('--render <results.json>', 'measure nothing: write the report again from a results file (after editing bench/notes.md)')
    .option('--batch-size <n>', 'import batch size (default: what mappa import uses)', (v) => Number(v))
    .option(
      '--only <part>',
      "measure one part only, on a store built by import and rebuild: 'fairness' (between callers), 'soak' (known capacity and overload, issue 17), 'serving' (start-up, trends and paged traces, issues 11 and 14), 'workbench' (the page's switches, issue 15), 'writes' (bulk COPY, import, read-and-parse and rebuild with their peaks, issue 13) or 'peer' (our event store beside Emmett's, issue 13.5; PostgreSQL only, needs no import)",
    )
    .option('--merge-into <results.json>', 'with --only: put its figures into this results file (keeping the rest) and write its report again')
    .option('--soak-step-seconds <n>', 'seconds of load at each rate the soak tries (default 20; smoke 3)', (v) => Number(v))
    .option('--soak-overload-seconds <n>', 'seconds of load at twice the capacity found (default 60; smoke 5)', (v) => Number(v))
    .parse(process.argv);
  const opts = program.opts<Options>();
  if (opts.only !== undefined && !ONLY_PARTS.includes(opts.only as OnlyPart)) throw new Error(`--only must be one of ${ONLY_PARTS.join(', ')}, not '${opts.only}'.`);
  if (opts.mergeInto && !opts.only) throw new Error(`--merge-into goes with --only (${ONLY_PARTS.join(', ')}).`);
  if (opts.render) {
    const results = JSON.parse(await readFile(opts.render, 'utf8')) as BenchResults;
    const md = path.resolve(
      opts.md ?? (results.scale === 'national' ? path.join(ROOT, 'docs', 'benchmarks.md') : path.join(ROOT, 'bench', 'out', `benchmarks.${results.scale}.md`)),
    );
    await writeResults(results, path.resolve(opts.render), md, path.join(ROOT, 'bench', 'notes.md'));
    console.log(`wrote ${path.relative(ROOT, md)} from ${opts.render}`);
    return;
  }
  const scale = benchScale(opts.scale);
  const national = scale.name === 'national';
  const jsonFile = path.resolve(opts.json ?? (national ? path.join(ROOT, 'bench', 'results.json') : path.join(ROOT, 'bench', 'out', `results.${scale.name}.json`)));
  const mdFile = path.resolve(opts.md ?? (national ? path.join(ROOT, 'docs', 'benchmarks.md') : path.join(ROOT, 'bench', 'out', `benchmarks.${scale.name}.md`)));
  await mkdir(opts.work, { recursive: true });

  const started = new Date();
  const commit = commitOf(); // the code measured: taken before the run, not after
  const log = (line: string) => console.log(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(5)} s] ${line}`);
  const wanted = opts.stores.split(',').map((s) => s.trim());
  const targets: BenchTarget[] = [];
  let postgresVersion: string | null = null;
  if (wanted.includes('postgres')) {
    const url = opts.pgUrl ?? process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    postgresVersion = await probePostgres(url);
    if (postgresVersion) targets.push({ kind: 'postgres', url, schema: `mappa_bench_${scale.name}_${process.pid}` });
    else log(`no PostgreSQL answers at ${redact(url)}: PostgreSQL figures skipped (set BENCH_DATABASE_URL)`);
  }
  // Per process: two runs in one checkout (CI beside a developer) must not share a store or a file.
  if (wanted.includes('embedded')) targets.push({ kind: 'embedded', dataDir: path.join(opts.work, `pglite-${scale.name}-${process.pid}`) });

  const file = path.join(opts.work, `history-${scale.name}-${process.pid}.ndjson`);
  log(
    `scale ${scale.name}: ${scale.history.areas!.length} areas, ${scale.history.activeOffenders} offenders active on 31 March, ${scale.history.fromYear}-${scale.history.toYear}`,
  );
  const generated = await runPhase('generate', { history: scale.history, file }, opts.work);
  log(
    `generated ${generated.result.events.toLocaleString('en-GB')} events (${generated.result.offenders.toLocaleString('en-GB')} offenders) in ${generated.result.seconds.toFixed(1)} s`,
  );

  const run = { commit: commit.id ? `${commit.id}${commit.dirty ? ' (dirty)' : ''}` : null, scale: scale.name, at: started.toISOString() };
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  if (opts.only === 'peer') {
    const measured = await peerRun(targets, scale, file, { commit, started, command }, opts, log);
    await finishPeer(measured, opts, log);
    if (!opts.keep) await rm(file, { force: true });
    return;
  }

  const stores: StoreResults[] = [];
  const fairnessByStore: FairnessResults['stores'] = [];
  const fairnessChecks: Array<{ store: string; checks: Check[] }> = [];
  const soakByStore: SoakResults['stores'] = [];
  const servingByStore: ServingResults[] = [];
  const workbenchByStore: WorkbenchResults['stores'] = [];
  const writesByStore: WritesResults[] = [];
  for (const target of targets) {
    if (opts.only === 'writes') {
      const measured = await writesOnly(target, scale, file, generated.result.events, opts, log);
      writesByStore.push(measured);
      fairnessChecks.push({ store: measured.store, checks: measured.checks });
      continue;
    }
    if (opts.only === 'serving') {
      const measured = await servingOnly(target, scale, file, opts, log);
      servingByStore.push(measured);
      fairnessChecks.push({ store: measured.store, checks: measured.checks });
      continue;
    }
    if (opts.only === 'soak') {
      const measured = await soakOnly(target, scale, file, opts, log);
      soakByStore.push(measured);
      fairnessChecks.push({ store: measured.store, checks: measured.result.checks });
      continue;
    }
    if (opts.only === 'workbench') {
      const measured = await workbenchOnly(target, scale, file, opts, log);
      workbenchByStore.push(measured);
      fairnessChecks.push({ store: measured.store, checks: [workbenchCheck(measured.result)] });
      continue;
    }
    if (opts.only === 'fairness') {
      const measured = await fairnessOnly(target, scale, file, opts, log);
      fairnessByStore.push(measured.fairness);
      fairnessChecks.push({ store: measured.fairness.store, checks: measured.checks });
      continue;
    }
    const measured = await benchTarget(target, scale, file, generated.result.events, opts, log);
    stores.push(measured.results);
    fairnessByStore.push(measured.fairness);
    soakByStore.push(measured.soak);
    workbenchByStore.push(measured.workbench);
  }
  // After both stores' phases, on the server alone: the same events in our store and in Emmett's (a whole run only; --only peer has its own).
  const peer = opts.only ? null : await peerRun(targets, scale, file, { commit, started, command }, opts, log);
  const fairness: FairnessResults = {
    generatedAt: started.toISOString(),
    commit,
    scale: scale.name,
    timed: scale.timed,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    stores: fairnessByStore.map((s) => ({ ...s, run })),
  };
  const soak: SoakResults = { ...fairness, stores: soakByStore.map((s) => ({ ...s, run })) };
  const workbench: WorkbenchResults = { ...fairness, stores: workbenchByStore.map((s) => ({ ...s, run })) };
  if (opts.only === 'workbench') {
    await finishOnly('workbench', workbench, fairnessChecks, opts, log);
    if (!opts.keep) await rm(file, { force: true });
    return;
  }
  if (opts.only === 'writes') {
    await finishWrites(writesByStore, run, `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), opts, log);
    if (!opts.keep) await rm(file, { force: true });
    return;
  }
  if (opts.only === 'serving') {
    await finishServing(servingByStore, run, `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), opts, log);
    if (!opts.keep) await rm(file, { force: true });
    return;
  }
  if (opts.only === 'soak') {
    await finishOnly('soak', soak, fairnessChecks, opts, log);
    if (!opts.keep) await rm(file, { force: true });
    return;
  }
  if (opts.only === 'fairness') {
    await finishOnly('fairness', fairness, fairnessChecks, opts, log);
    if (!opts.keep) await rm(file, { force: true });
    return;
  }

  const results: BenchResults = {
    title: 'MAPPA service benchmarks',
    generatedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    commit,
    scale: scale.name,
    timed: scale.timed,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      postgres: postgresVersion,
      pglite: packageVersion('@electric-sql/pglite'),
    },
    dataset: { ...generated.result, file: path.relative(ROOT, file), peakRssMiB: generated.peakRssMiB },
    stores,
    fairness,
    soak,
    workbench,
    ...(peer && { peer }),
  };
  if (opts.write) {
    await writeResults(results, jsonFile, mdFile, path.join(ROOT, 'bench', 'notes.md'));
    log(`wrote ${path.relative(ROOT, jsonFile)} and ${path.relative(ROOT, mdFile)}`);
  }
  if (!opts.keep) await rm(file, { force: true });

  const failures = [...stores, ...(peer ? [{ store: 'peer', checks: peer.checks }] : [])].flatMap((s) =>
    s.checks.filter((c) => !c.ok).map((c) => `${s.store}: ${c.id}: ${c.detail}`),
  );
  if (failures.length > 0) {
    console.error(`bench checks failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

async function benchTarget(
  target: BenchTarget,
  scale: BenchScale,
  file: string,
  generatedEvents: number,
  opts: Options,
  log: (line: string) => void,
): Promise<{
  results: StoreResults;
  fairness: FairnessResults['stores'][number];
  soak: SoakResults['stores'][number];
  workbench: WorkbenchResults['stores'][number];
}> {
  const name = targetName(target);
  await dropTarget(target);
  // Each phase after a CHECKPOINT (settle), in a process of its own.
  const phase = async <P extends PhaseName>(phaseName: P, args: unknown) => {
    await settle(target);
    return runPhase(phaseName, args, opts.work);
  };
  try {
    const { bulk, imported, scan, rebuilt } = await measureWrites(target, file, opts, log);
    const reportArgs = {
      target,
      area: scale.area,
      year: scale.year,
      traceCell: scale.traceCell,
      from: `${scale.history.fromYear}-04-01`,
      to: `${scale.history.toYear}-03-31`,
      budgetSeconds: scale.budgetSeconds,
    };
    // The read models are current now: how soon a restarted service answers (issue 11, item 1).
    const started = await phase('startUp', { target, area: scale.area, year: scale.year });
    logStartUp(name, started.result, log);
    const served = await phase('reports', { ...reportArgs, repeats: scale.repeats });
    log(
      `${name}: report ${served.result.areaYear.medianMs} ms, england-and-wales ${served.result.national.medianMs} ms, snapshot ${served.result.snapshot.medianMs} ms, trace ${served.result.trace.medianMs} ms (medians)`,
    );
    const trended = await phase('trendsAndPages', trendsArgs(target, scale));
    logTrends(name, trended.result, log);
    const switched = await phase('workbench', workbenchArgs(target, scale));
    logWorkbench(name, switched.result, log);
    const folded = await phase('baseline', { ...reportArgs, repeats: scale.baselineRepeats });
    log(
      `${name}: fold-per-query baseline: report ${folded.result.areaYear.medianMs} ms, england-and-wales ${folded.result.national.medianMs} ms, snapshot ${folded.result.snapshot.medianMs} ms`,
    );
    const fair = await phase('fairness', fairnessArgs(target, scale));
    logFairness(name, fair.result, log);
    // Last: its posts add offenders to the store the figures above were measured on.
    const soaked = await phase('soak', soakArgs(target, scale, { stepSeconds: opts.soakStepSeconds, overloadSeconds: opts.soakOverloadSeconds }));
    logSoak(name, soaked.result, log);

    const areaDiff = compareCells(served.result.cells.areaYear, folded.result.cells.areaYear);
    const nationalDiff = compareCells(served.result.cells.national, folded.result.cells.national);
    const events = imported.result.appended;
    const writeChecks = writesChecks(imported.result, rebuilt.result, scan.result, generatedEvents);
    const results: StoreResults = {
      store: name,
      kind: target.kind,
      import: { result: imported.result, peakRssMiB: imported.peakRssMiB, limit: bulk.result, limitPeakRssMiB: bulk.peakRssMiB },
      rebuild: { result: rebuilt.result, peakRssMiB: rebuilt.peakRssMiB, limit: scan.result, limitPeakRssMiB: scan.peakRssMiB },
      startUp: started.result,
      trendsAndPages: { result: trended.result, peakRssMiB: trended.peakRssMiB },
      reports: { result: omitCells(served.result), peakRssMiB: served.peakRssMiB, baseline: omitCells(folded.result), baselinePeakRssMiB: folded.peakRssMiB },
      checks: [
        writeChecks[0],
        startsAtTheHead(started.result, events),
        writeChecks[1],
        areaReportEqualsFold(scale, areaDiff),
        {
          id: 'national-report-equals-fold',
          ok: nationalDiff.length === 0,
          detail: nationalDiff.length === 0 ? `england-and-wales ${scale.year}: every cell equal` : nationalDiff.slice(0, 5).join('; '),
        },
        fairnessCheck(fair.result, target.kind),
        workbenchCheck(switched.result),
        ...soaked.result.checks.map((c) => ({ ...c, id: `soak-${c.id}` })),
        ...trended.result.trends.map((t) => ({
          id: `trend-equals-per-year-reports`,
          ok: t.equal,
          detail: `${t.area} ${t.table} over ${t.years} years: ${t.equal ? 'every cell equal' : t.differs.join('; ')}`,
        })),
      ],
    };
    return {
      results,
      fairness: { store: name, kind: target.kind, result: fair.result, peakRssMiB: fair.peakRssMiB },
      soak: { store: name, kind: target.kind, result: soaked.result, peakRssMiB: soaked.peakRssMiB },
      workbench: { store: name, kind: target.kind, result: switched.result, peakRssMiB: switched.peakRssMiB },
    };
  } finally {
    if (!opts.keep) await dropTarget(target);
  }
}

/** Bulk COPY, import, read-and-parse and rebuild, in that order, each after a CHECKPOINT in a process of its own. */
async function measureWrites(target: BenchTarget, file: string, opts: Options, log: (line: string) => void) {
  const name = targetName(target);
  const phase = async <P extends PhaseName>(phaseName: P, args: unknown) => {
    await settle(target);
    return runPhase(phaseName, args, opts.work);
  };
  const bulk = await phase('bulkLimit', { target, file, rowsPerCopy: 10_000 });
  log(`${name}: bulk COPY limit ${bulk.result.eventsPerSecond.toLocaleString('en-GB')} events/s (peak ${bulk.peakRssMiB} MiB)`);
  const imported = await phase('import', { target, file, batchSize: opts.batchSize });
  log(
    `${name}: import through the command path ${imported.result.eventsPerSecond.toLocaleString('en-GB')} events/s, ${share(imported.result, bulk.result)} of COPY (${imported.result.refused} refused; peak ${imported.peakRssMiB} MiB)`,
  );
  const scan = await phase('scanLimit', { target, batchSize: 10_000 });
  log(`${name}: read-and-parse limit ${scan.result.eventsPerSecond.toLocaleString('en-GB')} events/s (peak ${scan.peakRssMiB} MiB)`);
  const rebuilt = await phase('rebuild', { target });
  log(
    `${name}: rebuild ${rebuilt.result.eventsPerSecond.toLocaleString('en-GB')} events/s, ${share(rebuilt.result, scan.result)} of read-and-parse (peak ${rebuilt.peakRssMiB} MiB)`,
  );
  return { bulk, imported, scan, rebuilt };
}

const share = (ours: { eventsPerSecond: number }, limit: { eventsPerSecond: number }): string => `${((100 * ours.eventsPerSecond) / limit.eventsPerSecond).toFixed(0)}%`;

/** Every generated event accepted, and the rebuild and the scan each read every one. */
function writesChecks(imported: PhaseResult<'import'>, rebuilt: PhaseResult<'rebuild'>, scan: PhaseResult<'scanLimit'>, generatedEvents: number): [Check, Check] {
  const events = imported.appended;
  return [
    {
      id: 'import-accepts-every-generated-event',
      ok: imported.refused === 0 && events === generatedEvents,
      detail: `${imported.appended} appended of ${generatedEvents} generated, ${imported.refused} refused`,
    },
    {
      id: 'rebuild-reads-every-event',
      ok: rebuilt.events === events && scan.events === events,
      detail: `rebuild ${rebuilt.events}, scan ${scan.events}, imported ${events}`,
    },
  ];
}

const areaReportEqualsFold = (scale: BenchScale, diff: string[]): Check => ({
  id: 'area-report-equals-fold',
  ok: diff.length === 0,
  detail: diff.length === 0 ? `${scale.area} ${scale.year}: every cell equal` : diff.slice(0, 5).join('; '),
});

interface WritesResults {
  store: string;
  import: StoreResults['import'];
  rebuild: StoreResults['rebuild'];
  checks: Check[];
}

/** Only the write side (issue 13): bulk COPY, import, read-and-parse, rebuild, then the area-year report against the fold. */
async function writesOnly(target: BenchTarget, scale: BenchScale, file: string, generatedEvents: number, opts: Options, log: (line: string) => void): Promise<WritesResults> {
  const name = targetName(target);
  await dropTarget(target);
  try {
    const { bulk, imported, scan, rebuilt } = await measureWrites(target, file, opts, log);
    await settle(target);
    const checked = await runPhase('areaReportCheck', { target, area: scale.area, year: scale.year }, opts.work);
    const diff = compareCells(checked.result.readModels, checked.result.fold);
    log(`${name}: ${scale.area} ${scale.year} from the rebuilt read models ${diff.length === 0 ? 'equals' : 'DIFFERS from'} the fold of ${checked.result.eventsFolded} events`);
    return {
      store: name,
      import: { result: imported.result, peakRssMiB: imported.peakRssMiB, limit: bulk.result, limitPeakRssMiB: bulk.peakRssMiB },
      rebuild: { result: rebuilt.result, peakRssMiB: rebuilt.peakRssMiB, limit: scan.result, limitPeakRssMiB: scan.peakRssMiB },
      checks: [...writesChecks(imported.result, rebuilt.result, scan.result, generatedEvents), areaReportEqualsFold(scale, diff)],
    };
  } finally {
    if (!opts.keep) await dropTarget(target);
  }
}

/** Puts the import and rebuild figures (with their peaks and checks) into each store of the results file, naming the run. */
function finishWrites(measured: WritesResults[], run: PartRun, command: string, opts: Options, log: (line: string) => void): Promise<void> {
  return finishPerStore('writes', measured, run, command, opts, log, (m) => ({ import: m.import, rebuild: m.rebuild, writesRun: { ...run, command } }));
}

/** Trends over every report year of the history (issue 14.4) and a national trace in pages (issue 14.1). */
function trendsArgs(target: BenchTarget, scale: BenchScale) {
  const smoke = !scale.timed;
  return {
    target,
    area: scale.area,
    // Every report year the history covers whole: 2005/06 to 2024/25 (20 years) at the national scale.
    fromYear: scale.history.fromYear!,
    toYear: scale.history.toYear! - 1,
    tables: ['offendersOnSnapshot', 'level23InYear', 'sfoOutcomes'],
    traceCell: 'offendersOnSnapshot.level1.category1',
    traceYear: scale.year,
    pageSize: 500,
    repeats: smoke ? { area: 3, national: 2, perYearReports: 1, pages: 3 } : { area: 30, national: 10, perYearReports: 3, pages: 10 },
    budgetSeconds: scale.budgetSeconds,
  };
}

function logTrends(name: string, r: PhaseResult<'trendsAndPages'>, log: (line: string) => void): void {
  for (const t of r.trends)
    log(
      `${name}: trend ${t.area} ${t.table} over ${t.years} years ${t.trend.medianMs} ms (median; the same years one report at a time ${t.perYearReports.medianMs} ms)${t.equal ? '' : ' DIFFERS'}`,
    );
  const p = r.pagedTrace;
  log(
    `${name}: england-and-wales ${p.cell} (${p.items} items): first page of ${p.pageSize} with summary ${p.firstPage.medianMs} ms, a later page ${p.laterPage.medianMs} ms, whole export ${p.wholeExport.ms} ms`,
  );
}

/** A store built as a one-part run needs it (import, then rebuild), `measure` on it, then the store dropped unless kept. */
async function onBuiltStore<T>(target: BenchTarget, file: string, opts: Options, log: (line: string) => void, measure: (name: string, events: number) => Promise<T>): Promise<T> {
  const name = targetName(target);
  await dropTarget(target);
  try {
    await settle(target);
    const imported = await runPhase('import', { target, file, batchSize: opts.batchSize }, opts.work);
    log(`${name}: imported ${imported.result.appended.toLocaleString('en-GB')} events (${imported.result.refused} refused)`);
    await settle(target);
    await runPhase('rebuild', { target }, opts.work);
    await settle(target);
    return await measure(name, imported.result.appended);
  } finally {
    if (!opts.keep) await dropTarget(target);
  }
}

/** Only what fairness needs: the store, then the fairness phase. */
function fairnessOnly(target: BenchTarget, scale: BenchScale, file: string, opts: Options, log: (line: string) => void) {
  return onBuiltStore(target, file, opts, log, async (name) => {
    const fair = await runPhase('fairness', fairnessArgs(target, scale), opts.work);
    logFairness(name, fair.result, log);
    return { fairness: { store: name, kind: target.kind, result: fair.result, peakRssMiB: fair.peakRssMiB }, checks: [fairnessCheck(fair.result, target.kind)] };
  });
}

interface ServingResults {
  store: string;
  startUp: PhaseResult<'startUp'>;
  trendsAndPages: NonNullable<StoreResults['trendsAndPages']>;
  checks: Check[];
}

/** Only what serving figures need (issues 11 and 14): the store, then start-up, trends and paged traces. */
function servingOnly(target: BenchTarget, scale: BenchScale, file: string, opts: Options, log: (line: string) => void): Promise<ServingResults> {
  return onBuiltStore(target, file, opts, log, async (name, events) => {
    const started = await runPhase('startUp', { target, area: scale.area, year: scale.year }, opts.work);
    logStartUp(name, started.result, log);
    await settle(target);
    const trended = await runPhase('trendsAndPages', trendsArgs(target, scale), opts.work);
    logTrends(name, trended.result, log);
    return {
      store: name,
      startUp: started.result,
      trendsAndPages: { result: trended.result, peakRssMiB: trended.peakRssMiB },
      checks: [startsAtTheHead(started.result, events)],
    };
  });
}

/** Puts the serving figures into each store of the results file, each saying the run it came from. */
function finishServing(measured: ServingResults[], run: PartRun, command: string, opts: Options, log: (line: string) => void): Promise<void> {
  return finishPerStore('serving', measured, run, command, opts, log, (m) => ({ startUp: m.startUp, trendsAndPages: m.trendsAndPages, servingRun: { ...run, command } }));
}

type PartRun = { commit: string | null; scale: string; at: string };

/** Merges one part's figures and checks into each of its stores in --merge-into's results (else prints them), then fails on a failed check. */
async function finishPerStore<M extends { store: string; checks: Check[] }>(
  part: 'writes' | 'serving',
  measured: M[],
  run: PartRun,
  command: string,
  opts: Options,
  log: (line: string) => void,
  figures: (m: M) => Partial<BenchResults['stores'][number]>,
): Promise<void> {
  if (opts.write && opts.mergeInto) {
    // Kept whatever happens next: a national run is too long to lose to a merge that fails.
    await writeFile(path.join(opts.work, `${part}-${process.pid}.json`), JSON.stringify({ run, command, measured }, null, 2));
    const jsonFile = path.resolve(opts.mergeInto);
    const results = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchResults;
    for (const m of measured) {
      const store = results.stores.find((s) => s.store === m.store);
      if (!store) throw new Error(`${opts.mergeInto} has no store '${m.store}' to put the ${part} figures into: run the whole bench first.`);
      Object.assign(store, figures(m));
      store.checks = [...store.checks.filter((c) => !m.checks.some((n) => n.id === c.id)), ...m.checks];
    }
    await writeMerged(results, jsonFile, part, opts, log);
  } else if (opts.write) {
    console.log(JSON.stringify(measured, null, 2));
  }
  failOnChecks(measured);
}

function logStartUp(name: string, r: PhaseResult<'startUp'>, log: (line: string) => void): void {
  log(`${name}: mappa serve answers /health ${r.healthMs} ms after it is started, is ready at ${r.readyMs} ms, its first report at ${r.firstReportMs} ms`);
}

const startsAtTheHead = (r: PhaseResult<'startUp'>, events: number): Check => ({
  id: 'serve-starts-at-the-head',
  ok: r.lastPosition === String(events),
  detail: `/health lastPosition ${r.lastPosition}, imported ${events}`,
});

/** Only what the workbench's switches need: the store, then the workbench phase. */
function workbenchOnly(target: BenchTarget, scale: BenchScale, file: string, opts: Options, log: (line: string) => void): Promise<WorkbenchResults['stores'][number]> {
  return onBuiltStore(target, file, opts, log, async (name) => {
    const switched = await runPhase('workbench', workbenchArgs(target, scale), opts.work);
    logWorkbench(name, switched.result, log);
    return { store: name, kind: target.kind, result: switched.result, peakRssMiB: switched.peakRssMiB };
  });
}

/** The page's switches: through every area of the history, every whole report year, dates over the history. */
function workbenchArgs(target: BenchTarget, scale: BenchScale): WorkbenchArgs {
  return {
    target,
    area: scale.area,
    year: scale.year,
    areas: [...scale.history.areas!],
    fromYear: scale.history.fromYear!,
    toYear: scale.history.toYear! - 1,
    from: `${scale.history.fromYear}-04-01`,
    to: `${scale.history.toYear}-03-31`,
    samples: scale.repeats.areaYear,
    nationalSamples: scale.repeats.national,
    budgetSeconds: scale.budgetSeconds,
  };
}

function logWorkbench(name: string, r: PhaseResult<'workbench'>, log: (line: string) => void): void {
  log(
    `${name}: workbench switches (median, p95): ${r.switches.map((x) => `${x.kind} ${x.latency.medianMs} / ${x.latency.p95Ms} ms${x.failed ? ` (${x.failed} failed)` : ''}`).join(', ')}`,
  );
}

/** Only what the soak needs: the store, then the soak phase. */
function soakOnly(target: BenchTarget, scale: BenchScale, file: string, opts: Options, log: (line: string) => void): Promise<SoakResults['stores'][number]> {
  return onBuiltStore(target, file, opts, log, async (name) => {
    const soaked = await runPhase('soak', soakArgs(target, scale, { stepSeconds: opts.soakStepSeconds, overloadSeconds: opts.soakOverloadSeconds }), opts.work);
    logSoak(name, soaked.result, log);
    return { store: name, kind: target.kind, result: soaked.result, peakRssMiB: soaked.peakRssMiB };
  });
}

function logSoak(name: string, r: PhaseResult<'soak'>, log: (line: string) => void): void {
  const o = r.overload;
  log(
    `${name}: capacity ${r.capacityPerSecond ?? 'none'}/s held (p95 < 250 ms, no error)` +
      (o ? `; at ${o.rate}/s: ${o.accepted} accepted (p95 ${o.acceptedLatency.p95Ms} ms), ${o.refused} refused (p95 ${o.refusedLatency.p95Ms} ms), ${o.timeouts} timed out` : ''),
  );
}

/**
 * Our store beside Emmett's (issue 13.5) on the PostgreSQL target: each side in a process and a
 * schema of its own, one after the other, after a CHECKPOINT. Undefined without PostgreSQL.
 */
async function peerRun(
  targets: readonly BenchTarget[],
  scale: BenchScale,
  file: string,
  run: { commit: { id: string | null; dirty: boolean }; started: Date; command: string },
  opts: Options,
  log: (line: string) => void,
): Promise<PeerResults | undefined> {
  const target = targets.find((t) => t.kind === 'postgres');
  if (!target) {
    log("peer: no PostgreSQL target: Emmett's store runs on PostgreSQL only, comparison skipped");
    return undefined;
  }
  const args = peerArgs(scale, target.url, file);
  const side = async (name: PeerSide) => {
    const schema = `mappa_peer_${name}_${scale.name}_${process.pid}`;
    await settle(target);
    try {
      return (await runPhase('peer', { ...args, side: name, schema }, opts.work)).result;
    } finally {
      if (!opts.keep) await dropTarget({ kind: 'postgres', url: target.url, schema });
    }
  };
  const ours = await side('ours');
  const peer = await side('emmett');
  const measured: PeerResults = {
    generatedAt: run.started.toISOString(),
    commit: run.commit,
    scale: scale.name,
    timed: scale.timed,
    command: run.command,
    emmett: packageVersion('@event-driven-io/emmett-postgresql'),
    ours,
    peer,
    checks: peerChecks(ours, peer),
  };
  for (const f of peerFigures(measured)) log(`peer: ${f.label}: ours ${f.ours}; Emmett's ${f.peer}; ours ${f.speed.toFixed(2)}× as fast`);
  return measured;
}

/** Writes the peer figures into the results file named by --merge-into (else prints them), then checks. */
async function finishPeer(measured: PeerResults | undefined, opts: Options, log: (line: string) => void): Promise<void> {
  if (!measured) {
    console.error('bench --only peer: no PostgreSQL answered, nothing measured');
    process.exitCode = 1;
    return;
  }
  if (opts.write && opts.mergeInto) {
    const jsonFile = path.resolve(opts.mergeInto);
    const results = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchResults;
    results.peer = measured;
    await writeMerged(results, jsonFile, 'peer', opts, log);
  } else if (opts.write) {
    console.log(JSON.stringify(measured, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
  }
  failOnChecks([{ store: 'peer', checks: measured.checks }]);
}

/** Writes one part's figures into the results file named by --merge-into (else prints them), then checks. */
async function finishOnly<K extends 'fairness' | 'soak' | 'workbench'>(
  part: K,
  measured: NonNullable<BenchResults[K]>,
  checks: Array<{ store: string; checks: Check[] }>,
  opts: Options,
  log: (line: string) => void,
): Promise<void> {
  if (opts.write && opts.mergeInto) {
    const jsonFile = path.resolve(opts.mergeInto);
    const results = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchResults;
    // A run of one store keeps the other store's figures (each row says its own commit and scale).
    const stores = measured.stores as Array<{ store: string }>;
    const kept = ((results[part]?.stores ?? []) as Array<{ store: string }>).filter((s) => !stores.some((m) => m.store === s.store));
    results[part] = { ...measured, stores: [...stores, ...kept].sort((x, y) => x.store.localeCompare(y.store)).reverse() } as BenchResults[K];
    await writeMerged(results, jsonFile, part, opts, log);
  } else if (opts.write) {
    console.log(JSON.stringify(measured, null, 2));
  }
  failOnChecks(checks);
}

/** A results file with one part's figures merged in, and its report, written again. */
async function writeMerged(results: BenchResults, jsonFile: string, part: string, opts: Options, log: (line: string) => void): Promise<void> {
  const md = path.resolve(opts.md ?? (results.scale === 'national' ? path.join(ROOT, 'docs', 'benchmarks.md') : path.join(ROOT, 'bench', 'out', `benchmarks.${results.scale}.md`)));
  await writeResults(results, jsonFile, md, path.join(ROOT, 'bench', 'notes.md'));
  log(`wrote the ${part} figures into ${path.relative(ROOT, jsonFile)} and ${path.relative(ROOT, md)}`);
}

/** A failed check fails the run (exit 1), each named. */
function failOnChecks(checks: ReadonlyArray<{ store: string; checks: readonly Check[] }>): void {
  const failures = checks.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.store}: ${c.id}: ${c.detail}`));
  if (failures.length > 0) {
    console.error(`bench checks failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

function fairnessArgs(target: BenchTarget, scale: BenchScale): FairnessArgs {
  return { target, area: scale.area, year: scale.year, samples: scale.repeats.areaYear, budgetSeconds: scale.budgetSeconds, attackers: 16 };
}

function logFairness(name: string, r: PhaseResult<'fairness'>, log: (line: string) => void): void {
  const line = (run: PhaseResult<'fairness'>['withLimit']) =>
    `B alone ${run.alone.medianMs} ms, under attack ${run.underAttack.b.medianMs} ms (${run.ratio}×; A served ${run.underAttack.a.served}, refused ${run.underAttack.a.refused})`;
  log(`${name}: fairness with the read limit: ${line(r.withLimit)}`);
  log(`${name}: fairness without it: ${line(r.withoutLimit)}`);
}

/**
 * Functional, not timed: with the limit, B is always served and so is A. On PostgreSQL A's flood
 * is also refused in part; PGlite answers one request at a time (its queries hold Node's only
 * thread), so there A never has two reads in flight and is never refused.
 */
function fairnessCheck(r: PhaseResult<'fairness'>, kind: BenchTarget['kind']): Check {
  const { a, b } = r.withLimit.underAttack;
  return {
    id: 'read-limit-refuses-the-flood-not-the-bystander',
    ok: (kind === 'embedded' || a.refused > 0) && a.served > 0 && b.failed === 0 && b.samples > 0,
    detail: `A: ${a.served} served, ${a.refused} refused (429), ${a.other} other; B: ${b.samples} served, ${b.failed} failed`,
  };
}

/**
 * Before each phase on PostgreSQL: a CHECKPOINT, so that the dirty pages the previous phase left
 * are written now and not during the next one's timing (up to 30% of an import, measured).
 */
async function settle(target: BenchTarget): Promise<void> {
  if (target.kind !== 'postgres') return;
  const client = new Client({ connectionString: target.url });
  try {
    await client.connect();
    await client.query('CHECKPOINT');
  } catch {
    // Not allowed for this role: the figures are then taken without it.
  } finally {
    await client.end().catch(() => undefined);
  }
}

const omitCells = <T extends { cells: unknown }>(r: T): Omit<T, 'cells'> => {
  const { cells: _cells, ...rest } = r;
  return rest;
};

/** Runs one phase in a process of its own and answers its result and peak memory. */
async function runPhase<P extends PhaseName>(phase: P, args: unknown, work: string): Promise<{ result: PhaseResult<P>; peakRssMiB: number }> {
  const argsFile = path.join(work, `phase-${process.pid}-${phase}-args.json`);
  const outFile = path.join(work, `phase-${process.pid}-${phase}-out.json`);
  await writeFile(argsFile, JSON.stringify(args));
  await rm(outFile, { force: true });
  const ts = __filename.endsWith('.ts');
  const entry = path.join(__dirname, ts ? 'bench-phase.ts' : 'bench-phase.js');
  // Node's default heap limit, as `mappa` runs: a larger one lets V8 postpone collection and the
  // peak memory figures would measure that, not what the phase keeps.
  // ...and the young generation bin/mappa.js gives `mappa`.
  const nodeArgs = ['--max-semi-space-size=64', ...(ts ? ['-r', path.join(ROOT, 'test', 'support', 'swc-register.js')] : []), entry, phase, argsFile, outFile];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`bench phase ${phase} failed (exit ${code})`);
  const out = JSON.parse(await readFile(outFile, 'utf8')) as { result: PhaseResult<P>; peakRssMiB: number };
  await rm(argsFile, { force: true });
  await rm(outFile, { force: true });
  return out;
}

function commitOf(): { id: string | null; dirty: boolean } {
  try {
    const id = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // Changed or new files of the code that runs (not docs, not the results themselves).
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src', 'projections', 'bench/*.ts', 'package.json', 'package-lock.json'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return { id, dirty: status.trim().length > 0 };
  } catch {
    return { id: null, dirty: false };
  }
}

function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(2);
});
