import type { ProjectionRunner } from '../../projections/projection-runner';
import { didYouMean } from '../domain/nearest-names';
import { ENGLAND_AND_WALES } from '../domain/reference-areas';
import { DEFAULT_RETRY_AFTER_SECONDS, retryAfterFor } from '../../projections/rebuild-status';
import { echo, InvalidInputError, NotFoundError, ReadModelsNotReadyError, StoreUnavailableError } from '../errors';
import type { SqlClient } from '../sql/sql-client';
import { yieldToIo } from '../sql/yield-to-io';
import { populationAged10Plus, populationSource } from './reference-data';
import { areasOfReport, knownReportArea } from './report-area';
import { reportChecks } from './report-checks';
import { reportPeriod, yearBefore, yearLabel } from './report-period';
import { decodeTraceCursor, encodeTraceCursor, type TraceCursor, type TraceItemKey } from './trace-cursor';
import { queryShape, scopeParams, type ReportScope } from './report-sql';
import {
  addTotals,
  cellId,
  COUNTED_TABLES,
  COUNTING_UNIT_TEXT,
  DERIVED_TABLES,
  offendersOnSnapshot,
  parseCellId,
  PERIOD_TABLES,
  reportCellIds,
  REPORT_TABLES,
  zeroCells,
  type CountedTable,
  type CountingUnit,
  type ReportCells,
  type ReportTable,
  type ReportTableId,
} from './tables';

export interface KnowledgeOptions {
  /** Answer as the service knew it at this instant (DOMAIN.md 4, "as known at T"). */
  asKnownAt?: Date;
  /** Answer as of this event-store position (how a traced figure is recomputed later). */
  atPosition?: bigint;
}

export interface TableLayout {
  id: string;
  section: string;
  /** What one unit of the table's figures is (issue 14.5): persons, cases, orders, reviews or ratePer100k. */
  unit: CountingUnit;
  /** The same in a sentence for the reader. */
  unitText: string;
  title: string;
  rule: string;
  rows: string[];
  columns: string[];
}

export interface Report {
  area: string;
  year: string;
  period: { from: string; to: string };
  snapshotDate: string;
  asKnownAt: string | null;
  /** The event-store position the figures were computed at. */
  position: string;
  /** True when no event was known at that position: every figure is zero for want of events. */
  empty: boolean;
  /** Plain sentences for the person reading (an empty store); a program tests `empty`. */
  warnings: string[];
  cells: ReportCells;
  tables: TableLayout[];
  checks: Array<{ id: string; ok: boolean; detail: string }>;
  population: { value: number | null; source: string };
}

export interface EventRef {
  eventId: string;
  type: string;
  occurredOn: string;
  recordedAt: string;
  revision: number;
  position: string;
}

export interface TraceItem {
  offenderId: string;
  area: string;
  row: string;
  column: string;
  counted: EventRef;
  fixedBy: { area: EventRef; category: EventRef; level: EventRef; custody: EventRef; division: EventRef };
}

/** What a trace is of, and the knowledge moment it is read at. */
export interface TraceHeading {
  area: string;
  year: string;
  cell: string;
  /** The cell's value; for rsoRate a rate, whose items are the offenders it divides. */
  value: number;
  /** What the cell counts (issue 14.5). */
  unit: CountingUnit;
  rule: string;
  position: string;
  asKnownAt: string | null;
}

/** The counted items of a trace: how many (equal to the cell, but for rsoRate), by area and by counted event type. */
export interface TraceSummary {
  items: number;
  byArea: Record<string, number>;
  byCountedType: Record<string, number>;
}

/** One page of a trace (issue 14.1); `next` is the `after` of the following page, null on the last. */
export interface TracePage extends TraceHeading {
  population?: { value: number | null; source: string };
  /** On the first page only. */
  summary?: TraceSummary;
  items: TraceItem[];
  next: string | null;
}

export interface Trace {
  area: string;
  year: string;
  cell: string;
  value: number;
  rule: string;
  position: string;
  asKnownAt: string | null;
  items: TraceItem[];
  /** For rsoRate: the population it divides by. */
  population?: { value: number | null; source: string };
}

/** The annual report of DOMAIN.md section 6 for any area, year, snapshot date and knowledge position, read from the read models only. */
export class ReportService {
  constructor(
    private readonly db: SqlClient,
    private readonly runner: ProjectionRunner,
  ) {}

