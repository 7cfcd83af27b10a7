import { populationAged10Plus, populationSource } from './reference-data';
import { cellId, offendersOnSnapshot, REPORT_TABLES, ratePer100k, rsoByDivision, rsoRate, SFO_ROWS, TOTAL, type ReportCells, type ReportTable } from './tables';
import { echo } from '../errors';

// The reconciliation checks of DOMAIN.md 6.12, pure, run alike on computed and published figures, so an auditor finds a printed figure that does not add up.

export interface ReportCheck {
  /** `<table>.row.<row>`, `<table>.column.<column>`, `sfoOutcomes.identity.<row>`, `rsoByDivision.total`, `rsoRate.population`. */
  id: string;
  ok: boolean;
  /** One sentence with the figures, saying by how much a failing check is out. */
  detail: string;
  /** The cells the check reads. */
  cells: string[];
}

/** A published figures file (DOMAIN.md 6.12), as in reference/published/. */
export interface PublishedFigures {
  area: string;
  /** `2014/15` style. */
  year: string;
  source?: string;
  notes?: string[];
  /** What a consistent event history must produce. */
  cells: ReportCells;
  /** Printed figures that differ from `cells` because the publication does not add up, and why. */
  publishedDiffers?: Record<string, { published: number; why?: string }>;
}

export interface PublishedCellsOptions {
  /** Use the figures as printed (publishedDiffers) instead of the consistent ones. */
  asPrinted?: boolean;
}

/** The cells of a published file: as a consistent history must produce them, or as printed. */
export function publishedCells(file: PublishedFigures, options: PublishedCellsOptions = {}): ReportCells {
  const cells = { ...file.cells };
  if (options.asPrinted) {
    for (const [id, printed] of Object.entries(file.publishedDiffers ?? {})) cells[id] = printed.published;
  }
  return cells;
}

/** The checks of a published file (as printed when asked), for its own area. */
export function checkPublishedFile(file: PublishedFigures, options: PublishedCellsOptions = {}): ReportCheck[] {
  return reportChecks(publishedCells(file, options), file.area, { year: reportYearOf(file.year) });
}

/** Every check of DOMAIN.md 6.12 the cells allow; one whose total cell is absent is skipped, as published reports omit some rows and columns. */
export function reportChecks(cells: Readonly<ReportCells>, area: string, options: { year?: number } = {}): ReportCheck[] {
  return [
    ...REPORT_TABLES.flatMap((table) => sumChecks(cells, table, area)),
    ...SFO_ROWS.flatMap((row) => sfoIdentityCheck(cells, row)),
    ...divisionTotalCheck(cells, area),
    ...rsoRateCheck(cells, area, options.year),
  ];
}

// Row and column sums: the `total` row and column of a table equal the sum of the others.
function sumChecks(cells: Readonly<ReportCells>, table: ReportTable, area: string): ReportCheck[] {
  const rows = table.rows(area, cells).filter((row) => row === TOTAL || table.columns.some((c) => cellId(table, row, c) in cells));
  const columns = table.columns;
  const checks: ReportCheck[] = [];
  if (columns.includes(TOTAL)) {
    for (const row of rows) {
      const parts = columns.filter((c) => c !== TOTAL).map((c) => cellId(table, row, c));
      checks.push(...sumCheck(cells, `${table.id}.row.${row}`, `row ${row}`, parts, cellId(table, row, TOTAL)));
    }
  }
  if (rows.includes(TOTAL)) {
    for (const column of columns) {
      const parts = rows.filter((r) => r !== TOTAL).map((r) => cellId(table, r, column));
      checks.push(...sumCheck(cells, `${table.id}.column.${column}`, `column ${column}`, parts, cellId(table, TOTAL, column)));
    }
  }
  return checks;
}

function sumCheck(cells: Readonly<ReportCells>, id: string, what: string, parts: string[], total: string): ReportCheck[] {
  if (!(total in cells)) return [];
  const involved = [...parts, total];
  const missing = parts.filter((p) => !(p in cells));
  if (missing.length > 0) {
    return [{ id, ok: false, detail: `${what}: cannot be added up, ${missing.join(', ')} missing.`, cells: involved }];
  }
  const sum = parts.reduce((s, p) => s + cells[p], 0);
  const sumText = `${parts.map((p) => cells[p]).join(' + ')} = ${sum}`;
  const ok = sum === cells[total];
  const detail = ok ? `${what}: ${sumText}, as in ${total}.` : `${what}: ${sumText}, but ${total} is ${cells[total]} (${signed(cells[total] - sum)}).`;
  return [{ id, ok, detail, cells: involved }];
}

