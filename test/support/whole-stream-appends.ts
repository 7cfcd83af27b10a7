import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { StreamAppend } from '../../src/event-store/event-store';
import { testMetadata } from './offender-event-fixtures';

/** The store's bulk path: one new stream per offender, holding all of that offender's `events` in order. */
export function wholeStreamAppends(events: readonly NewOffenderEvent[]): StreamAppend[] {
  const streams = new Map<string, NewOffenderEvent[]>();
  for (const e of events) streams.set(e.offenderId, [...(streams.get(e.offenderId) ?? []), e]);
  return [...streams].map(([offenderId, stream]) => ({
    offenderId,
    expectedRevision: 'no-stream',
    events: stream,
    metadata: testMetadata(),
    recordedAt: new Date().toISOString(),
  }));
}
