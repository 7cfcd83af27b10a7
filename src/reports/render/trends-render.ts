import type { Trends } from '../trends';
import { spreadsheetSafe } from './trace-csv';

// A trend (issue 14.4) for a spreadsheet (one row per cell and year) and for a terminal (years down, cells across).

/** cell,unit,year,value,published,change; an empty field where there is none. */
export function trendsToCsv(trends: Trends): string {
  const lines = ['cell,unit,year,value,published,change'];
  for (const c of trends.cells) {
    for (const p of c.years) {
      // Text cells are made spreadsheet-safe; numbers stay numbers (a change of -5 is a number, not a formula).
      const numbers = [p.value, p.published, p.change].map((n) => (n === null || n === undefined ? '' : String(n)));
      lines.push([...[c.cell, c.unit, p.year].map(spreadsheetSafe), ...numbers].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** Each cell: its years with value, change and the published figure where there is one. */
export function trendsToText(trends: Trends): string {
  const blocks = trends.cells.map((c) => {
    const rows = c.years.map((p) => [
      p.year,
      p.value === null ? '-' : p.value.toLocaleString('en-GB'),
      p.change === undefined ? '' : `${p.change > 0 ? '+' : ''}${p.change.toLocaleString('en-GB')}`,
      p.published === undefined ? '' : `published ${p.published.toLocaleString('en-GB')}`,
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
    return `${c.cell} (${c.unit}, ${c.kind})\n${rows
      .map((r) =>
        r
          .map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}`;
  });
  return `${trends.area} ${trends.from} to ${trends.to}\n\n${blocks.join('\n\n')}\n\nposition ${trends.position}${trends.asKnownAt ? `, as known at ${trends.asKnownAt}` : ''}\n`;
}
