import { InvalidInputError } from '../errors';
import { reportPeriod } from '../reports/report-period';
import { areasOfReport } from '../reports/report-area';
import { queryShape, scopeParams, type ReportScope } from '../reports/report-sql';
import type { EventRef, ItemRow, ReportService } from '../reports/report.service';
import { parseCellId, REPORT_TABLES, type CountedTable } from '../reports/tables';
import type { SqlClient } from '../sql/sql-client';
import type { ResolvedMoment } from './knowledge-moment';

// Revisions (issue 14.3): what changed in a report between two knowledge moments, and which event made each item enter or leave.
// Only offenders with an event recorded in between can count differently, so only their items are fetched.

/** Why an item entered or left a cell (docs/decisions.md, "Publications and revisions"). */
export const CAUSE_KINDS = ['late-record', 'retraction', 'back-dated-change'] as const;
export type CauseKind = (typeof CAUSE_KINDS)[number];

/** The event that made an item enter or leave a cell. */
export interface CauseEvent extends EventRef {
  kind: CauseKind;
  /** The agency that posted it (null for events projected before the read models kept it: run mappa rebuild). */
  agency: string | null;
}

export interface RevisionItem {
  change: 'entered' | 'left';
  offenderId: string;
  area: string;
  row: string;
  column: string;
  /** The counted event of the item (at `to` for an item that entered, at `from` for one that left). */
  counted: EventRef;
  cause: CauseEvent;
}

export interface RevisedCell {
  cellId: string;
  /** null: not a number (a rate without a population figure). */
  from: number | null;
  to: number | null;
  change: number | null;
  entered: number;
  left: number;
  causes: Record<CauseKind, number>;
  /** Offender-level: only for callers who may read traces (docs/security.md). */
  items?: RevisionItem[];
}

export interface MomentAnswer {
  asked: string;
  position: string;
  asKnownAt: string | null;
  publication: { id: string; publishedOn: string } | null;
}

export interface Revisions {
  area: string;
  year: string;
  from: MomentAnswer;
  to: MomentAnswer;
  /** 'items': with the offender-level items of each cell; 'counts': the cells and counts by kind of cause. */
  detail: 'items' | 'counts';
  /** Events recorded between the two positions (any area). */
  eventsBetween: number;
  cells: RevisedCell[];
}

interface WindowEvent {
  position: string;
  event_id: string;
  offender_id: string;
  type: string;
  occurred_on: string;
  recorded_at: string;
  revision: number;
  agency: string | null;
  retracts_pos: string | null;
}

interface Movement {
  change: 'entered' | 'left';
  item: ItemRow;
  cause: WindowEvent;
  kind: CauseKind;
}

const EVENT_COLUMNS = `e.position::text, e.event_id::text, e.offender_id, e.type, to_char(e.occurred_on, 'YYYY-MM-DD') AS occurred_on,
  to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, e.revision, e.agency`;

export class RevisionsService {
  constructor(
    private readonly db: SqlClient,
    private readonly reports: ReportService,
  ) {}

