import ExcelJS from 'exceljs';
import { areaName } from '../../domain/reference-areas';
import { cellId, label } from '../tables';
import type { RenderableReport } from './report-html';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A sheet's name for a table: its section and id, within Excel's 31 characters and without []:*?/\ . */
export const sheetName = (section: string, id: string): string => `${section} ${id}`.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);

/** The report as a spreadsheet (issue 15): a sheet per table laid out as published, plus a Notes sheet; numbers as numbers, text never a formula. */
export async function reportToXlsx(report: RenderableReport): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'mappa';
  for (const table of report.tables) {
    const sheet = book.addWorksheet(sheetName(table.section, table.id));
    sheet.addRow([`${table.section} ${table.title}`]).font = { bold: true };
    sheet.addRow(['', ...table.columns.map(label)]).font = { bold: true };
    for (const row of table.rows) {
      const values = table.columns.map((c) => {
        const v = report.cells[cellId(table.id as never, row, c)];
        return v === undefined || !Number.isFinite(v) ? null : v;
      });
      sheet.addRow([label(row), ...values]);
    }
    sheet.getColumn(1).width = 34;
  }
  const notes = book.addWorksheet('Notes');
  const moment = report.asKnownAt ? `as known at ${report.asKnownAt}` : 'as known when computed';
  notes.addRow([heading(report)]).font = { bold: true };
  notes.addRow(['Event-store position', report.position]);
  notes.addRow(['Knowledge moment', moment]);
  notes.addRow([]);
  notes.addRow(['Sheet', 'Table', 'Counts', 'Rule']).font = { bold: true };
  for (const t of report.tables) notes.addRow([sheetName(t.section, t.id), `${t.section} ${t.title}`, t.unitText, t.rule]);
  notes.getColumn(4).width = 100;
  return Buffer.from(await book.xlsx.writeBuffer());
}

function heading(report: RenderableReport): string {
  const area = areaName(report.area);
  if (report.year) return `MAPPA annual report ${report.year}: ${area}`;
  if (report.period) return `MAPPA period tables ${report.period.from} to ${report.period.to}: ${area}`;
  return `MAPPA offenders in the community on ${report.date}: ${area}`;
}