  async report(area: string, year: number, options: KnowledgeOptions = {}): Promise<Report> {
    const { position, asKnownAt, epoch } = await this.knowledge(options);
    const period = reportPeriod(year);
    const scope = this.scope(area, position, period.from, period.to, period.previousFrom);
    const cells = await this.cells(area, scope, COUNTED_TABLES);
    for (const table of DERIVED_TABLES) table.derive(cells, area, year);
    const population = populationOf(area, year);
    await this.confirmUnchanged(epoch);
    return {
      area,
      year: yearLabel(year),
      period: { from: period.from, to: period.to },
      snapshotDate: period.to,
      asKnownAt,
      position: position.toString(),
      ...emptiness(position, asKnownAt),
      cells,
      tables: REPORT_TABLES.map((t) => layoutOf(t, area, cells)),
      checks: reportChecks(cells, area, { year }).map(({ id, ok, detail }) => ({ id, ok, detail })),
      population,
    };
  }

  /** Table 6.1 at the end of any date. */
  async snapshot(area: string, date: string, options: KnowledgeOptions = {}) {
    const { position, asKnownAt, epoch } = await this.knowledge(options);
    const cells = await this.cells(area, this.scope(area, position, date, date, date), [offendersOnSnapshot]);
    await this.confirmUnchanged(epoch);
    return { area, date, asKnownAt, position: position.toString(), ...emptiness(position, asKnownAt), cells, tables: [layoutOf(offendersOnSnapshot, area, cells)] };
  }

  /** The period tables (6.2-6.9) for any range of dates; "previous year" is the year before `from`. */
  async period(area: string, from: string, to: string, options: KnowledgeOptions = {}) {
    if (from > to) throw new InvalidInputError('from must not be after to.', [{ field: 'from', rule: 'range', message: 'from > to' }]);
    const { position, asKnownAt, epoch } = await this.knowledge(options);
    const tables = PERIOD_TABLES;
    const cells = await this.cells(area, this.scope(area, position, from, to, yearBefore(from)), tables);
    await this.confirmUnchanged(epoch);
    return { area, period: { from, to }, asKnownAt, position: position.toString(), ...emptiness(position, asKnownAt), cells, tables: tables.map((t) => layoutOf(t, area, cells)) };
  }

  /** DOMAIN.md 7: the rule, and every counted item with the events behind it (the unpaged answer, as it always was). */
  async trace(area: string, year: number, cell: string, options: KnowledgeOptions = {}): Promise<Trace> {
    const traced = await this.tracedCell(area, year, cell, options);
    const items = await this.withEvents(await this.items(traced, null, null));
    await this.confirmUnchanged(traced.epoch);
    const { area: a, year: y, cell: c, value, rule, position, asKnownAt, population } = traced;
    return { area: a, year: y, cell: c, value, rule, position, asKnownAt, items, ...(population ? { population } : {}) };
  }

  /** One page of a cell's trace (issue 14.1) in a stable order; every page is read at the first page's position, which the cursor carries. */
  async tracePage(area: string, year: number, cell: string, options: KnowledgeOptions & { limit: number; after?: string }): Promise<TracePage> {
    const cursor = options.after === undefined ? null : decodeTraceCursor(options.after);
    const traced = await this.tracedCell(area, year, cell, cursor ? knowledgeOfCursor(cursor, options) : options);
    if (cursor) traced.asKnownAt = cursor.asKnownAt;
    const rows = await this.items(traced, cursor?.after ?? null, options.limit + 1);
    const page = rows.slice(0, options.limit);
    const more = rows.length > options.limit;
    const last = page.length ? keyOf(page[page.length - 1]) : (cursor?.after ?? null);
    const summary = cursor ? {} : { summary: await this.summary(traced) };
    const items = await this.withEvents(page);
    await this.confirmUnchanged(traced.epoch);
    return {
      ...headingOf(traced),
      ...(traced.population ? { population: traced.population } : {}),
      ...summary,
      items,
      next: more ? encodeTraceCursor({ position: BigInt(traced.position), asKnownAt: traced.asKnownAt, after: last }) : null,
    };
  }