  async revisions(area: string, year: number, from: ResolvedMoment, to: ResolvedMoment, detail: 'items' | 'counts'): Promise<Revisions> {
    const before = await this.reports.report(area, year, from.knowledge);
    const after = await this.reports.report(area, year, to.knowledge);
    const [p1, p2] = [BigInt(before.position), BigInt(after.position)];
    if (p1 > p2) {
      throw new InvalidInputError(`from (position ${p1}) is later than to (position ${p2}): a revision runs forwards in time.`, [
        { field: 'from', rule: 'from-before-to', message: 'from must not be later than to' },
      ]);
    }
    const changed = [...new Set([...Object.keys(before.cells), ...Object.keys(after.cells)])].filter((id) => !sameValue(before.cells[id], after.cells[id]));
    const period = reportPeriod(year);
    const scope = (position: bigint): ReportScope => ({ areas: areasOfReport(area), position, periodFrom: period.from, periodTo: period.to, previousFrom: period.previousFrom });

    // Items of the counted tables, before and after, of the offenders with events in between.
    const tables = [...new Set(changed.map((id) => countedCell(id).table))];
    const itemsBefore = new Map<CountedTable, ItemRow[]>();
    const itemsAfter = new Map<CountedTable, ItemRow[]>();
    for (const table of tables) {
      itemsBefore.set(table, await this.items(table, scope(p1), p1, p2));
      itemsAfter.set(table, await this.items(table, scope(p2), p1, p2));
    }
    const offenders = [...new Set(tables.flatMap((t) => [...itemsBefore.get(t)!, ...itemsAfter.get(t)!].map((i) => i.offender_id)))];
    const window = await this.windowEvents(offenders, p1, p2);

    const cells = changed.map((id): RevisedCell & { movements: Movement[] } => {
      const counted = countedCell(id);
      const inCell = (i: ItemRow) => (counted.row === 'total' || i.row_id === counted.row) && (counted.column === 'total' || i.col_id === counted.column);
      const movements = movementsOf(itemsBefore.get(counted.table)!.filter(inCell), itemsAfter.get(counted.table)!.filter(inCell), window, period.to);
      const causes = Object.fromEntries(CAUSE_KINDS.map((k) => [k, movements.filter((m) => m.kind === k).length])) as Record<CauseKind, number>;
      const [a, b] = [numberOrNull(before.cells[id]), numberOrNull(after.cells[id])];
      return {
        cellId: id,
        from: a,
        to: b,
        change: a === null || b === null ? null : b - a,
        entered: movements.filter((m) => m.change === 'entered').length,
        left: movements.filter((m) => m.change === 'left').length,
        causes,
        movements,
      };
    });

    const refs = detail === 'items' ? await this.eventRefs(cells.flatMap((c) => c.movements.map((m) => m.item.counted_pos))) : new Map<string, EventRef>();
    const { rows: between } = await this.db.query<{ n: string }>('SELECT count(*)::text AS n FROM rm_events WHERE position > $1::bigint AND position <= $2::bigint', [
      p1.toString(),
      p2.toString(),
    ]);
    return {
      area,
      year: before.year,
      from: momentAnswer(from, before),
      to: momentAnswer(to, after),
      detail,
      eventsBetween: Number(between[0].n),
      cells: cells.map(({ movements, ...cell }) =>
        detail === 'items'
          ? {
              ...cell,
              items: movements.map((m) => ({
                change: m.change,
                offenderId: m.item.offender_id,
                area: m.item.area,
                row: m.item.row_id,
                column: m.item.col_id,
                counted: refs.get(m.item.counted_pos)!,
                cause: causeEvent(m.cause, m.kind),
              })),
            }
          : cell,
      ),
    };
  }

  /** A table's items at `scope.position`, of the offenders with an event recorded in (p1, p2]. */
  private async items(table: CountedTable, scope: ReportScope, p1: bigint, p2: bigint): Promise<ItemRow[]> {
    const { rows } = await this.db.query<ItemRow>(
      `SELECT area, row_id, col_id, offender_id, counted_pos::text, area_pos::text, category_pos::text, level_pos::text,
              custody_pos::text, division_pos::text
         FROM (${table.items(queryShape(scope))}) items
        WHERE offender_id IN (SELECT offender_id FROM rm_events WHERE position > $6::bigint AND position <= $7::bigint)
        ORDER BY area, offender_id, counted_pos`,
      [...scopeParams(scope), p1.toString(), p2.toString()],
    );
    return rows;
  }

  /** The events of these offenders recorded in (p1, p2], in position order, with the position of what each retraction retracts. */
  private async windowEvents(offenders: string[], p1: bigint, p2: bigint): Promise<Map<string, WindowEvent[]>> {
    const byOffender = new Map<string, WindowEvent[]>();
    if (offenders.length === 0) return byOffender;
    const { rows } = await this.db.query<WindowEvent>(
      `SELECT ${EVENT_COLUMNS}, t.position::text AS retracts_pos
         FROM rm_events e
         LEFT JOIN rm_events t ON e.type = 'EventRetracted' AND t.offender_id = e.offender_id AND t.event_id::text = e.ref_id
        WHERE e.offender_id = ANY($1::text[]) AND e.position > $2::bigint AND e.position <= $3::bigint
        ORDER BY e.position`,
      [offenders, p1.toString(), p2.toString()],
    );
    for (const r of rows) byOffender.set(r.offender_id, [...(byOffender.get(r.offender_id) ?? []), r]);
    return byOffender;
  }

  private async eventRefs(positions: string[]): Promise<Map<string, EventRef>> {
    if (positions.length === 0) return new Map();
    const { rows } = await this.db.query<WindowEvent>(`SELECT ${EVENT_COLUMNS}, NULL AS retracts_pos FROM rm_events e WHERE e.position = ANY($1::bigint[])`, [
      [...new Set(positions)],
    ]);
    return new Map(rows.map((r) => [r.position, eventRef(r)]));
  }
}