// 6.9: outstandingAtStart + chargedInYear = convicted + outstandingAtEnd + otherOutcome + leftArea.
function sfoIdentityCheck(cells: Readonly<ReportCells>, row: string): ReportCheck[] {
  const charges = ['outstandingAtStart', 'chargedInYear'].map((c) => cellId('sfoCharges', row, c));
  const outcomes = ['convicted', 'outstandingAtEnd', 'otherOutcome'].map((c) => cellId('sfoOutcomes', row, c));
  const leftArea = cellId('sfoOutcomes', row, 'leftArea');
  if (![...charges, ...outcomes].every((id) => id in cells)) return [];
  const id = `sfoOutcomes.identity.${row}`;
  const open = charges.reduce((s, c) => s + cells[c], 0);
  const accounted = outcomes.reduce((s, c) => s + cells[c], 0);
  if (leftArea in cells) {
    const total = accounted + cells[leftArea];
    const ok = open === total;
    const text = `${row}: ${open} open in the year (outstanding at start + charged), ${total} accounted for (convicted + outstanding at end + other outcome + left area)`;
    return [{ id, ok, detail: ok ? `${text}.` : `${text}: ${signed(total - open)}.`, cells: [...charges, ...outcomes, leftArea] }];
  }
  // A published file has no leftArea column: the three columns may only fall short of the open cases.
  const ok = accounted <= open;
  const gap = open - accounted;
  const text = `${row}: ${open} open in the year, ${accounted} convicted, outstanding at end or other outcome`;
  const detail = !ok
    ? `${text}: ${accounted - open} more outcomes than open cases.`
    : gap > 0
      ? `${text}; no leftArea column, so ${gap} case(s) are not accounted for (their offenders left the area before an outcome).`
      : `${text}; all accounted for.`;
  return [{ id, ok, detail, cells: [...charges, ...outcomes] }];
}

// 6.10: the division table adds up to the category 1 offenders of the snapshot.
function divisionTotalCheck(cells: Readonly<ReportCells>, area: string): ReportCheck[] {
  const snapshotTotal = cellId(offendersOnSnapshot, TOTAL, 'category1');
  const divisionTotal = cellId(rsoByDivision, TOTAL, 'count');
  const rows = rsoByDivision.rows(area, cells).filter((row) => row !== TOTAL && cellId(rsoByDivision, row, 'count') in cells);
  if (!(snapshotTotal in cells) || (rows.length === 0 && !(divisionTotal in cells))) return [];
  const id = 'rsoByDivision.total';
  if (divisionTotal in cells) {
    const ok = cells[divisionTotal] === cells[snapshotTotal];
    const text = `the division table totals ${cells[divisionTotal]}, the snapshot has ${cells[snapshotTotal]} category 1 offenders`;
    return [{ id, ok, detail: ok ? `${text}.` : `${text} (${signed(cells[divisionTotal] - cells[snapshotTotal])}).`, cells: [divisionTotal, snapshotTotal] }];
  }
  // A published file without a total row: its rows must still add up to the snapshot.
  const parts = rows.map((row) => cellId(rsoByDivision, row, 'count'));
  const sum = parts.reduce((s, p) => s + cells[p], 0);
  const ok = sum === cells[snapshotTotal];
  const text = `the ${rows.length} rows of the division table add up to ${sum}, the snapshot has ${cells[snapshotTotal]} category 1 offenders`;
  const detail = ok
    ? `${text}.`
    : `${text}: ${Math.abs(cells[snapshotTotal] - sum)} ${sum < cells[snapshotTotal] ? 'offenders are in no division row' : 'more in the divisions than in the snapshot'} (no unassigned or total row).`;
  return [{ id, ok, detail, cells: [...parts, snapshotTotal] }];
}

// 6.11: the rate is the snapshot's category 1 offenders per 100,000 of the population reference data.
function rsoRateCheck(cells: Readonly<ReportCells>, area: string, year: number | undefined): ReportCheck[] {
  const rate = cellId(rsoRate, 'per100k', 'value');
  const offenders = cellId(offendersOnSnapshot, TOTAL, 'category1');
  const population = year === undefined ? null : populationAged10Plus(area, year);
  if (!(rate in cells) || !(offenders in cells) || population === null || year === undefined) return [];
  const expected = ratePer100k(cells[offenders], population);
  const ok = expected === cells[rate];
  const text = `${cells[offenders]} category 1 offenders per 100,000 of ${population} aged 10 and over in ${year} ` + `(${populationSource(area)}) is ${expected}`;
  return [{ id: 'rsoRate.population', ok, detail: ok ? `${text}, as in ${rate}.` : `${text}, but ${rate} is ${cells[rate]}.`, cells: [offenders, rate] }];
}

/** A cell whose value differs between a computed report and a published file. */
export interface CellDifference {
  cellId: string;
  /** null: the computed report has no such cell. */
  computed: number | null;
  published: number;
  /** computed - published, or null when the cell is missing. */
  difference: number | null;
}

/** The published cells the computed report does not reproduce; cells only the computed report has are not differences. */
export function compareCells(computed: Readonly<ReportCells>, published: Readonly<ReportCells>): CellDifference[] {
  const differences: CellDifference[] = [];
  for (const [id, value] of Object.entries(published)) {
    const mine = Object.hasOwn(computed, id) ? computed[id] : null; // not `in`: a file may name `constructor`
    if (mine !== value) differences.push({ cellId: id, computed: mine, published: value, difference: mine === null ? null : mine - value });
  }
  return differences;
}

/** Report year Y of a `2014/15` or `2014-15` year label. */
export function reportYearOf(label: string): number {
  const match = /^(\d{4})[/-](\d{2})$/.exec(label);
  if (!match) throw new Error(`A report year is written like 2014/15, not '${echo(label)}'.`);
  return Number(match[1]);
}

const signed = (n: number): string => (n > 0 ? `+${n}` : `${n}`);
