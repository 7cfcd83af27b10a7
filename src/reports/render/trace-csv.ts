import type { EventRef, TraceItem } from '../report.service';

// A trace as CSV (issue 14.1), spreadsheet-safe (OWASP "CSV Injection"): a cell starting = + - @ tab or CR gets a leading quote, as ids may start with '-'.

const FIXED_BY = ['area', 'category', 'level', 'custody', 'division'] as const;

const eventColumns = (prefix: string, withRecordedAt: boolean): string[] => [
  `${prefix}.eventId`,
  `${prefix}.type`,
  `${prefix}.occurredOn`,
  ...(withRecordedAt ? [`${prefix}.recordedAt`, `${prefix}.revision`] : []),
  `${prefix}.position`,
];

/** The header line. */
export const TRACE_CSV_HEADER: string =
  ['offenderId', 'area', 'row', 'column', ...eventColumns('counted', true), ...FIXED_BY.flatMap((f) => eventColumns(`fixedBy.${f}`, false))].join(',') + '\n';

const eventCells = (e: EventRef, withRecordedAt: boolean): string[] => [e.eventId, e.type, e.occurredOn, ...(withRecordedAt ? [e.recordedAt, String(e.revision)] : []), e.position];

/** The lines of some items, each ending in a line break. */
export function traceItemsToCsv(items: readonly TraceItem[]): string {
  return items
    .map(
      (item) =>
        [item.offenderId, item.area, item.row, item.column, ...eventCells(item.counted, true), ...FIXED_BY.flatMap((f) => eventCells(item.fixedBy[f], false))]
          .map(spreadsheetSafe)
          .join(',') + '\n',
    )
    .join('');
}

/** One CSV cell that no spreadsheet reads as a formula. */
export function spreadsheetSafe(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}
