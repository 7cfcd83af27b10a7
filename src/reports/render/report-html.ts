import { areaName } from '../../domain/reference-areas';
import type { TableLayout } from '../report.service';
import { cellId, label, type ReportCells } from '../tables';

export interface RenderableReport {
  area: string;
  year?: string;
  date?: string;
  period?: { from: string; to: string };
  asKnownAt: string | null;
  position: string;
  /** Said above the figures (an empty store). */
  warnings?: string[];
  cells: ReportCells;
  tables: TableLayout[];
  checks?: Array<{ id: string; ok: boolean; detail: string }>;
  population?: { value: number | null; source: string };
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const figure = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en-GB'));

/** The tables laid out like the published report, with the rule each implements and the checks. */
export function reportToHtml(report: RenderableReport): string {
  const heading = report.year
    ? `MAPPA annual report ${escape(report.year)}: ${escape(areaName(report.area))}`
    : `MAPPA offenders in the community on ${escape(report.date ?? '')}: ${escape(areaName(report.area))}`;
  const tables = report.tables
    .map((t) => {
      const head = `<tr><th></th>${t.columns.map((c) => `<th>${escape(label(c))}</th>`).join('')}</tr>`;
      const body = t.rows
        .map(
          (r) =>
            `<tr${r === 'total' ? ' class="total"' : ''}><th>${escape(label(r))}</th>${t.columns
              .map((c) => `<td title="${escape(cellId(t.id as never, r, c))}">${figure(report.cells[cellId(t.id as never, r, c)])}</td>`)
              .join('')}</tr>`,
        )
        .join('');
      return `<section id="${escape(t.id)}"><h2>${escape(t.section)} ${escape(t.title)}</h2>${t.unitText ? `<p class="unit">Each figure counts ${escape(t.unitText)}.</p>` : ''}<table>${head}${body}</table><details><summary>How this is counted</summary><p>${escape(t.rule)}</p></details></section>`;
    })
    .join('\n');
  const checks = report.checks
    ? `<section id="checks"><h2>Reconciliation checks</h2><ul>${report.checks
        .map((c) => `<li class="${c.ok ? 'ok' : 'fail'}">${c.ok ? '✓' : '✗'} ${escape(c.id)}: ${escape(c.detail)}</li>`)
        .join('')}</ul></section>`
    : '';
  const population = report.population ? `<p>Population aged 10 and over: ${figure(report.population.value ?? undefined)} (${escape(report.population.source)}).</p>` : '';
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${heading}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #bbb;padding:.25rem .6rem}td{text-align:right}tr.total{font-weight:bold}.fail{color:#a00}.ok{color:#060}
details{color:#444;font-size:.9em}</style></head>
<body><h1>${heading}</h1>
${(report.warnings ?? []).map((w) => `<p class="warning"><strong>Warning:</strong> ${escape(w)}</p>\n`).join('')}<p>${report.period ? `Period ${escape(report.period.from)} to ${escape(report.period.to)}. ` : ''}Computed at event-store position ${escape(report.position)}${report.asKnownAt ? `, as known at ${escape(report.asKnownAt)}` : ''}.</p>
${tables}
${population}
${checks}
</body></html>
`;
}
