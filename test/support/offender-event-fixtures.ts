import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewOffenderEvent } from '../../src/domain/offender-event';
import type { ExpectedRevision, StreamAppend } from '../../src/event-store/event-store';
import { eventsOf, randomEventId } from './offender-events';

/** Metadata as the command layer sets it. */
export const testMetadata = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  actor: 'officer-1',
  agency: 'probation',
  correlationId: randomUUID(),
  causationId: null,
  source: 'api',
  ...overrides,
});

// Shorthands of the store tests, written with the one vocabulary (offender-events.ts): any offender, a fresh UUID.

/** A LevelChanged event for `offenderId` (the most common, smallest event). */
export const levelChanged = (offenderId: string, level: 1 | 2 | 3 = 2, occurredOn = '2014-06-02'): NewOffenderEvent =>
  eventsOf(offenderId, randomEventId).levelChanged(occurredOn, level);

export const offenderRegistered = (offenderId: string, occurredOn = '2014-04-01'): NewOffenderEvent =>
  eventsOf(offenderId, randomEventId).registered(occurredOn, { division: 'north', onLicence: true });

/** One item of an appendToStreams batch. */
export const appendOf = (
  offenderId: string,
  expectedRevision: ExpectedRevision,
  events: readonly NewOffenderEvent[],
  options: { recordedAt?: string; metadata?: EventMetadata } = {},
): StreamAppend => ({
  offenderId,
  expectedRevision,
  events,
  metadata: options.metadata ?? testMetadata(),
  recordedAt: options.recordedAt ?? new Date().toISOString(),
});

/** Offender ids unique to one test run, so tests can share a store without seeing each other. */
export function offenderIds(prefix = 'T'): (name: string | number) => string {
  const run = randomUUID().slice(0, 8);
  return (name) => `${prefix}-${run}-${name}`;
}