  /** A cell's whole trace for a streamed export: heading and summary first, so a bad request is refused before anything is sent; one page in memory. */
  async traceInPages(
    area: string,
    year: number,
    cell: string,
    options: KnowledgeOptions = {},
    pageSize = 2000,
  ): Promise<{ heading: TraceHeading; summary: TraceSummary; pages: AsyncIterable<TraceItem[]> }> {
    const traced = await this.tracedCell(area, year, cell, options);
    const summary = await this.summary(traced);
    await this.confirmUnchanged(traced.epoch);
    const readPage = (after: TraceItemKey | null) => this.items(traced, after, pageSize);
    // A rebuild begun mid-export ends the stream with an error, never a file that looks whole.
    const withEvents = async (rows: ItemRow[]) => {
      const items = await this.withEvents(rows);
      await this.confirmUnchanged(traced.epoch);
      return items;
    };
    async function* pages(): AsyncIterable<TraceItem[]> {
      let after: TraceItemKey | null = null;
      for (;;) {
        const rows = await readPage(after);
        if (rows.length) yield await withEvents(rows);
        if (rows.length < pageSize) return;
        after = keyOf(rows[rows.length - 1]);
        await yieldToIo(); // other callers' requests run between pages
      }
    }
    return { heading: headingOf(traced), summary, pages: pages() };
  }

  /** The cell a trace explains, the knowledge it is read at, and what its items are filtered by. */
  private async tracedCell(area: string, year: number, cell: string, options: KnowledgeOptions): Promise<TracedCell> {
    const parsed = parseCellId(cell);
    const table = REPORT_TABLES.find((t) => t.id === parsed?.table);
    if (!parsed || !table || !table.columns.includes(parsed.column)) {
      throw new NotFoundError(`There is no cell ${echo(cell)} in the report.${didYouMean(cell, reportCellIds(knownReportArea(area)))}`, [
        { field: 'cellId', rule: 'known-cell', message: 'unknown cell id' },
      ]);
    }
    // Only the traced table is counted (a derived table counts the table it is derived from).
    const { position, asKnownAt, epoch } = await this.knowledge(options);
    const period = reportPeriod(year);
    const scope = this.scope(area, position, period.from, period.to, period.previousFrom);
    const counted = table.kind === 'derived' ? table.tracedAs.table : table;
    const cells = await this.cells(area, scope, [counted]);
    if (table.kind === 'derived') table.derive(cells, area, year);
    const population = table.kind === 'derived' ? populationOf(area, year) : undefined;
    if (!(cell in cells)) {
      throw new NotFoundError(`There is no cell ${echo(cell)} in the report for ${echo(area)}.${didYouMean(cell, Object.keys(cells))}`, [
        { field: 'cellId', rule: 'known-cell', message: 'unknown cell id' },
      ]);
    }
    const [row, column] = table.kind === 'derived' ? [table.tracedAs.row, table.tracedAs.column] : [parsed.row, parsed.column];
    return {
      area,
      year: yearLabel(year),
      cell,
      value: cells[cell],
      unit: table.unit,
      rule: table.rule,
      position: position.toString(),
      asKnownAt,
      population,
      scope,
      counted,
      row,
      column,
      epoch,
    };
  }

  /** Some tables' cells for several years at one position (issue 14.4): the report's own queries a year at a time, so a trend equals the reports. */
  async cellsByYear(area: string, years: readonly number[], tables: readonly ReportTableId[], options: KnowledgeOptions = {}) {
    const { position, asKnownAt, epoch } = await this.knowledge(options);
    const asked = tables.map((id) => REPORT_TABLES.find((t) => t.id === id)!);
    const counted = [...new Set(asked.map((t) => (t.kind === 'derived' ? t.tracedAs.table : t)))];
    const cellsOf = async (year: number): Promise<ReportCells> => {
      const period = reportPeriod(year);
      const cells = await this.cells(area, this.scope(area, position, period.from, period.to, period.previousFrom), counted);
      for (const table of asked) if (table.kind === 'derived') table.derive(cells, area, year);
      await yieldToIo(); // other callers' requests run between years
      return cells;
    };
    // On a server an area's years go a few at a time, a connection each; england-and-wales a year at a time, as its report does.
    const atOnce = this.db.parallelStatements && area !== ENGLAND_AND_WALES ? TREND_YEARS_AT_ONCE : 1;
    const perYear = await mapAtMost(years, atOnce, cellsOf);
    const byYear = new Map(years.map((year, i) => [year, perYear[i]]));
    await this.confirmUnchanged(epoch);
    return { position: position.toString(), asKnownAt, ...emptiness(position, asKnownAt), byYear };
  }

