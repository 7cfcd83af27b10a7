// The trend of a whole table: each drawn cell a series (colour and dash in a legend), the published
// figures marked on each, and a data table (years × cells) with the same figures for keyboard and screen-reader users.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { TableLayout, Trend } from './types';

type CellTrend = Trend['cells'][number];

/** More series than this and a chart cannot be read: a big table draws its rows' totals, the rest chosen by hand. */
export const MOST_DRAWN = 16;
const COLOURS = ['#0b3d60', '#b35900', '#00795a', '#a8327a', '#2f6fbf', '#6a3d9a', '#8a6d00', '#555555'];
const DASHES = [[], [8, 4], [2, 3]];
const styleOf = (i: number) => ({ colour: COLOURS[i % COLOURS.length], dash: DASHES[Math.floor(i / COLOURS.length) % DASHES.length] });
const figure = (value: number | null | undefined) => (value === null || value === undefined ? '–' : value.toLocaleString('en-GB'));

/** The cells drawn when the table opens: all of a small table; of a big one, its rows' totals (the table's total first). */
export function firstDrawn(cells: string[]): string[] {
  if (cells.length <= MOST_DRAWN) return cells;
  const rowTotals = cells.some((c) => c.endsWith('.total')) ? cells.filter((c) => c.endsWith('.total')) : cells;
  const total = rowTotals.filter((c) => c.split('.')[1] === 'total');
  return [...new Set([...total, ...rowTotals])].slice(0, MOST_DRAWN);
}

export function TableTrend(props: { trend: Trend; table: TableLayout | undefined; label: (id: string) => string; drawn: string[]; onDraw: (cells: string[]) => void }) {
  const { trend, table, label, drawn, onDraw } = props;
  const chart = useRef<HTMLDivElement>(null);
  const nameOf = (cell: string) => {
    const [, row, column] = cell.split('.');
    return table && table.columns.length === 1 ? label(row) : `${label(row)}, ${label(column)}`;
  };
  const series = trend.cells.filter((c) => drawn.includes(c.cell));
  const years = trend.cells[0]?.years.map((y) => y.year) ?? [];

  useEffect(() => {
    if (!chart.current || series.length === 0) return;
    const xs = years.map((_, i) => i);
    const published = series.map((s) => s.years.map((y) => y.published ?? null));
    const highest = Math.max(1, ...series.flatMap((s) => s.years.flatMap((y) => [y.value ?? 0, y.published ?? 0])));
    const plot = new uPlot(
      {
        width: Math.min(720, chart.current.clientWidth || 720),
        height: 320,
        legend: { show: false }, // the legend below names each series with its colour and dash
        scales: { x: { time: false }, y: { range: () => [0, highest * 1.05] } },
        axes: [{ values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? (years[t] ?? '') : '')) }, {}],
        series: [{ label: 'Report year' }, ...series.map((s, i) => ({ label: nameOf(s.cell), stroke: styleOf(i).colour, dash: styleOf(i).dash, width: 2 }))],
        hooks: {
          draw: [
            (u: uPlot) =>
              markPublished(
                u,
                published,
                series.map((_, i) => styleOf(i).colour),
              ),
          ],
        },
      },
      [xs, ...series.map((s) => s.years.map((y) => y.value))] as uPlot.AlignedData,
      chart.current,
    );
    chart.current.dataset.years = `${years[0]}..${years[years.length - 1]}`;
    chart.current.dataset.series = String(plot.series.length - 1);
    return () => plot.destroy();
  }, [trend, drawn.join(',')]);

  return (
    <>
      <details class="drawn">
        <summary>
          Cells drawn: {series.length} of {trend.cells.length}
        </summary>
        <fieldset>
          <legend>Draw these cells</legend>
          {trend.cells.map((c) => (
            <label key={c.cell} class="choice">
              <input
                type="checkbox"
                checked={drawn.includes(c.cell)}
                onChange={(e) => onDraw((e.target as HTMLInputElement).checked ? [...drawn, c.cell] : drawn.filter((d) => d !== c.cell))}
              />
              {nameOf(c.cell)}
            </label>
          ))}
        </fieldset>
      </details>
      <div
        ref={chart}
        class="chart"
        data-testid="trend-chart"
        role="img"
        aria-label={`Chart of ${series.length} cell(s) of ${trend.cells[0]?.table ?? 'the table'} from ${years[0]} to ${years[years.length - 1]}; the table below has the same figures`}
      />
      <ul class="legend" data-testid="trend-legend" aria-label="Legend">
        {series.map((s, i) => (
          <li key={s.cell}>
            <svg width="32" height="10" aria-hidden="true">
              <line x1="0" y1="5" x2="32" y2="5" stroke={styleOf(i).colour} stroke-width="3" stroke-dasharray={styleOf(i).dash.join(' ')} />
            </svg>
            {nameOf(s.cell)}
          </li>
        ))}
        <li>
          <svg width="32" height="12" aria-hidden="true">
            <path d="M16 1 L21 6 L16 11 L11 6 Z" fill="#fff" stroke="#1b1b1b" stroke-width="2" />
          </svg>
          the figure the area published that year
        </li>
      </ul>
      {series.length > 0 && <TrendTable series={series} years={years} nameOf={nameOf} unit={series[0].unit} />}
    </>
  );
}

/** Years down, drawn cells across: the computed figure, and the published one beside it where there is one. */
function TrendTable(props: { series: CellTrend[]; years: string[]; nameOf: (cell: string) => string; unit: string }) {
  const { series, years, nameOf, unit } = props;
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label="The figures of the chart">
      <table class="items trend-table" data-testid="trend-table">
        <caption>Each year&apos;s computed figure ({unit}); where the area published one, the published figure after it</caption>
        <thead>
          <tr>
            <th scope="col">Year</th>
            {series.map((s) => (
              <th scope="col" key={s.cell} data-cell={s.cell}>
                {nameOf(s.cell)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {years.map((year, y) => (
            <tr key={year}>
              <th scope="row">{year}</th>
              {series.map((s) => {
                const point = s.years[y];
                return (
                  <td key={s.cell} data-cell={s.cell}>
                    <span class="value">{figure(point?.value)}</span>
                    {point?.published !== undefined && <span class="published"> (published {figure(point.published)})</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A hollow diamond in the series' colour at each published figure. */
function markPublished(u: uPlot, published: Array<Array<number | null>>, colours: string[]): void {
  const ctx = u.ctx;
  const size = 6 * devicePixelRatio;
  ctx.save();
  ctx.lineWidth = 2 * devicePixelRatio;
  published.forEach((values, i) => {
    ctx.strokeStyle = colours[i];
    values.forEach((value, x) => {
      if (value === null) return;
      const cx = u.valToPos(x, 'x', true);
      const cy = u.valToPos(value, 'y', true);
      ctx.beginPath();
      ctx.moveTo(cx, cy - size);
      ctx.lineTo(cx + size, cy);
      ctx.lineTo(cx, cy + size);
      ctx.lineTo(cx - size, cy);
      ctx.closePath();
      ctx.fillStyle = '#fff';
      ctx.fill();
      ctx.stroke();
    });
  });
  ctx.restore();
}
