import type { EventMetadata, NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore } from '../../src/event-store/event-store';
import { testMetadata } from './offender-event-fixtures';

/**
 * Appends `events` one event per stream append (50 appends a batch), each at the revision its
 * offender's stream has reached (kept in `revisions`, so a later call continues the same streams).
 */
export async function appendEventByEvent(
  store: Pick<EventStore, 'appendToStreams'>,
  events: readonly NewOffenderEvent[],
  options: { revisions?: Map<string, number>; metadata?: (index: number) => EventMetadata } = {},
): Promise<RecordedOffenderEvent[]> {
  const revisions = options.revisions ?? new Map<string, number>();
  const metadata = options.metadata ?? (() => testMetadata());
  const out: RecordedOffenderEvent[] = [];
  for (let i = 0; i < events.length; i += 50) {
    const results = await store.appendToStreams(
      events.slice(i, i + 50).map((e, j) => {
        const rev = revisions.get(e.offenderId);
        revisions.set(e.offenderId, (rev ?? -1) + 1);
        return { offenderId: e.offenderId, expectedRevision: rev ?? 'no-stream', events: [e], metadata: metadata(i + j), recordedAt: new Date().toISOString() };
      }),
    );
    for (const r of results) {
      if (r.status !== 'appended') throw new Error(`not appended: ${r.status}`);
      out.push(...r.events);
    }
  }
  return out;
}
