// The report of an area and year (or a snapshot date, or a period), laid out like the published report.
import { useEffect, useRef, useState } from 'preact/hooks';
import { download, getJson } from './api';
import { PublicationsList } from './publications-list';
import { RevisionsPanel } from './revisions-panel';
import { TracePanel } from './trace-panel';
import { TrendPanel } from './trend-panel';
import type { Names, Publication, Report, Session, TableLayout } from './types';

type Kind = 'year' | 'date' | 'period';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FIRST_YEAR = 2006;
const yearText = (start: number) => `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
const YEARS = Array.from({ length: new Date().getFullYear() - FIRST_YEAR + 1 }, (_, i) => yearText(FIRST_YEAR + i));
const figure = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en-GB'));

export interface Selection {
  kind: Kind;
  area: string;
  year: string;
  date: string;
  from: string;
  to: string;
  /** A local date-time (the picker's value), or ''. */
  asKnownAt: string;
  /** Or the knowledge moment of a publication (its position). */
  publication: Publication | null;
}

/** The API path and query of a selection. */
function request(s: Selection): { path: string; query: Record<string, string | undefined>; name: string } {
  const asKnownAt = s.asKnownAt ? new Date(s.asKnownAt).toISOString() : undefined;
  const atPosition = s.publication?.position;
  if (s.kind === 'date') return { path: `/snapshots/${s.area}`, query: { date: s.date, asKnownAt, atPosition }, name: `snapshot-${s.area}-${s.date}` };
  if (s.kind === 'period') return { path: `/periods/${s.area}`, query: { from: s.from, to: s.to, asKnownAt, atPosition }, name: `period-${s.area}-${s.from}-${s.to}` };
  return { path: `/reports/${s.area}/${s.year}`, query: { asKnownAt, atPosition }, name: `report-${s.area}-${s.year}` };
}

export function ReportView({ session, names }: { session: Session; names: Names }) {
  const [sel, setSel] = useState<Selection>({
    kind: 'year',
    area: session.reportAreas.includes('greater-manchester') ? 'greater-manchester' : session.reportAreas[0],
    year: '2014-15',
    date: '2015-03-31',
    from: '2014-04-01',
    to: '2015-03-31',
    asKnownAt: '',
    publication: null,
  });
  const [publications, setPublications] = useState<Publication[]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [now, setNow] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [panel, setPanel] = useState<{ kind: 'trace' | 'revisions' | 'trend'; cell: string } | null>(null);
  const asked = useRef(0);

  useEffect(() => {
    const ticket = ++asked.current;
    const started = performance.now();
    setLoading(true);
    setProblem(null);
    const { path, query } = request(sel);
    const current = sel.asKnownAt || sel.publication ? getJson<Report>(path, { ...query, asKnownAt: undefined, atPosition: undefined }) : Promise.resolve(null);
    Promise.all([getJson<Report>(path, query), current])
      .then(([r, n]) => {
        if (ticket !== asked.current) return;
        setReport(r);
        setNow(n);
        document.documentElement.dataset.lastLoadMs = String(Math.round(performance.now() - started));
      })
      .catch((e: Error) => ticket === asked.current && setProblem(e.message))
      .finally(() => ticket === asked.current && setLoading(false));
  }, [sel]);

  // The area's publications of every year: asked again only when the area changes.
  useEffect(() => {
    setPublications([]);
    getJson<{ publications: Publication[] }>('/publications', { area: sel.area })
      .then((p) => setPublications(p.publications))
      .catch(() => setPublications([])); // a caller who may read reports may read publications; nothing to show otherwise
  }, [sel.area]);

  const change = (patch: Partial<Selection>) => setSel({ ...sel, ...patch });
  /** A publication belongs to one area and year: switching either leaves it. */
  const leavePublication = (patch: Partial<Selection>) => change({ ...patch, publication: null });
  const label = (id: string) => names.labels[id] ?? id;
  const { path, query, name } = request(sel);
  const changed = report && now ? Object.keys(report.cells).filter((id) => report.cells[id] !== now.cells[id]) : [];

  return (
    <>
      <form class="controls" aria-label="What to show" onSubmit={(e) => e.preventDefault()}>
        <fieldset>
          <legend>Show</legend>
          {(['year', 'date', 'period'] as Kind[]).map((k) => (
            <label key={k} class="choice">
              <input type="radio" name="kind" value={k} checked={sel.kind === k} onChange={() => change({ kind: k })} />
              {k === 'year' ? 'the annual report' : k === 'date' ? 'a snapshot on any date' : 'the period tables for any range'}
            </label>
          ))}
        </fieldset>
        <label>
          Area
          <select name="area" value={sel.area} onChange={(e) => leavePublication({ area: (e.target as HTMLSelectElement).value })}>
            {session.reportAreas.map((a) => (
              <option key={a} value={a}>
                {names.areas[a] ?? a}
              </option>
            ))}
          </select>
        </label>
        {sel.kind === 'year' && (
          <label>
            Report year
            <select name="year" value={sel.year} onChange={(e) => leavePublication({ year: (e.target as HTMLSelectElement).value })}>
              {YEARS.map((y) => (
                <option key={y} value={y}>
                  {y.replace('-', '/')}
                </option>
              ))}
            </select>
          </label>
        )}
        {sel.kind === 'date' && (
          <label>
            Date
            <input
              type="date"
              name="date"
              value={sel.date}
              required
              onChange={(e) => (e.target as HTMLInputElement).value && change({ date: (e.target as HTMLInputElement).value })}
            />
          </label>
        )}
        {sel.kind === 'period' && (
          <>
            <label>
              From
              <input
                type="date"
                name="from"
                value={sel.from}
                required
                onChange={(e) => (e.target as HTMLInputElement).value && change({ from: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              To
              <input type="date" name="to" value={sel.to} required onChange={(e) => (e.target as HTMLInputElement).value && change({ to: (e.target as HTMLInputElement).value })} />
            </label>
          </>
        )}
        <label>
          As known at (empty: now)
          <input type="datetime-local" name="asKnownAt" value={sel.asKnownAt} onChange={(e) => change({ asKnownAt: (e.target as HTMLInputElement).value, publication: null })} />
        </label>
        {(sel.asKnownAt || sel.publication) && (
          <button type="button" onClick={() => change({ asKnownAt: '', publication: null })}>
            Now
          </button>
        )}
      </form>
      <PublicationsList
        area={names.areas[sel.area] ?? sel.area}
        publications={publications}
        chosen={sel.publication}
        onChoose={(p) => change({ kind: 'year', year: p.year.replace('/', '-'), asKnownAt: '', publication: p })}
      />
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      <p aria-live="polite" class="status">
        {loading ? 'Loading…' : ''}
      </p>
      {report && (
        <article class="report" aria-busy={loading}>
          <h2>{heading(report, names)}</h2>
          <p class="moment" data-testid="moment">
            Computed at event-store position <strong>{report.position}</strong>,{' '}
            {sel.publication ? (
              <>
                as known when published on <strong>{sel.publication.publishedOn}</strong> (the {sel.publication.year} report&apos;s publication {sel.publication.id})
              </>
            ) : report.asKnownAt ? (
              <>
                as known at <strong>{new Date(report.asKnownAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</strong>
              </>
            ) : (
              'as known now'
            )}
            .{now && <> {changed.length === 0 ? 'No cell differs from now.' : `${changed.length} cell(s) differ from now, highlighted.`}</>}
          </p>
          {(report.warnings ?? []).map((w) => (
            <p class="warning" key={w}>
              <strong>Warning:</strong> {w}
            </p>
          ))}
          <p class="downloads">
            Download:{' '}
            <button type="button" onClick={() => download(path, query, 'application/json', `${name}.json`)}>
              JSON
            </button>{' '}
            <button type="button" onClick={() => download(path, query, 'text/csv', `${name}.csv`)}>
              CSV
            </button>{' '}
            <button type="button" onClick={() => download(path, query, 'text/html', `${name}.html`)}>
              HTML
            </button>{' '}
            <button type="button" onClick={() => download(path, query, XLSX, `${name}.xlsx`)}>
              Spreadsheet (.xlsx)
            </button>
          </p>
          {report.tables.map((t) => (
            <ReportTable
              key={t.id}
              table={t}
              report={report}
              now={now}
              label={label}
              traceable={session.may.traceFigures && sel.kind === 'year'}
              onOpen={(kind, cell) => setPanel({ kind, cell })}
              yearly={sel.kind === 'year'}
            />
          ))}
          {report.checks && (
            <section id="checks" aria-labelledby="checks-heading">
              <h3 id="checks-heading">Reconciliation checks</h3>
              <ul>
                {report.checks.map((c) => (
                  <li key={c.id} class={c.ok ? 'ok' : 'fail'}>
                    {c.ok ? '✓ passes' : '✗ fails'}: {c.id}: {c.detail}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </article>
      )}
      {panel?.kind === 'trace' && report && sel.kind === 'year' && (
        <TracePanel
          area={report.area}
          year={sel.year}
          cell={panel.cell}
          asKnownAt={report.asKnownAt ?? undefined}
          atPosition={sel.publication?.position}
          table={report.tables.find((t) => panel.cell.startsWith(`${t.id}.`))}
          label={label}
          onClose={() => setPanel(null)}
        />
      )}
      {panel?.kind === 'revisions' && report && (report.asKnownAt || sel.publication) && sel.kind === 'year' && (
        <RevisionsPanel
          area={report.area}
          year={sel.year}
          cell={panel.cell}
          from={sel.publication ? `publication:${sel.publication.id}` : report.asKnownAt!}
          offenders={session.may.traceFigures}
          onClose={() => setPanel(null)}
        />
      )}
      {panel?.kind === 'trend' && report && (
        <TrendPanel
          area={report.area}
          cell={panel.cell}
          year={sel.year}
          asKnownAt={report.asKnownAt ?? undefined}
          layout={report.tables.find((t) => panel.cell === `table:${t.id}`)}
          label={label}
          onClose={() => setPanel(null)}
        />
      )}
    </>
  );
}

function heading(report: Report, names: Names): string {
  const area = names.areas[report.area] ?? report.area;
  if (report.year) return `MAPPA annual report ${report.year.replace('-', '/')}: ${area}`;
  if (report.period) return `${area}: the period tables, ${report.period.from} to ${report.period.to}`;
  return `${area}: offenders in the community at the end of ${report.date}`;
}

function ReportTable(props: {
  table: TableLayout;
  report: Report;
  now: Report | null;
  label: (id: string) => string;
  traceable: boolean;
  yearly: boolean;
  onOpen: (kind: 'trace' | 'revisions' | 'trend', cell: string) => void;
}) {
  const { table, report, now, label, traceable, yearly, onOpen } = props;
  return (
    <section class="table" id={table.id} aria-labelledby={`${table.id}-title`}>
      <h3 id={`${table.id}-title`}>
        {table.section} {table.title}
      </h3>
      {table.unitText && <p class="unit">Each figure counts {table.unitText}.</p>}
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <td></td>
              {table.columns.map((c) => (
                <th key={c} scope="col">
                  {label(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r} class={r === 'total' ? 'total' : undefined}>
                <th scope="row">{label(r)}</th>
                {table.columns.map((c) => {
                  const id = `${table.id}.${r}.${c}`;
                  const value = report.cells[id];
                  const differs = now !== null && now.cells[id] !== value;
                  const text = figure(value);
                  return (
                    <td key={c} data-cell={id} class={differs ? 'changed' : undefined} title={differs ? `${id}: ${figure(now!.cells[id])} now` : id}>
                      {traceable && Number.isFinite(value) ? (
                        <button type="button" class="cell" aria-label={`${text}: follow ${label(r)}, ${label(c)} to its events`} onClick={() => onOpen('trace', id)}>
                          {text}
                        </button>
                      ) : (
                        text
                      )}
                      {differs && <span class="was"> (now {figure(now!.cells[id])})</span>}
                      {differs && yearly && (
                        <button type="button" class="small" onClick={() => onOpen('revisions', id)} aria-label={`Revisions of ${label(r)}, ${label(c)}`}>
                          revisions
                        </button>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {yearly && (
        <p>
          <button type="button" class="small" onClick={() => onOpen('trend', `table:${table.id}`)}>
            Trend of {table.section} across the years
          </button>
        </p>
      )}
      <details>
        <summary>How this is counted</summary>
        <p>{table.rule}</p>
      </details>
    </section>
  );
}