  /** The knowledge position P of a read: asKnownAt, an explicit position, or what the read models reflect now. */
  private async knowledge(options: KnowledgeOptions): Promise<{ position: bigint; asKnownAt: string | null; epoch: string }> {
    // The generation says whether a rebuild's flag is up: only then is the rebuild itself asked about.
    let epoch = await this.runner.readModelsEpoch();
    if (epoch.startsWith('rebuilding')) {
      await this.refuseDuringRebuild();
      epoch = await this.runner.readModelsEpoch(); // it ended meanwhile
    }
    const projected = (await this.runner.position()) ?? 0n;
    if (options.atPosition !== undefined) {
      if (options.atPosition > projected) {
        throw new StoreUnavailableError(`The read models have not yet reached position ${options.atPosition} (they are at ${projected}).`);
      }
      return { position: options.atPosition, asKnownAt: null, epoch };
    }
    if (options.asKnownAt) {
      // A prefix of the log only where recordedAt never decreases along positions (EventStore's guarantees).
      const { rows } = await this.db.query<{ position: string | null }>('SELECT max(position)::text AS position FROM rm_events WHERE recorded_at <= $1', [
        options.asKnownAt.toISOString(),
      ]);
      return { position: BigInt(rows[0].position ?? '0'), asKnownAt: options.asKnownAt.toISOString(), epoch };
    }
    return { position: projected, asKnownAt: null, epoch };
  }

  /** 503 when a rebuild began while the answer was read: it may have counted emptied tables, and zeros would look like figures. */
  private async confirmUnchanged(epoch: string): Promise<void> {
    const now = await this.runner.readModelsEpoch();
    if (now === epoch && !now.startsWith('rebuilding')) return;
    await this.refuseDuringRebuild();
    throw new ReadModelsNotReadyError('The read models were rebuilt while this answer was being read; please ask again.', 1, [
      { rule: 'rebuilding', message: 'rebuilt during the read' },
    ]);
  }

  /** A `minPosition` not reached within the wait throws (issue 18.6): never an older answer that looks like the caller's own write. */
  async refuseBehind(minPosition: bigint, reached: bigint | null): Promise<never> {
    await this.refuseDuringRebuild();
    const head = await this.runner.storeHead();
    if (head === null || minPosition > head) {
      throw new InvalidInputError(`minPosition ${minPosition} is beyond the last event the store holds (${head ?? 0}): no write has that position.`, [
        { field: 'minPosition', rule: 'known-position', message: 'beyond the store' },
      ]);
    }
    throw new ReadModelsNotReadyError(
      `The read models have not yet reached position ${minPosition} (they are at ${reached ?? 0}); this answer would not include that write. Please try again shortly.`,
      DEFAULT_RETRY_AFTER_SECONDS,
      [{ field: 'minPosition', rule: 'read-models-behind', message: `read models at ${reached ?? 0}` }],
    );
  }

  /** 503 while a rebuild runs (here or in another process), with its estimated time left as Retry-After. */
  private async refuseDuringRebuild(): Promise<void> {
    const rebuild = await this.runner.rebuildProgress();
    if (!rebuild) return;
    const left = rebuild.secondsLeft === null ? '' : ` (${rebuild.done} of ${rebuild.total} events, about ${rebuild.secondsLeft} s left)`;
    throw new ReadModelsNotReadyError(`The read models are being rebuilt${left}; the report will be back when the rebuild finishes.`, retryAfterFor(rebuild.secondsLeft), [
      { rule: 'rebuilding', message: rebuild.state === 'abandoned' ? 'an interrupted rebuild is starting again' : 'rebuild running' },
    ]);
  }

  private scope(area: string, position: bigint, periodFrom: string, periodTo: string, previousFrom: string): ReportScope {
    knownReportArea(area);
    return { areas: areasOfReport(area), position, periodFrom, periodTo, previousFrom };
  }

  /** Every table's items per cell at P; all at once on a pool, as one statement on the embedded store (why: docs/decisions.md, "Moved from code comments"). */
  private async cells(area: string, scope: ReportScope, tables: readonly CountedTable[]): Promise<ReportCells> {
    const national = area === ENGLAND_AND_WALES;
    const counts = this.db.parallelStatements
      ? await this.countsSideBySide(scope, tables, national ? NATIONAL_STATEMENTS_AT_ONCE : tables.length)
      : national
        ? await this.countsTakingTurns(scope, tables)
        : await this.countsInOneStatement(scope, tables);
    const cells: ReportCells = {};
    tables.forEach((table, i) => {
      const counted: ReportCells = {};
      for (const r of counts[i]) counted[cellId(table, r.row_id, r.col_id)] = r.n;
      // Divisions found in an area without configured divisions become rows too (rows(area, cells)).
      Object.assign(cells, zeroCells(table, area), counted);
      addTotals(cells, table, area);
    });
    return cells;
  }

