import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import * as readline from 'node:readline';
import { Writable } from 'node:stream';
import { ProjectionRunner } from '../projections/projection-runner';
import { createCliContext } from '../src/cli/app-context';
import { writeHistory } from '../src/cli/generate.command';
import { importNdjson } from '../src/cli/import.command';
import { seededRandom } from '../src/synthetic/seeded-random';
import { dateOfDay, dayOf } from '../src/synthetic/synthetic-calendar';
import { NationalHistory, type NationalHistoryOptions } from '../src/synthetic/national/national-history';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import { ReportService } from '../src/reports/report.service';
import type { ReportCells } from '../src/reports/tables';
import { openTarget, targetConfig, type BenchTarget } from './bench-target';
import { areaReportByFolding, nationalReportByFolding, snapshotByFoldingFromStore } from './fold-baseline';
import { fairness } from './fairness';
import { peer } from './peer';
import { soak } from './soak';
import { latencies, timed, watchEventLoop, type Latencies } from './measure';
import { startUp } from './start-up';
import { trendsAndPages } from './trends-and-pages';
import { workbench } from './workbench';

// The phases of the benchmark. Each runs in a process of its own (bench-phase.ts), so its peak
// memory is its own; the store is opened afresh by each.

const eventsPerSecond = (events: number, ms: number) => Math.round(events / (ms / 1000));

/** Writes the synthetic history as NDJSON. */
async function generate(args: { history: NationalHistoryOptions; file: string }) {
  const history = new NationalHistory(args.history);
  const out = createWriteStream(args.file, { encoding: 'utf8' });
  const { ms, value: lines } = await timed(() => writeHistory(history, out));
  out.end();
  await once(out, 'finish');
  const s = history.stats;
  return {
    areas: history.areas.length,
    activeOffendersTarget: history.activeOffenders,
    from: history.firstDate,
    to: history.lastDate,
    seed: history.seed,
    events: lines,
    offenders: s.offenders,
    late: s.late,
    backDated: s.backDated,
    retractions: s.byType.EventRetracted ?? 0,
    refusedAndLeftOut: s.refused,
    byType: s.byType,
    snapshots: s.snapshots,
    bytes: (await stat(args.file)).size,
    seconds: ms / 1000,
    eventsPerSecond: eventsPerSecond(lines, ms),
  };
}

/**
 * THE LIMIT of import: the same events, read from the same file and parsed, bulk-loaded with
 * COPY into a bare table (same columns, no key, no index) of the same database. Nothing checked.
 */
