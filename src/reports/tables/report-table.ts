import { AREAS, ENGLAND_AND_WALES, areaName, divisionName } from '../../domain/reference-areas';
import type { QueryShape } from '../report-sql';
import type { ReportTableId } from '.';

// One published table (DOMAIN.md section 6): its layout, the rule it implements (quoted from DOMAIN.md) and its item query, one file per table here.

/** Cell values of a report or of a published figures file, by cell id (`<table>.<row>.<column>`). */
export type ReportCells = Record<string, number>;

/** What one unit of a table counts (issue 14.5), so nobody compares people with occasions: offenders, SFO cases, orders, reviews, or a rate per 100,000. */
export type CountingUnit = 'persons' | 'cases' | 'orders' | 'reviews' | 'ratePer100k';

/** The sentence a reader sees beside a table for each unit. */
export const COUNTING_UNIT_TEXT: Readonly<Record<CountingUnit, string>> = {
  persons: 'distinct offenders: each person is counted once in a cell, however many events they had',
  cases: 'SFO cases: one charge (chargeId) is one case; one offender may have several',
  orders: 'orders imposed: one offender may have several',
  reviews: 'serious case reviews commenced: one offender may have several',
  ratePer100k: 'offenders per 100,000 of the population aged 10 and over (a rate, not a count)',
};

interface TableLayout<Id extends string> {
  id: Id;
  /** Section of DOMAIN.md that defines the table, e.g. '6.1'. */
  section: string;
  /** What the table counts (issue 14.5). */
  unit: CountingUnit;
  /** The title as the published report words it (without the year's dates). */
  title: string;
  /** The rule text, quoted verbatim from DOMAIN.md (line breaks joined), with its section number. */
  rule: string;
  /** Row ids for `area`; `cells` lets rsoByDivision add the divisions found where none are configured. */
  rows(area: string, cells?: Readonly<ReportCells>): readonly string[];
  columns: readonly string[];
}

/** A table counted from the read models, one item per counted offender: `snapshot` at S, `period` over P (also GET /period). */
export interface CountedTable<Id extends string = string> extends TableLayout<Id> {
  kind: 'snapshot' | 'period';
  /** SQL over report-sql.ts's parameters, a row per counted item: its cell, the offender, and the positions of the events that counted and placed it. */
  items(shape: QueryShape): string;
}

/** A table computed from counted cells and reference data, never counted itself. */
export interface DerivedTable<Id extends string = string> extends TableLayout<Id> {
  kind: 'derived';
  /** The counted cell whose items a trace of this table lists. */
  tracedAs: { table: CountedTable; row: string; column: string };
  /** Sets this table's cells from the counted ones of the report on `area` for year Y/Y+1. */
  derive(cells: ReportCells, area: string, year: number): void;
}

export type ReportTable<Id extends string = string> = CountedTable<Id> | DerivedTable<Id>;

/** `<table>.<row>.<column>`: the cell ids of DOMAIN.md section 6, shared with the published files. */
export const cellId = (table: ReportTableId | ReportTable, row: string, column: string): string => `${typeof table === 'string' ? table : table.id}.${row}.${column}`;

/** Splits a cell id into its table, row and column (rows and columns never contain dots). */
export function parseCellId(id: string): { table: string; row: string; column: string } | null {
  const parts = id.split('.');
  return parts.length === 3 ? { table: parts[0], row: parts[1], column: parts[2] } : null;
}

/** Every cell id of a table for a report on `area`, row by row. */
export function tableCellIds(table: ReportTable, area: string, cells?: Readonly<ReportCells>): string[] {
  return table.rows(area, cells).flatMap((row) => table.columns.map((column) => cellId(table, row, column)));
}

/** Rows that are the sum of the other rows, and columns that are the sum of the other columns. */
export const TOTAL = 'total';

export const CATEGORY_COLUMNS = ['category1', 'category2', 'category3'] as const;

/** Category columns followed by their total. */
export const CATEGORY_COLUMNS_WITH_TOTAL = [...CATEGORY_COLUMNS, TOTAL] as const;

/** The 42 areas, for the rows of the national division table. */
export const NATIONAL_ROWS: readonly string[] = AREAS;

/** Whether a report is the national aggregate rather than one area's. */
export const isNational = (area: string): boolean => area === ENGLAND_AND_WALES;

// A Map, not an object: a row id such as `constructor` (an accepted division id) must not find Object's own properties.
const FIXED_LABELS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    category1: 'Category 1 – Registered Sexual Offenders',
    category2: 'Category 2 – Violent Offenders',
    category3: 'Category 3 – Other Dangerous Offenders',
    level1: 'Level 1',
    level2: 'Level 2',
    level3: 'Level 3',
    total: 'Total',
    count: 'Total',
    sopo: 'SOPO',
    notificationOrder: 'NO',
    foreignTravelOrder: 'FTO',
    rso: 'Registered Sexual Offenders cautioned or convicted',
    chargedInYear: 'Charged with SFO in the year',
    chargedInPreviousYear: 'Charged with SFO in the previous year',
    outstandingAtStart: 'Cases still charged on 31 March of the previous year',
    convicted: 'Convicted of an SFO',
    outstandingAtEnd: 'Outstanding on 31 March',
    otherOutcome: 'Other outcome',
    leftArea: 'Left the area before an outcome',
    unassigned: 'Not yet assigned to a division',
    per100k: 'Per 100,000 population aged 10 and over',
    value: 'Rate',
  }),
);

/** How the published report labels a row or column id ("category1-level2" -> "Category 1, Level 2"). */
export function label(id: string): string {
  const fixed = FIXED_LABELS.get(id);
  if (fixed !== undefined) return fixed;
  const sfoRow = /^category(\d)-level(\d)$/.exec(id);
  if (sfoRow) return `Category ${sfoRow[1]}, Level ${sfoRow[2]}`;
  const area = areaName(id);
  return area !== id ? area : divisionName(id);
}

/** Every cell of a table for a report on `area`, at 0. */
export function zeroCells(table: ReportTable, area: string): ReportCells {
  return Object.fromEntries(tableCellIds(table, area).map((id) => [id, 0]));
}

/** Fills a table's `total` row and `total` column with the sums of the others (rows first). */
export function addTotals(cells: ReportCells, table: ReportTable, area: string): void {
  const rows = table.rows(area, cells);
  const columns = table.columns;
  const parts = (ids: readonly string[]) => ids.filter((id) => id !== TOTAL);
  if (columns.includes(TOTAL)) {
    for (const row of parts(rows)) {
      cells[cellId(table, row, TOTAL)] = parts(columns).reduce((sum, c) => sum + (cells[cellId(table, row, c)] ?? 0), 0);
    }
  }
  if (rows.includes(TOTAL)) {
    for (const column of columns) {
      cells[cellId(table, TOTAL, column)] = parts(rows).reduce((sum, r) => sum + (cells[cellId(table, r, column)] ?? 0), 0);
    }
  }
}