  private async countsSideBySide(scope: ReportScope, tables: readonly CountedTable[], atOnce: number): Promise<CellCount[][]> {
    const results = await mapAtMost(tables, atOnce, (table) => this.db.query<CellCount>(countQuery(table, scope), scopeParams(scope)));
    return results.map((r) => r.rows);
  }

  /** The embedded store's national report, a statement per table, so other callers' reads get in between on PGlite's one connection. */
  private async countsTakingTurns(scope: ReportScope, tables: readonly CountedTable[]): Promise<CellCount[][]> {
    const counts: CellCount[][] = [];
    for (const table of tables) {
      await yieldToIo(); // requests that arrived meanwhile can start
      counts.push((await this.db.query<CellCount>(countQuery(table, scope), scopeParams(scope))).rows);
    }
    return counts;
  }

  private async countsInOneStatement(scope: ReportScope, tables: readonly CountedTable[]): Promise<CellCount[][]> {
    const { rows } = await this.db.query<CellCount & { table_no: number }>(
      tables.map((table, i) => `SELECT ${i} AS table_no, c.* FROM (${countQuery(table, scope)}) c`).join('\nUNION ALL\n'),
      scopeParams(scope),
    );
    const counts = tables.map((): CellCount[] => []);
    for (const r of rows) counts[r.table_no].push(r);
    return counts;
  }

  /** The traced items after `after` (null: from the first), at most `limit` (null: all), in the stable order of a trace. */
  private async items(traced: TracedCell, after: TraceItemKey | null, limit: number | null) {
    const { rows } = await this.db.query<ItemRow>(
      `SELECT area, row_id, col_id, offender_id, counted_pos::text, area_pos::text, category_pos::text, level_pos::text,
              custody_pos::text, division_pos::text
         FROM (${traced.counted.items(queryShape(traced.scope))}) items
        WHERE ($6::text = 'total' OR row_id = $6) AND ($7::text = 'total' OR col_id = $7)
          AND ($8::text IS NULL OR (area, offender_id, counted_pos, row_id, col_id) > ($8::text, $9::text, $10::bigint, $11::text, $12::text))
        ORDER BY area, offender_id, counted_pos, row_id, col_id
        LIMIT $13`,
      [
        ...scopeParams(traced.scope),
        traced.row,
        traced.column,
        after?.area ?? null,
        after?.offenderId ?? null,
        after?.countedPosition ?? null,
        after?.row ?? null,
        after?.column ?? null,
        limit,
      ],
    );
    return rows;
  }

  /** How many items the trace holds, by area and by the type of the counted event (one statement, no item fetched). */
  private async summary(traced: TracedCell): Promise<TraceSummary> {
    const { rows } = await this.db.query<{ area: string; type: string; n: number }>(
      `SELECT items.area, e.type, count(*)::int AS n
         FROM (${traced.counted.items(queryShape(traced.scope))}) items
         JOIN rm_events e ON e.position = items.counted_pos
        WHERE ($6::text = 'total' OR row_id = $6) AND ($7::text = 'total' OR col_id = $7)
        GROUP BY items.area, e.type
        ORDER BY items.area, e.type`,
      [...scopeParams(traced.scope), traced.row, traced.column],
    );
    const summary: TraceSummary = { items: 0, byArea: {}, byCountedType: {} };
    for (const r of rows) {
      summary.items += r.n;
      summary.byArea[r.area] = (summary.byArea[r.area] ?? 0) + r.n;
      summary.byCountedType[r.type] = (summary.byCountedType[r.type] ?? 0) + r.n;
    }
    return summary;
  }

  private async withEvents(rows: ItemRow[]): Promise<TraceItem[]> {
    const positions = new Set<string>();
    for (const r of rows) for (const p of [r.counted_pos, r.area_pos, r.category_pos, r.level_pos, r.custody_pos, r.division_pos]) positions.add(p);
    const { rows: events } = await this.db.query<{ position: string; event_id: string; type: string; occurred_on: string; recorded_at: string; revision: number }>(
      `SELECT position::text, event_id::text, type, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on,
              to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, revision
         FROM rm_events WHERE position = ANY($1::bigint[])`,
      [[...positions]],
    );
    const byPosition = new Map(
      events.map((e) => [
        e.position,
        { eventId: e.event_id, type: e.type, occurredOn: e.occurred_on, recordedAt: e.recorded_at, revision: Number(e.revision), position: e.position },
      ]),
    );
    const ref = (p: string): EventRef => byPosition.get(p)!;
    return rows.map((r) => ({
      offenderId: r.offender_id,
      area: r.area,
      row: r.row_id,
      column: r.col_id,
      counted: ref(r.counted_pos),
      fixedBy: { area: ref(r.area_pos), category: ref(r.category_pos), level: ref(r.level_pos), custody: ref(r.custody_pos), division: ref(r.division_pos) },
    }));
  }
}

