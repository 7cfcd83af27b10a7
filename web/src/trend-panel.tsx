// Trends: a whole table, or one cell of it, across report years (as known now or at a moment), published values marked.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { getJson } from './api';
import { firstDrawn, TableTrend } from './table-trend';
import type { TableLayout, Trend } from './types';

const yearText = (start: number) => `${start}-${String((start + 1) % 100).padStart(2, '0')}`;

export function TrendPanel(props: {
  area: string;
  cell: string;
  year?: string;
  asKnownAt?: string;
  layout: TableLayout | undefined;
  label: (id: string) => string;
  onClose: () => void;
}) {
  const { area, asKnownAt, layout, label, onClose } = props;
  const table = props.cell.replace(/^table:/, '');
  const last = Number((props.year ?? '2014-15').slice(0, 4));
  const [from, setFrom] = useState(yearText(last - 6));
  const [to, setTo] = useState(yearText(last));
  const [trend, setTrend] = useState<Trend | null>(null);
  const [chosen, setChosen] = useState<string>('');
  const [whole, setWhole] = useState(true);
  const [drawn, setDrawn] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const chart = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), [table]);
  useEffect(() => {
    setProblem(null);
    getJson<Trend>(`/trends/${area}`, { table, from, to, asKnownAt })
      .then((t) => {
        setTrend(t);
        const total = t.cells.find((c) => c.cell.endsWith('.total.total')) ?? t.cells.find((c) => c.cell.includes('.total.')) ?? t.cells[0];
        setChosen((old) => (t.cells.some((c) => c.cell === old) ? old : (total?.cell ?? '')));
        const ids = t.cells.map((c) => c.cell);
        setDrawn((old) => (old.length > 0 && old.every((c) => ids.includes(c)) ? old : firstDrawn(ids)));
      })
      .catch((e: Error) => setProblem(e.message));
  }, [area, table, from, to, asKnownAt]);

  const series = trend?.cells.find((c) => c.cell === chosen);
  useEffect(() => {
    if (whole || !series || !chart.current) return;
    const years = series.years.map((y) => y.year);
    const xs = years.map((_, i) => i);
    const values = series.years.map((y) => y.value);
    const published = series.years.map((y) => (y.published === undefined ? null : y.published));
    const plot = new uPlot(
      {
        width: Math.min(720, chart.current.clientWidth || 720),
        height: 300,
        scales: { x: { time: false } },
        axes: [{ values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? (years[t] ?? '') : '')) }, {}],
        series: [
          { label: 'Report year', value: (_u: uPlot, v: number | null) => (v === null ? '' : (years[v] ?? '')) },
          { label: 'Computed', stroke: '#0b3d60', width: 2 },
          { label: 'Published', stroke: '#b35900', paths: () => null, points: { show: true, size: 10, fill: '#b35900' } },
        ],
      },
      [xs, values, published] as uPlot.AlignedData,
      chart.current,
    );
    chart.current.dataset.years = `${years[0]}..${years[years.length - 1]}`;
    return () => plot.destroy();
  }, [series, whole]);

  const years = Array.from({ length: new Date().getFullYear() - 2006 + 1 }, (_, i) => yearText(2006 + i));
  return (
    <aside class="trace trend" aria-labelledby="trend-heading">
      <h2 id="trend-heading" tabIndex={-1} ref={heading}>
        Trend of {table} in {area}
        {asKnownAt ? `, as known at ${asKnownAt}` : ''}
      </h2>
      <button type="button" onClick={onClose}>
        Close
      </button>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <fieldset>
          <legend>Draw</legend>
          <label class="choice">
            <input type="radio" name="trend-view" checked={whole} onChange={() => setWhole(true)} />
            the whole table
          </label>
          <label class="choice">
            <input type="radio" name="trend-view" checked={!whole} onChange={() => setWhole(false)} />
            one cell
          </label>
        </fieldset>
        {!whole && (
          <label>
            Cell
            <select value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              {trend?.cells.map((c) => (
                <option key={c.cell} value={c.cell}>
                  {c.cell}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          From
          <select value={from} onChange={(e) => setFrom((e.target as HTMLSelectElement).value)}>
            {years.map((y) => (
              <option key={y}>{y}</option>
            ))}
          </select>
        </label>
        <label>
          To
          <select value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
            {years.map((y) => (
              <option key={y}>{y}</option>
            ))}
          </select>
        </label>
      </form>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {whole && trend && <TableTrend trend={trend} table={layout} label={label} drawn={drawn} onDraw={setDrawn} />}
      {!whole && (
        <div
          ref={chart}
          class="chart"
          data-testid="trend-chart"
          role="img"
          aria-label={
            series ? `Chart of ${series.cell} from ${series.years[0]?.year} to ${series.years[series.years.length - 1]?.year}; the table below has the same figures` : 'Trend chart'
          }
        />
      )}
      {!whole && series && (
        <table class="items">
          <caption>
            {series.cell} ({series.unit})
          </caption>
          <thead>
            <tr>
              <th scope="col">Year</th>
              <th scope="col">Computed</th>
              <th scope="col">Published</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {series.years.map((y) => (
              <tr key={y.year}>
                <th scope="row">{y.year}</th>
                <td>{y.value ?? '–'}</td>
                <td>{y.published ?? ''}</td>
                <td>{y.change ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
