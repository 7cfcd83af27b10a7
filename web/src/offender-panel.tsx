// From a trace item (auditors): the offender's events in effective order, retracted ones marked, and
// the state at any date. Read with the reason given for the trace, kept in the access audit again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api';

interface OffenderEvent {
  eventId: string;
  type: string;
  occurredOn: string;
  recordedAt: string;
  position: string;
  retractedBy: string | null;
  data?: Record<string, unknown>;
}

export function OffenderPanel(props: { offenderId: string; reason: string; onClose: () => void }) {
  const { offenderId, reason, onClose } = props;
  const [history, setHistory] = useState<{ events: OffenderEvent[]; hiddenPeriods: number } | null>(null);
  const [asOf, setAsOf] = useState('2015-03-31');
  const [state, setState] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const path = `/offenders/${encodeURIComponent(offenderId)}`;

  useEffect(() => {
    heading.current?.focus();
    setHistory(null);
    getJson<{ events: OffenderEvent[]; hiddenPeriods: number }>(`${path}/events`, { reason })
      .then(setHistory)
      .catch((e: Error) => setProblem(e.message));
  }, [offenderId]);
  useEffect(() => {
    if (!asOf) return;
    getJson<unknown>(path, { asOf, reason })
      .then(setState)
      .catch((e: Error) => setState({ refused: e.message }));
  }, [offenderId, asOf]);

  // Effective order: the date each event took effect, then the order the service recorded them.
  const events = history ? [...history.events].sort((a, b) => a.occurredOn.localeCompare(b.occurredOn) || Number(BigInt(a.position) - BigInt(b.position))) : [];
  return (
    <aside class="trace offender" aria-labelledby="offender-heading">
      <h2 id="offender-heading" tabIndex={-1} ref={heading}>
        History of offender <code>{offenderId}</code>
      </h2>
      <button type="button" onClick={onClose}>
        Close
      </button>
      <p class="given">Read with your reason, kept in the access audit: “{reason}”</p>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {history && (
        <>
          {history.hiddenPeriods > 0 && <p>{history.hiddenPeriods} MAPPA period(s) of this offender were managed by areas you may not read: their events are left out.</p>}
          <table class="items" data-testid="offender-events">
            <caption>Events in effective order (the date each took effect)</caption>
            <thead>
              <tr>
                <th scope="col">Took effect</th>
                <th scope="col">Event</th>
                <th scope="col">Recorded</th>
                <th scope="col">Position</th>
                <th scope="col">Retracted</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.eventId} class={e.retractedBy ? 'retracted' : undefined}>
                  <td>{e.occurredOn}</td>
                  <td>{e.type}</td>
                  <td>{e.recordedAt.slice(0, 10)}</td>
                  <td>{e.position}</td>
                  <td>{e.retractedBy ? `retracted by ${e.retractedBy}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <label>
        State at the end of <input type="date" value={asOf} onChange={(e) => setAsOf((e.target as HTMLInputElement).value)} />
      </label>
      {state !== null && (
        <pre class="state" data-testid="offender-state">
          {JSON.stringify(state, null, 2)}
        </pre>
      )}
    </aside>
  );
}