async function bulkLimit(args: { target: BenchTarget; file: string; rowsPerCopy: number }) {
  const opened = await openTarget(args.target);
  const sql = opened.sql!;
  try {
    await sql.exec(`DROP TABLE IF EXISTS bench_bulk_events;
      CREATE TABLE bench_bulk_events (position bigint, offender_id text, revision integer, event_id uuid, type text,
        occurred_on date, recorded_at timestamptz, data jsonb, metadata jsonb)`);
    const columns = ['position', 'offender_id', 'revision', 'event_id', 'type', 'occurred_on', 'recorded_at', 'data', 'metadata'];
    const metadata = { actor: 'bench', agency: 'moj', correlationId: 'bench', causationId: null, source: 'import' };
    const { ms, value: events } = await timed(async () => {
      const revisions = new Map<string, number>();
      let rows: unknown[][] = [];
      let position = 0;
      let recordedAt = new Date().toISOString();
      for await (const line of readline.createInterface({ input: createReadStream(args.file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
        if (line === '') continue;
        const e = JSON.parse(line) as { eventId: string; type: string; offenderId: string; occurredOn: string; data: unknown };
        const revision = (revisions.get(e.offenderId) ?? -1) + 1;
        revisions.set(e.offenderId, revision);
        rows.push([++position, e.offenderId, revision, e.eventId, e.type, e.occurredOn, recordedAt, e.data, metadata]);
        if (rows.length >= args.rowsPerCopy) {
          await sql.copyRows('bench_bulk_events', columns, rows);
          rows = [];
          recordedAt = new Date().toISOString();
        }
      }
      await sql.copyRows('bench_bulk_events', columns, rows);
      return position;
    });
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_bulk_events');
    if (rows[0].n !== events) throw new Error(`bulk limit: ${rows[0].n} rows loaded of ${events}`);
    await sql.exec('DROP TABLE bench_bulk_events');
    return {
      method: `COPY in ${args.rowsPerCopy.toLocaleString('en-GB')}-row batches into a bare table (no key, no index)`,
      events,
      seconds: ms / 1000,
      eventsPerSecond: eventsPerSecond(events, ms),
    };
  } finally {
    await opened.close();
  }
}

/** Import through the full command path: `mappa import` of the file (parse, DTOs, decide, append). */
async function importPhase(args: { target: BenchTarget; file: string; batchSize?: number }) {
  const app = await createCliContext({ config: targetConfig(args.target) });
  try {
    // "acknowledged through line N" after each batch: how the rate moves as the store grows.
    const acks: Array<{ line: number; at: number }> = [];
    const start = performance.now();
    const sink = new Writable({
      write: (chunk, _e, done) => {
        for (const m of String(chunk).matchAll(/acknowledged through line (\d+)/g)) acks.push({ line: Number(m[1]), at: performance.now() - start });
        done();
      },
    });
    const { ms, value: summary } = await timed(() => importNdjson(app, args.file, { showRefused: false, progress: true, out: sink, batchSize: args.batchSize }));
    const events = summary.appended + summary.duplicates + summary.refused;
    const rateBetween = (from: number, to: number) => {
      const a = acks.find((x) => x.line >= from * events) ?? { line: 0, at: 0 };
      const b = [...acks].reverse().find((x) => x.line <= to * events) ?? acks[acks.length - 1];
      return b && b.at > a.at ? Math.round((b.line - a.line) / ((b.at - a.at) / 1000)) : null;
    };
    return {
      appended: summary.appended,
      duplicates: summary.duplicates,
      refused: summary.refused,
      firstRefusals: summary.refusedLines.slice(0, 5).map((r) => (r.status === 'refused' ? `line ${r.line}: ${r.error.message}` : '')),
      seconds: ms / 1000,
      eventsPerSecond: eventsPerSecond(events, ms),
      /** Rate over the first and the last tenth of the file (the store grows as it goes). */
      firstTenthEventsPerSecond: rateBetween(0, 0.1),
      lastTenthEventsPerSecond: rateBetween(0.9, 1),
      batchSize: args.batchSize ?? null,
    };
  } finally {
    await app.close();
  }
}

/** THE LIMIT of a rebuild: every event read from the store and parsed, nothing else. */
async function scanLimit(args: { target: BenchTarget; batchSize: number }) {
  const opened = await openTarget(args.target);
  try {
    const { ms, value: events } = await timed(async () => {
      let after: bigint | null = null;
      let n = 0;
      for (;;) {
        const batch = await opened.store.readAll(after, args.batchSize);
        if (batch.length === 0) return n;
        n += batch.length;
        after = batch[batch.length - 1].position;
      }
    });
    return {
      method: `EventStore.readAll in pages of ${args.batchSize.toLocaleString('en-GB')} (rows read and parsed into events)`,
      events,
      seconds: ms / 1000,
      eventsPerSecond: eventsPerSecond(events, ms),
    };
  } finally {
    await opened.close();
  }
}

/** A full rebuild of the read models (`mappa rebuild`). */
async function rebuild(args: { target: BenchTarget }) {
  const opened = await openTarget(args.target);
  try {
    const runner = new ProjectionRunner(opened.store, opened.sql!);
    await runner.init();
    let events = 0;
    const eventLoop = watchEventLoop();
    const { ms } = await timed(() => runner.rebuild((p) => (events = p.done)));
    const pauses = eventLoop.stop();
    const { rows } = await opened.sql!.query<{ intervals: number; offenders: number }>(
      'SELECT (SELECT count(*) FROM rm_intervals)::int AS intervals, (SELECT count(*) FROM rm_offenders)::int AS offenders',
    );
    return {
      events,
      seconds: ms / 1000,
      eventsPerSecond: eventsPerSecond(events, ms),
      intervalRows: rows[0].intervals,
      offenders: rows[0].offenders,
      /** What a liveness probe would have met meanwhile (issue 18.4: it must answer within 1 s). */
      eventLoop: pauses,
    };
  } finally {
    await opened.close();
  }
}

export interface ReportArgs {
  target: BenchTarget;
  area: string;
  year: number;
  traceCell: string;
  /** Dates for the snapshot calls: any date of the history. */
  from: string;
  to: string;
  repeats: { areaYear: number; national: number; snapshot: number; trace: number };
  /** Stop repeating a question after this many seconds (at least 3 calls are always made). */
  budgetSeconds: number;
}

/** Report, snapshot and trace latency through ReportService over the read models. */
async function reports(args: ReportArgs) {
  const opened = await openTarget(args.target);
  try {
    const runner = new ProjectionRunner(opened.store, opened.sql!);
    await runner.init();
    await runner.catchUp();
    const service = new ReportService(opened.sql!, runner);
    const run = async (n: number, call: (i: number) => Promise<unknown>): Promise<{ latency: Latencies; last: unknown }> => {
      await call(-1); // warm-up: plans and caches, not counted
      const ms: number[] = [];
      let last: unknown;
      const deadline = Date.now() + args.budgetSeconds * 1000;
      for (let i = 0; i < n && (i < 3 || Date.now() < deadline); i++) {
        const t = await timed(() => call(i));
        ms.push(t.ms);
        last = t.value;
      }
      return { latency: latencies(ms), last };
    };
    const dates = snapshotDates(args.from, args.to, args.repeats.snapshot + 1);
    const areaYear = await run(args.repeats.areaYear, () => service.report(args.area, args.year));
    const national = await run(args.repeats.national, () => service.report(ENGLAND_AND_WALES, args.year));
    const snapshot = await run(args.repeats.snapshot, (i) => service.snapshot(args.area, dates[i + 1]));
    const trace = await run(args.repeats.trace, () => service.trace(args.area, args.year, args.traceCell));
    return {
      areaYear: areaYear.latency,
      national: national.latency,
      snapshot: snapshot.latency,
      trace: { ...trace.latency, items: (trace.last as { items: unknown[] }).items.length },
      position: (areaYear.last as { position: string }).position,
      cells: { areaYear: (areaYear.last as { cells: ReportCells }).cells, national: (national.last as { cells: ReportCells }).cells },
    };
  } finally {
    await opened.close();
  }
}

/**
 * The read models' area-year report beside the fold of the same events, once each: the cheap check
 * a writes-only run makes that the rebuild it measured still counts what the oracle counts.
 */
async function areaReportCheck(args: { target: BenchTarget; area: string; year: number }) {
  const opened = await openTarget(args.target);
  try {
    const runner = new ProjectionRunner(opened.store, opened.sql!);
    await runner.init();
    await runner.catchUp();
    const report = await new ReportService(opened.sql!, runner).report(args.area, args.year);
    const folded = await areaReportByFolding(opened.store, args.area, args.year);
    return { area: args.area, year: args.year, readModels: report.cells, fold: folded.cells, eventsFolded: folded.events };
  } finally {
    await opened.close();
  }
}

/** The same questions answered by folding the relevant events in memory per query. */
async function baseline(args: ReportArgs) {
  const opened = await openTarget(args.target);
  const { store } = opened;
  try {
    const dates = snapshotDates(args.from, args.to, args.repeats.snapshot + 1);
    const areaMs: number[] = [];
    let areaResult: { cells: ReportCells; events: number } | undefined;
    for (let i = 0; i < args.repeats.areaYear; i++) {
      const t = await timed(() => areaReportByFolding(store, args.area, args.year));
      areaMs.push(t.ms);
      areaResult = t.value;
    }
    const snapshotMs: number[] = [];
    for (let i = 0; i < args.repeats.snapshot; i++) {
      snapshotMs.push((await timed(() => snapshotByFoldingFromStore(store, args.area, dates[i + 1]))).ms);
    }
    const nationalMs: number[] = [];
    let nationalResult: { cells: ReportCells; events: number } | undefined;
    for (let i = 0; i < args.repeats.national; i++) {
      const t = await timed(() => nationalReportByFolding(store, args.year));
      nationalMs.push(t.ms);
      nationalResult = t.value;
    }
    return {
      areaYear: { ...latencies(areaMs), eventsFolded: areaResult?.events ?? 0 },
      national: { ...latencies(nationalMs), eventsFolded: nationalResult?.events ?? 0 },
      snapshot: latencies(snapshotMs),
      // A trace by folding folds the same events as the report it explains: the same cost.
      trace: latencies(areaMs),
      cells: { areaYear: areaResult?.cells ?? {}, national: nationalResult?.cells ?? {} },
    };
  } finally {
    await opened.close();
  }
}

/** `count` dates spread at random (seeded) over [from, to]: "any date". */
export function snapshotDates(from: string, to: string, count: number): string[] {
  const random = seededRandom(31_03);
  const first = dayOf(from);
  const span = dayOf(to) - first;
  return Array.from({ length: count }, () => dateOfDay(first + random.int(0, span)));
}

export const PHASES = {
  generate,
  bulkLimit,
  import: importPhase,
  scanLimit,
  rebuild,
  areaReportCheck,
  startUp,
  reports,
  trendsAndPages,
  workbench,
  baseline,
  fairness,
  soak,
  peer,
} as const;
export type PhaseName = keyof typeof PHASES;
export type PhaseResult<P extends PhaseName> = Awaited<ReturnType<(typeof PHASES)[P]>>;
