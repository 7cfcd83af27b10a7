// A changed cell's revisions: both values and the events, recorded in between, that moved it.
// Auditors see the offenders (after giving a reason, kept in the access audit); analysts the counts by cause.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api';
import type { Revisions } from './types';

export function RevisionsPanel(props: { area: string; year: string; cell: string; from: string; offenders: boolean; onClose: () => void }) {
  const { area, year, cell, from, offenders, onClose } = props;
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<Revisions | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const load = (why?: string) =>
    getJson<Revisions>(`/reports/${area}/${year}/revisions`, { from, detail: offenders ? 'items' : 'counts', reason: why })
      .then(setAnswer)
      .catch((e: Error) => setProblem(e.message));
  useEffect(() => {
    setAnswer(null);
    setProblem(null);
    heading.current?.focus();
    if (!offenders) load();
  }, [cell, from]);
  const revised = answer?.cells.find((c) => c.cellId === cell);
  return (
    <aside class="trace revisions" aria-labelledby="revisions-heading">
      <h2 id="revisions-heading" tabIndex={-1} ref={heading}>
        Revisions of <code>{cell}</code> since {from}
      </h2>
      <button type="button" onClick={onClose}>
        Close
      </button>
      {offenders && !answer && (
        <form
          class="reason"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) load(reason.trim());
          }}
        >
          <label for="revisions-reason">Why are you looking at the offenders who moved this figure? Your answer is kept in the access audit.</label>
          <input id="revisions-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} required maxLength={500} />
          <button type="submit">Show the revisions</button>
        </form>
      )}
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {answer && !revised && <p>This cell has the same value at both moments.</p>}
      {answer && revised && (
        <div data-testid="revision">
          <p>
            {revised.from ?? '–'} as known at position {answer.from.position}, {revised.to ?? '–'} at position {answer.to.position} ({revised.entered} item(s) entered,{' '}
            {revised.left} left). Causes:{' '}
            {Object.entries(revised.causes)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ') || 'none'}
            .
          </p>
          {revised.items && (
            <table class="items">
              <thead>
                <tr>
                  <th scope="col">Change</th>
                  <th scope="col">Offender</th>
                  <th scope="col">The event that moved it</th>
                </tr>
              </thead>
              <tbody>
                {revised.items.map((i) => (
                  <tr key={`${i.offenderId}-${i.cause.eventId}-${i.change}`}>
                    <td>{i.change}</td>
                    <td>
                      <code>{i.offenderId}</code>
                    </td>
                    <td data-testid="cause">
                      {i.cause.kind}: {i.cause.type} on {i.cause.occurredOn}, recorded {i.cause.recordedAt.slice(0, 10)} at position {i.cause.position} by{' '}
                      {i.cause.agency ?? 'an agency not kept'} (event {i.cause.eventId})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </aside>
  );
}
