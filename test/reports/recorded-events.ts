import type { NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';

// Test helper: events as an event store would hold them after appending them in the given order
// (revision per offender stream, global position from 1, recordedAt increasing).

export function recordInOrder(events: readonly NewOffenderEvent[]): RecordedOffenderEvent[] {
  const revisions = new Map<string, number>();
  const start = Date.UTC(2016, 0, 1);
  return events.map((event, i) => {
    const revision = revisions.get(event.offenderId) ?? 0;
    revisions.set(event.offenderId, revision + 1);
    return {
      ...event,
      revision,
      position: BigInt(i + 1),
      recordedAt: new Date(start + i * 1000).toISOString(),
      metadata: { actor: 'test', agency: 'test', correlationId: `c-${i}`, causationId: null, source: 'import' },
    };
  });
}
