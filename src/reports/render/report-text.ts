import { label, cellId, type ReportCells } from '../tables';
import type { TableLayout } from '../report.service';

/** Plain-text tables for a terminal. */
export function tablesToText(tables: readonly TableLayout[], cells: ReportCells): string {
  return tables
    .map((t) => {
      const header = ['', ...t.columns.map(shortLabel)];
      const rows = t.rows.map((r) => [shortLabel(r), ...t.columns.map((c) => format(cells[cellId(t.id as never, r, c)]))]);
      const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
      const line = (row: string[]) => row.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
      return `${t.section} ${t.title}${t.unit ? ` [${t.unit}]` : ''}\n${line(header)}\n${rows.map(line).join('\n')}`;
    })
    .join('\n\n');
}

const format = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toLocaleString('en-GB'));

function shortLabel(id: string): string {
  const text = label(id);
  return text.length > 28 ? text.replace(/ – .*/, '') : text;
}
