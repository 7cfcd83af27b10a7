import { parseCellId, type ReportCells } from '../tables';

/** One row per cell: table,row,column,value (INTERFACES.md, text/csv). Empty value: no figure. */
export function cellsToCsv(cells: ReportCells): string {
  const lines = ['table,row,column,value'];
  for (const [id, value] of Object.entries(cells)) {
    const cell = parseCellId(id);
    if (!cell) continue;
    lines.push([cell.table, cell.row, cell.column, Number.isFinite(value) ? String(value) : ''].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

const csvField = (text: string): string => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