/** The items that entered or left one cell: an offender counted by the same events before and after did neither, so entered - left is the change. */
function movementsOf(before: ItemRow[], after: ItemRow[], window: Map<string, WindowEvent[]>, periodTo: string): Movement[] {
  const group = (rows: ItemRow[]) => {
    const m = new Map<string, ItemRow[]>();
    for (const r of rows) m.set(r.offender_id, [...(m.get(r.offender_id) ?? []), r]);
    return m;
  };
  const [was, is] = [group(before), group(after)];
  const movements: Movement[] = [];
  for (const offender of [...new Set([...was.keys(), ...is.keys()])].sort()) {
    const a = was.get(offender) ?? [];
    const b = is.get(offender) ?? [];
    const [onlyBefore, onlyAfter] = [unmatched(a, b), unmatched(b, a)];
    const moved = Math.min(onlyBefore.length, onlyAfter.length);
    const events = window.get(offender) ?? [];
    for (const item of onlyAfter.slice(moved)) movements.push({ change: 'entered', item, ...enteredBecause(item, events, periodTo) });
    for (const item of onlyBefore.slice(moved)) movements.push({ change: 'left', item, ...leftBecause(item, events, periodTo) });
  }
  return movements;
}

/** The items of `these` not counted by an event of `those` (as multisets: each of `those` matches one). */
function unmatched(these: ItemRow[], those: ItemRow[]): ItemRow[] {
  const left = new Map<string, number>();
  for (const t of those) left.set(t.counted_pos, (left.get(t.counted_pos) ?? 0) + 1);
  return these.filter((x) => {
    const n = left.get(x.counted_pos) ?? 0;
    if (n > 0) left.set(x.counted_pos, n - 1);
    return n === 0;
  });
}

const positionsOf = (i: ItemRow): string[] => [i.counted_pos, i.area_pos, i.category_pos, i.level_pos, i.custody_pos, i.division_pos];

/** Why an item entered: its latest own event recorded in between (a late record or a back-dated change), else the offender's latest in-period event then. */
function enteredBecause(item: ItemRow, events: WindowEvent[], periodTo: string): { cause: WindowEvent; kind: CauseKind } {
  const own = positionsOf(item);
  const fixing = events.filter((e) => own.includes(e.position)).at(-1);
  if (fixing) return { cause: fixing, kind: fixing.position === item.counted_pos ? 'late-record' : 'back-dated-change' };
  return latestBearing(events, periodTo);
}

/** Why an item left: a retraction of one of its events recorded in between, else the offender's latest event in between dated within the report's dates. */
function leftBecause(item: ItemRow, events: WindowEvent[], periodTo: string): { cause: WindowEvent; kind: CauseKind } {
  const own = positionsOf(item);
  const retraction = events.filter((e) => e.retracts_pos !== null && own.includes(e.retracts_pos)).at(-1);
  if (retraction) return { cause: retraction, kind: 'retraction' };
  return latestBearing(events, periodTo);
}

function latestBearing(events: WindowEvent[], periodTo: string): { cause: WindowEvent; kind: CauseKind } {
  // There is always one: the item changed, so the offender has an event in between.
  const cause = events.filter((e) => e.occurred_on <= periodTo).at(-1) ?? events.at(-1)!;
  return { cause, kind: cause.type === 'EventRetracted' ? 'retraction' : 'back-dated-change' };
}

/** The cell whose items a cell counts: rsoRate is computed from the snapshot's category 1 offenders. */
/** The counted table, row and column behind a cell: a derived table's cell is the cell it is traced as. */
function countedCell(id: string): { table: CountedTable; row: string; column: string } {
  const parsed = parseCellId(id)!;
  const table = REPORT_TABLES.find((t) => t.id === parsed.table)!;
  return table.kind === 'derived' ? table.tracedAs : { table, row: parsed.row, column: parsed.column };
}

// A cell only one report has is a division row (6.10) found in one of them: nobody in it is 0.
const sameValue = (a: number | undefined, b: number | undefined): boolean => Object.is(a ?? 0, b ?? 0);
const numberOrNull = (n: number | undefined): number | null => (n === undefined ? 0 : Number.isNaN(n) ? null : n);

function eventRef(r: WindowEvent): EventRef {
  return { eventId: r.event_id, type: r.type, occurredOn: r.occurred_on, recordedAt: r.recorded_at, revision: Number(r.revision), position: r.position };
}

function causeEvent(r: WindowEvent, kind: CauseKind): CauseEvent {
  return { kind, ...eventRef(r), agency: r.agency };
}

function momentAnswer(moment: ResolvedMoment, report: { position: string; asKnownAt: string | null }): MomentAnswer {
  return { asked: moment.asked, position: report.position, asKnownAt: report.asKnownAt, publication: moment.publication ?? null };
}