/** The cell a trace explains and what its items are filtered by (ReportService.tracedCell). */
interface TracedCell extends TraceHeading {
  population: { value: number | null; source: string } | undefined;
  scope: ReportScope;
  /** The table whose items are listed (a derived table lists those of the cell it is traced as). */
  counted: CountedTable;
  row: string;
  column: string;
  /** The read models' generation when the trace began (ReportService.confirmUnchanged). */
  epoch: string;
}

const headingOf = (t: TracedCell): TraceHeading => ({
  area: t.area,
  year: t.year,
  cell: t.cell,
  value: t.value,
  unit: t.unit,
  rule: t.rule,
  position: t.position,
  asKnownAt: t.asKnownAt,
});

const keyOf = (r: ItemRow): TraceItemKey => ({ area: r.area, offenderId: r.offender_id, countedPosition: r.counted_pos, row: r.row_id, column: r.col_id });

/** The knowledge of a page after the first: the cursor's position; a knowledge option given beside it must agree. */
function knowledgeOfCursor(cursor: TraceCursor, options: KnowledgeOptions): KnowledgeOptions {
  const disagrees =
    (options.atPosition !== undefined && options.atPosition !== cursor.position) || (options.asKnownAt !== undefined && options.asKnownAt.toISOString() !== cursor.asKnownAt);
  if (disagrees) {
    throw new InvalidInputError('after already fixes the knowledge moment of the trace; leave out asKnownAt and atPosition, or give those of the first page.', [
      { field: 'after', rule: 'same-knowledge', message: 'asKnownAt or atPosition differs from the first page' },
    ]);
  }
  return { atPosition: cursor.position };
}

/** National table statements at once on a server: two keeps other callers' area reports at full speed (docs/benchmarks.md, "Fairness between callers"). */
const NATIONAL_STATEMENTS_AT_ONCE = 2;

/** How many report years of one area's trend are counted at once on a server. */
const TREND_YEARS_AT_ONCE = 4;

/** fn over items, at most `limit` at a time; the answers in the order of the items. */
async function mapAtMost<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

interface CellCount {
  row_id: string;
  col_id: string;
  n: number;
}

/** A table's items counted per cell. */
const countQuery = (table: CountedTable, scope: ReportScope): string =>
  `SELECT row_id, col_id, count(*)::int AS n FROM (${table.items(queryShape(scope))}) items GROUP BY row_id, col_id`;

/** One item of a counted table's query, as read from the read models (positions as text). */
export interface ItemRow {
  area: string;
  row_id: string;
  col_id: string;
  offender_id: string;
  counted_pos: string;
  area_pos: string;
  category_pos: string;
  level_pos: string;
  custody_pos: string;
  division_pos: string;
}

/** How `table` is laid out for `area`: its rows, columns, unit and rule, as renderers draw it. */
export function layoutOf(table: ReportTable, area: string, cells: ReportCells): TableLayout {
  return {
    id: table.id,
    section: table.section,
    unit: table.unit,
    unitText: COUNTING_UNIT_TEXT[table.unit],
    title: table.title,
    rule: table.rule,
    rows: [...table.rows(area, cells)],
    columns: [...table.columns],
  };
}

/** The population a report's rates divide by (6.11), and where the figure comes from. */
function populationOf(area: string, year: number): { value: number | null; source: string } {
  return { value: populationAged10Plus(area, year), source: populationSource(area) ?? 'no population figure on file' };
}

/** Position 0 is a store that knew no event: its zeros say nothing about offenders, and the reader is told so. */
function emptiness(position: bigint, asKnownAt: string | null): { empty: boolean; warnings: string[] } {
  if (position > 0n) return { empty: false, warnings: [] };
  const when = asKnownAt ? `had recorded no events by ${asKnownAt}` : 'holds no events';
  return { empty: true, warnings: [`The event store ${when}: every figure is zero because nothing has been recorded, not because nothing happened.`] };
}
