import { isPrintableText } from '../domain/printable-text';
import { echo, InvalidInputError, type ErrorDetail } from '../errors';
import { yearLabel } from '../reports/report-period';
import type { PublishedFigures as PublishedFiguresFile } from '../reports/report-checks';
import { parseCellId, reportCellIds, rsoByDivision } from '../reports/tables';

// A published figures file (issue 14.2), checked strictly before it is stored, so no publication holds a file `mappa check` could not read.

const KEYS = new Set(['area', 'year', 'source', 'notes', 'cells', 'publishedDiffers']);
const MAX_CELLS = 2000;
const MAX_TEXT = 2000;

/** `value` as a published figures file of `area`'s report for `year`, or a 400 naming every problem (at most 10). */
export function publishedFiguresFile(value: unknown, area: string, year: number): PublishedFiguresFile {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, rule: string, message: string) => problems.push({ field: `figures.${field}`, rule, message });
  if (!isPlainObject(value))
    throw invalid([{ field: 'figures', rule: 'object', message: 'figures must be a JSON object like reference/published/greater-manchester-2014-15.json' }]);
  for (const key of Object.keys(value)) if (!KEYS.has(key)) problem(echo(key), 'unknown-field', 'not a field of a published figures file');
  if (value.area !== area) problem('area', 'same-area', `must be ${area}, the area of the publication`);
  if (value.year !== yearLabel(year) && value.year !== yearLabel(year).replace('/', '-')) problem('year', 'same-year', `must be ${yearLabel(year)}, the year of the publication`);
  if (value.source !== undefined && !isPrintableText(value.source, MAX_TEXT)) problem('source', 'text', `printable text of at most ${MAX_TEXT} characters`);
  if (value.notes !== undefined && !(Array.isArray(value.notes) && value.notes.length <= 50 && value.notes.every((n) => isPrintableText(n, MAX_TEXT)))) {
    problem('notes', 'text', `a list of at most 50 printable texts of at most ${MAX_TEXT} characters`);
  }
  const known = new Set(reportCellIds(area));
  const isCell = (id: string) => known.has(id) || isDivisionCell(id);
  if (!isPlainObject(value.cells) || Object.keys(value.cells).length === 0 || Object.keys(value.cells).length > MAX_CELLS) {
    problem('cells', 'cells', `an object of 1-${MAX_CELLS} cell ids (such as offendersOnSnapshot.level1.category1) and their figures`);
  } else {
    for (const [id, figure] of Object.entries(value.cells)) {
      if (!isCell(id)) problem(`cells.${echo(id)}`, 'known-cell', 'not a cell of the report');
      else if (!isFigure(figure)) problem(`cells.${echo(id)}`, 'figure', 'a figure is a finite number, at least 0');
    }
  }
  if (value.publishedDiffers !== undefined) {
    if (!isPlainObject(value.publishedDiffers)) problem('publishedDiffers', 'object', 'an object of cell ids and { published, why }');
    else {
      for (const [id, printed] of Object.entries(value.publishedDiffers)) {
        const ok =
          isCell(id) &&
          isPlainObject(printed) &&
          isFigure(printed.published) &&
          Object.keys(printed).every((k) => k === 'published' || k === 'why') &&
          (printed.why === undefined || isPrintableText(printed.why, MAX_TEXT));
        if (!ok) problem(`publishedDiffers.${echo(id)}`, 'printed-figure', 'a cell of the report with { published: <figure>, why?: <text> }');
      }
    }
  }
  if (problems.length > 0) throw invalid(problems.slice(0, 10));
  return value as unknown as PublishedFiguresFile;
}

/** A division row of 6.10: any kebab-case division (areas without configured divisions accept any). */
function isDivisionCell(id: string): boolean {
  const parsed = parseCellId(id);
  return parsed?.table === rsoByDivision.id && parsed.column === 'count' && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(parsed.row) && parsed.row.length <= 64;
}

const isFigure = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(details: ErrorDetail[]): InvalidInputError {
  return new InvalidInputError(`The published figures file is not one the service can check: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}.`, details);
}
