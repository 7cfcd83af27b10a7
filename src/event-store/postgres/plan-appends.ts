import type { RecordedOffenderEvent } from '../../domain/offender-event';
import { echo, InvalidInputError } from '../../errors';
import type { ExpectedRevision, StreamAppend, StreamAppendResult } from '../event-store';

/** What the store knows, under the head lock, before judging a batch. */
export interface AppendContext {
  lastPosition: bigint;
  /** recordedAt of the event at lastPosition (null when the store is empty). */
  lastRecordedAt: Date | null;
  /** Last revision of each stream the batch touches; absent: no such stream. */
  lastRevisions: ReadonlyMap<string, number>;
  /** Event ids of the batch that already exist in the store, lowercase. */
  existingEventIds: ReadonlySet<string>;
}

export interface AppendPlan {
  results: StreamAppendResult[];
  /** The events to insert, positions and revisions assigned, in position order. */
  accepted: RecordedOffenderEvent[];
  lastPosition: bigint;
  lastRecordedAt: Date | null;
}

/** Judges each item on its own, in order, and assigns positions and revisions; pure, the caller holds the head lock and does the I/O. */
export function planAppends(items: readonly StreamAppend[], context: AppendContext): AppendPlan {
  const lastRevisions = new Map(context.lastRevisions);
  const takenEventIds = new Set(context.existingEventIds);
  let position = context.lastPosition;
  let lastRecordedAt = context.lastRecordedAt;
  let recordedAtText: string | null = null;
  const results: StreamAppendResult[] = [];
  const accepted: RecordedOffenderEvent[] = [];

  for (const item of items) {
    const eventIds = item.events.map((event) => event.eventId.toLowerCase());
    // A re-post answers "duplicate" even after the stream moved on, so the caller recognises an idempotent retry (DOMAIN.md 3).
    const duplicates = item.events.filter((_event, index) => takenEventIds.has(eventIds[index]) || eventIds.indexOf(eventIds[index]) !== index).map((event) => event.eventId);
    if (duplicates.length > 0) {
      results.push({ status: 'duplicate-event-id', offenderId: item.offenderId, eventIds: duplicates });
      continue;
    }
    const current = lastRevisions.get(item.offenderId) ?? null;
    if (!matchesExpectedRevision(item.expectedRevision, current)) {
      results.push({ status: 'conflict', offenderId: item.offenderId, expectedRevision: item.expectedRevision, actualRevision: current });
      continue;
    }
    // recordedAt never goes backwards along positions: as-known-at reads cut the log by it.
    const requested = new Date(item.recordedAt);
    const recordedAt = lastRecordedAt !== null && lastRecordedAt > requested ? lastRecordedAt : requested;
    // The items of a batch usually share one recordedAt: its text is made once, not per event.
    if (recordedAtText === null || recordedAt.getTime() !== lastRecordedAt?.getTime()) recordedAtText = recordedAt.toISOString();
    lastRecordedAt = recordedAt;

    let revision = current ?? -1;
    // One shape for every event, field by field: a spread of the posted object was a slow copy (4% of an import). Type and data stay paired as posted.
    const recorded = item.events.map(
      (event, index) =>
        ({
          eventId: eventIds[index],
          offenderId: item.offenderId,
          type: event.type,
          occurredOn: event.occurredOn,
          data: event.data,
          revision: ++revision,
          position: ++position,
          recordedAt: recordedAtText!,
          metadata: item.metadata,
        }) as RecordedOffenderEvent,
    );
    if (recorded.length > 0) lastRevisions.set(item.offenderId, revision);
    eventIds.forEach((id) => takenEventIds.add(id));
    accepted.push(...recorded);
    results.push({ status: 'appended', offenderId: item.offenderId, events: recorded });
  }
  return { results, accepted, lastPosition: position, lastRecordedAt };
}

export function matchesExpectedRevision(expected: ExpectedRevision, current: number | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return current === null;
  return current === expected;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses a batch the store could not record faithfully: a guard against programming errors, worded for a user. */
export function assertAppendable(items: readonly StreamAppend[]): void {
  for (const item of items) {
    const refuse = (field: string, message: string): never => {
      throw new InvalidInputError(`The event for offender ${echo(item.offenderId)} cannot be stored: ${message}`, [{ field, message }]);
    };
    if (!item.offenderId) refuse('offenderId', 'the offender id is empty.');
    if (typeof item.expectedRevision === 'number' && !(Number.isInteger(item.expectedRevision) && item.expectedRevision >= 0)) {
      refuse('expectedRevision', 'the expected revision must be a whole number from 0.');
    }
    if (Number.isNaN(new Date(item.recordedAt).getTime())) refuse('recordedAt', `"${echo(item.recordedAt)}" is not a timestamp.`);
    for (const event of item.events) {
      if (!UUID.test(event.eventId)) refuse('eventId', `"${echo(event.eventId)}" is not a UUID.`);
      if (event.offenderId !== item.offenderId) refuse('offenderId', `event ${echo(event.eventId)} belongs to offender ${echo(event.offenderId)}.`);
    }
  }
}
