// Follow a figure (auditors): why you look (kept in the access audit), then the rule, the summary
// and the counted items a page at a time, each with the events that counted and fixed it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { download, getJson } from './api';
import { OffenderPanel } from './offender-panel';
import type { TableLayout, TraceItem, TracePage } from './types';

const PAGE = 50;

export function TracePanel(props: {
  area: string;
  year: string;
  cell: string;
  asKnownAt?: string;
  atPosition?: string;
  table?: TableLayout;
  label: (id: string) => string;
  onClose: () => void;
}) {
  const { area, year, cell, asKnownAt, atPosition, table, label, onClose } = props;
  const [reason, setReason] = useState('');
  const [given, setGiven] = useState<string | null>(null);
  const [first, setFirst] = useState<TracePage | null>(null);
  const [items, setItems] = useState<TraceItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [offender, setOffender] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const path = `/reports/${area}/${year}/cells/${cell}/trace`;
  const [, row, column] = cell.split('.');

  useEffect(() => {
    setGiven(null);
    setFirst(null);
    setItems([]);
    setNext(null);
    setProblem(null);
    setOffender(null);
    heading.current?.focus();
  }, [cell, asKnownAt, atPosition]);

  const load = (why: string, after?: string) =>
    getJson<TracePage>(path, { limit: PAGE, after, reason: why, asKnownAt, atPosition })
      .then((page) => {
        if (!after) setFirst(page);
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setNext(page.next);
      })
      .catch((e: Error) => setProblem(e.message));

  return (
    <aside class="trace" aria-labelledby="trace-heading">
      <h2 id="trace-heading" tabIndex={-1} ref={heading}>
        Follow the figure {table ? `${table.section} ${table.title}` : cell}: {label(row)}, {label(column)}
      </h2>
      <p class="cell-id">
        <code>{cell}</code>, {area} {year}
        {asKnownAt ? `, as known at ${asKnownAt}` : ''}
        {atPosition ? `, at event-store position ${atPosition}` : ''}
      </p>
      <button type="button" onClick={onClose}>
        Close
      </button>
      {given === null ? (
        <form
          class="reason"
          onSubmit={(e) => {
            e.preventDefault();
            const why = reason.trim();
            if (!why) return;
            setGiven(why);
            load(why);
          }}
        >
          <label for="reason">Why are you looking at the offenders behind this figure? Your answer is kept in the access audit with your name.</label>
          <input id="reason" name="reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} required maxLength={500} />
          <button type="submit">Show the trace</button>
        </form>
      ) : (
        <p class="given">Your reason, kept in the access audit: “{given}”</p>
      )}
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {first && (
        <>
          <p data-testid="trace-value">
            Value <strong>{first.value.toLocaleString('en-GB')}</strong> ({first.unit}), at event-store position {first.position}.
          </p>
          <h3>Rule</h3>
          <p class="rule" data-testid="trace-rule">
            {first.rule}
          </p>
          {first.summary && (
            <>
              <h3>Summary</h3>
              <p data-testid="trace-summary">
                {first.summary.items.toLocaleString('en-GB')} item(s). By counted event:{' '}
                {Object.entries(first.summary.byCountedType)
                  .map(([t, n]) => `${t} ${n}`)
                  .join(', ') || 'none'}
                . By area:{' '}
                {Object.entries(first.summary.byArea)
                  .map(([a, n]) => `${a} ${n}`)
                  .join(', ') || 'none'}
                .
              </p>
            </>
          )}
          <p>
            <button type="button" onClick={() => download(path, { format: 'csv', reason: given!, asKnownAt, atPosition }, 'text/csv', `trace-${area}-${year}-${cell}.csv`)}>
              Export the whole trace as CSV
            </button>
          </p>
          <h3>Items</h3>
          <div class="scroll">
            <table class="items" data-testid="trace-items">
              <thead>
                <tr>
                  <th scope="col">Offender</th>
                  <th scope="col">Area</th>
                  <th scope="col">Counted event</th>
                  <th scope="col">Fixed by</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={`${i.offenderId}-${i.counted.eventId}-${i.row}-${i.column}`}>
                    <td>
                      <code>{i.offenderId}</code>{' '}
                      <button type="button" class="small" aria-label={`History of offender ${i.offenderId}`} onClick={() => setOffender(i.offenderId)}>
                        history
                      </button>
                    </td>
                    <td>{i.area}</td>
                    <td>{eventText(i.counted)}</td>
                    <td>
                      {Object.entries(i.fixedBy)
                        .filter(([, e]) => e)
                        .map(([what, e]) => `${what}: ${eventText(e!)}`)
                        .join('; ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Showing {items.length.toLocaleString('en-GB')} of {(first.summary?.items ?? items.length).toLocaleString('en-GB')}.{' '}
            {next && (
              <button type="button" onClick={() => load(given!, next)}>
                Show {PAGE} more
              </button>
            )}
          </p>
        </>
      )}
      {offender && given && <OffenderPanel offenderId={offender} reason={given} onClose={() => setOffender(null)} />}
    </aside>
  );
}

const eventText = (e: { type: string; occurredOn: string; recordedAt: string; position: string }) =>
  `${e.type} on ${e.occurredOn} (recorded ${e.recordedAt.slice(0, 10)}, position ${e.position})`;
