import { didYouMean } from '../domain/nearest-names';
import { echo, InvalidInputError, NotFoundError } from '../errors';
import type { PublishedFigures } from './published-figures';
import { knownReportArea } from './report-area';
import type { KnowledgeOptions, ReportService } from './report.service';
import { yearLabel } from './report-period';
import { parseCellId, REPORT_TABLES, tableCellIds, type CountingUnit, type ReportCells, type ReportTable, type ReportTableId } from './tables';

const reportTable = (id: ReportTableId): ReportTable => REPORT_TABLES.find((t) => t.id === id)!;

// Trends (issue 14.4): each cell across years at one moment, beside its published figure, from the report's own queries, never by folding events.

/** One report year of a cell's trend. */
export interface TrendPoint {
  /** The report year, written as in the report JSON: '2014/15'. */
  year: string;
  /** The computed figure; null where there is none (a rate without a population figure). */
  value: number | null;
  /** The figure the area published for that year, where a publication holds it. */
  published?: number;
  /** value minus the year before's value; absent on the first year asked for. */
  change?: number;
}

export interface CellTrend {
  cell: string;
  table: ReportTableId;
  /** What the cell counts (issue 14.5). */
  unit: CountingUnit;
  /** snapshot: on 31 March ending each year (6.1, 6.10, 6.11); period: during each year (6.2-6.9). */
  kind: 'snapshot' | 'period';
  years: TrendPoint[];
}

export interface Trends {
  area: string;
  from: string;
  to: string;
  asKnownAt: string | null;
  /** The event-store position every year was computed at. */
  position: string;
  empty: boolean;
  warnings: string[];
  cells: CellTrend[];
}

/** What a trend is asked for: the cells of one table, or cells by id. */
export type TrendSelection = { table: string } | { cells: string[] };

/** Most report years one trend covers, and most cells it lists by id. */
export const MAX_TREND_YEARS = 40;
export const MAX_TREND_CELLS = 200;

export class TrendsService {
  constructor(
    private readonly reports: ReportService,
    private readonly published: PublishedFigures,
  ) {}

  async trends(area: string, selection: TrendSelection, from: number, to: number, options: KnowledgeOptions = {}): Promise<Trends> {
    knownReportArea(area);
    if (from > to) throw new InvalidInputError('from must not be after to.', [{ field: 'from', rule: 'range', message: 'from is after to' }]);
    if (to - from + 1 > MAX_TREND_YEARS) {
      throw new InvalidInputError(`A trend covers at most ${MAX_TREND_YEARS} report years.`, [{ field: 'to', rule: 'range', message: `at most ${MAX_TREND_YEARS} years` }]);
    }
    const tables = tablesOf(area, selection);
    const years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const [computed, published] = await Promise.all([this.reports.cellsByYear(area, years, tables, options), this.published.publishedCells(area)]);
    const ids = 'table' in selection ? cellsOfTable(reportTable(tables[0]), area, computed.byYear) : checkedCells(selection.cells, area, computed.byYear);
    return {
      area,
      from: yearLabel(from),
      to: yearLabel(to),
      asKnownAt: computed.asKnownAt,
      position: computed.position,
      empty: computed.empty,
      warnings: computed.warnings,
      cells: ids.map((cell) => {
        const table = reportTable(parseCellId(cell)!.table as ReportTableId);
        let before: number | null = null;
        const points = years.map((year, i): TrendPoint => {
          const raw = computed.byYear.get(year)![cell] ?? 0; // a division absent that year counted nobody
          const value = Number.isFinite(raw) ? raw : null;
          const printed = published.get(publicationYear(year))?.[cell];
          const point: TrendPoint = { year: yearLabel(year), value };
          if (typeof printed === 'number') point.published = printed;
          if (i > 0 && value !== null && before !== null) point.change = value - before;
          before = value;
          return point;
        });
        return { cell, table: table.id as ReportTableId, unit: table.unit, kind: table.kind === 'derived' ? table.tracedAs.table.kind : table.kind, years: points };
      }),
    };
  }
}

/** 2014 -> '2014-15', the key of published figures. */
const publicationYear = (year: number): string => yearLabel(year).replace('/', '-');

/** The tables a selection needs, or a 400/404 naming what is wrong. */
function tablesOf(area: string, selection: TrendSelection): ReportTableId[] {
  if ('table' in selection) {
    const table = REPORT_TABLES.find((t) => t.id === selection.table);
    if (!table) {
      throw new NotFoundError(
        `There is no table ${echo(selection.table)} in the report.${didYouMean(
          selection.table,
          REPORT_TABLES.map((t) => t.id),
        )}`,
        [{ field: 'table', rule: 'known-table', message: 'unknown table id' }],
      );
    }
    return [table.id];
  }
  if (selection.cells.length === 0 || selection.cells.length > MAX_TREND_CELLS) {
    throw new InvalidInputError(`cells lists 1 to ${MAX_TREND_CELLS} cell ids, separated by commas.`, [
      { field: 'cells', rule: 'count', message: `1-${MAX_TREND_CELLS} cell ids` },
    ]);
  }
  const tables = new Set<ReportTableId>();
  for (const cell of selection.cells) {
    const parsed = parseCellId(cell);
    const table = REPORT_TABLES.find((t) => t.id === parsed?.table);
    if (!parsed || !table || !table.columns.includes(parsed.column)) throw unknownCell(cell, tableCellIdsOfArea(area));
    tables.add(table.id);
  }
  return [...tables];
}

const tableCellIdsOfArea = (area: string): string[] => REPORT_TABLES.flatMap((t) => tableCellIds(t, area));

const unknownCell = (cell: string, known: readonly string[]) =>
  new NotFoundError(`There is no cell ${echo(cell)} in the report.${didYouMean(cell, known)}`, [{ field: 'cells', rule: 'known-cell', message: 'unknown cell id' }]);

/** Every cell of a table in any of the years (an area without configured divisions has the divisions found). */
function cellsOfTable(table: ReportTable, area: string, byYear: ReadonlyMap<number, ReportCells>): string[] {
  const ids = new Set<string>(tableCellIds(table, area));
  for (const cells of byYear.values()) for (const id of tableCellIds(table, area, cells)) ids.add(id);
  return [...ids];
}

/** The cells asked for, each one of the report's in some year, in the order given (repeats dropped). */
function checkedCells(cells: readonly string[], area: string, byYear: ReadonlyMap<number, ReportCells>): string[] {
  const known = new Set<string>(tableCellIdsOfArea(area));
  for (const yearCells of byYear.values()) for (const id of Object.keys(yearCells)) known.add(id);
  for (const cell of cells) if (!known.has(cell)) throw unknownCell(cell, [...known]);
  return [...new Set(cells)];
}
