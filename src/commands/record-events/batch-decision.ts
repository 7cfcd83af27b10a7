import { recordingRefusal, unknownOffenderRefusal } from '../../auth/access-policy';
import { decide } from '../../domain/offender-decider';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../domain/offender-event';
import type { TimelineEvent } from '../../domain/offender-timeline';
import { advanceTail, foldTail, type StreamTail } from '../../domain/stream-tail';
import { ConcurrencyConflictError, IdempotencyConflictError, type MappaError } from '../../errors';
import type { ExpectedRevision } from '../../event-store/event-store';
import { canonicalJson } from './event-input';
import type { RecordContext, RecordOutcome } from './record-offender-events.command';

// One attempt at a batch decided without I/O (issue 13, item 2), so the handler alone reads, appends and retries.

/** An offender's stream as read for this attempt. */
export interface LoadedStream {
  events: readonly RecordedOffenderEvent[];
  /** The stream folded to its end, when the cache kept one (src/domain/stream-tail.ts). */
  tail?: StreamTail;
  /** Read from the cache rather than the store: a refusal must be confirmed on a fresh read. */
  cached: boolean;
  /** The cache's ids of the stream's events (CachedStream.eventIds); absent: the stream is walked for re-posted ids. */
  eventIds?: ReadonlySet<string>;
}

export interface BatchInput {
  events: readonly NewOffenderEvent[];
  /** Indices of `events` still to decide, in order. */
  pending: readonly number[];
  streams: ReadonlyMap<string, LoadedStream>;
  context: Pick<RecordContext, 'principal' | 'expectedRevision'>;
  /** The service's date, YYYY-MM-DD. */
  today: string;
  /** Event ids the store reported as used by another offender's stream. */
  usedElsewhere: ReadonlySet<string>;
}

/** The events of one offender to append, with the indices of the batch they answer. */
export interface PlannedAppend {
  offenderId: string;
  expectedRevision: ExpectedRevision;
  indices: number[];
  /** The stream the append was decided on (stored, then accepted) and its tail, for the cache. */
  stored: readonly RecordedOffenderEvent[];
  tail?: StreamTail;
}

export interface BatchDecision {
  /** Outcomes settled by this attempt, by index of the batch. */
  outcomes: Map<number, RecordOutcome>;
  appends: PlannedAppend[];
  /** Repeats of an event accepted earlier in the same batch: [index, index of the first]. */
  repeats: Array<[index: number, of: number]>;
  /** Indices to decide again on a fresh read of their offender. */
  retry: number[];
  /** Offenders refused on a cached copy: read from the store from now on. */
  stale: Set<string>;
  /** Each offender's stream as last decided on (for the access audit). */
  timelines: Map<string, readonly TimelineEvent[]>;
}

interface Seen {
  event: NewOffenderEvent;
  stored?: RecordedOffenderEvent;
  batchIndex?: number;
}

interface WorkingStream {
  stored: readonly RecordedOffenderEvent[];
  /** The stored events with those accepted after them, copied at the first acceptance (the stored array is the cache's own); absent: none accepted yet. */
  extended?: TimelineEvent[];
  /** Events accepted in this batch, and those stored that bear a pending event's id when the stream had no id set. */
  byEventId: Map<string, Seen>;
  /** The stored events' ids, when the cache gave them. */
  storedIds?: ReadonlySet<string>;
  accepted: number[];
  tail?: StreamTail;
  cached: boolean;
}

/** Decides pending events in order against each stream plus the events accepted before it; a refusal on a cached stream waits for a fresh read. */
export function decideBatch({ events, pending, streams, context, today, usedElsewhere }: BatchInput): BatchDecision {
  // A re-posted event is found by the cache's id set, else by one walk of the stream for the batch's ids (an import's streams are long).
  const pendingIds = new Set(pending.map((i) => events[i].eventId));
  const working = new Map<string, WorkingStream>();
  for (const [offenderId, loaded] of streams) {
    const byEventId = new Map<string, Seen>();
    if (loaded.eventIds === undefined) for (const e of loaded.events) if (pendingIds.has(e.eventId)) byEventId.set(e.eventId, { event: e, stored: e });
    working.set(offenderId, {
      stored: loaded.events,
      byEventId,
      storedIds: loaded.eventIds,
      accepted: [],
      tail: loaded.tail,
      cached: loaded.cached,
    });
  }
  const decision: BatchDecision = { outcomes: new Map(), appends: [], repeats: [], retry: [], stale: new Set(), timelines: new Map() };

  for (const i of pending) {
    const event = events[i];
    const stream = working.get(event.offenderId)!;
    if (decision.stale.has(event.offenderId)) {
      decision.retry.push(i);
      continue;
    }
    const refuse = (error: MappaError) => {
      if (!stream.cached) {
        decision.outcomes.set(i, refused(event, error));
        return;
      }
      decision.stale.add(event.offenderId);
      decision.retry.push(i);
    };
    const timeline = timelineOf(stream);
    const forbidden = recordingRefusal(context.principal, timeline, event) ?? unknownOffenderRefusal(context.principal, timeline, event);
    if (forbidden) {
      refuse(forbidden);
      continue;
    }
    const seen = stream.byEventId.get(event.eventId) ?? storedWithId(stream, event.eventId);
    if (seen) {
      if (canonicalJson(contentOf(seen.event)) !== canonicalJson(contentOf(event))) {
        refuse(
          new IdempotencyConflictError(`Event ${event.eventId} was already recorded with different content; a corrected event needs a new eventId.`, [
            { field: 'eventId', rule: 'idempotency', message: 'eventId already used for different content' },
          ]),
        );
      } else if (seen.stored) {
        decision.outcomes.set(i, { status: 'duplicate', ...receipt(seen.stored) });
      } else {
        decision.repeats.push([i, seen.batchIndex!]);
      }
      continue;
    }
    if (usedElsewhere.has(event.eventId)) {
      decision.outcomes.set(
        i,
        refused(
          event,
          new IdempotencyConflictError(`Event ${event.eventId} was already recorded for another offender; each event needs its own eventId.`, [
            { field: 'eventId', rule: 'idempotency', message: 'eventId already used by another offender' },
          ]),
        ),
      );
      continue;
    }
    const revision = timeline.length - 1;
    if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
      decision.outcomes.set(
        i,
        refused(
          event,
          new ConcurrencyConflictError(
            `The record of offender ${event.offenderId} is at revision ${revision}, not ${context.expectedRevision} as If-Match says; read it again before posting.`,
            [{ field: 'If-Match', rule: 'expected-revision', message: `current revision is ${revision}` }],
          ),
        ),
      );
      continue;
    }
    stream.tail ??= foldTail(timeline);
    const decided = decide(timeline, event, today, stream.tail);
    if (!decided.ok) {
      refuse(decided.error);
      continue;
    }
    // Field by field, not a spread: one shape, and no slow copy per accepted event.
    const placed = {
      eventId: event.eventId,
      offenderId: event.offenderId,
      type: event.type,
      occurredOn: event.occurredOn,
      data: event.data,
      revision: timeline.length,
    } as TimelineEvent;
    stream.extended ??= [...stream.stored];
    stream.extended.push(placed);
    stream.tail = advanceTail(stream.tail, placed);
    stream.byEventId.set(event.eventId, { event, batchIndex: i });
    stream.accepted.push(i);
  }

  for (const [offenderId, stream] of working) {
    decision.timelines.set(offenderId, timelineOf(stream));
    if (stream.accepted.length === 0) continue;
    decision.appends.push({
      offenderId,
      expectedRevision: stream.stored.length === 0 ? 'no-stream' : stream.stored.length - 1,
      indices: stream.accepted,
      stored: stream.stored,
      tail: stream.tail,
    });
  }
  return decision;
}

/** The stream as decided on so far: stored, then accepted. */
const timelineOf = (stream: WorkingStream): readonly TimelineEvent[] => stream.extended ?? stream.stored;

/** The stored event with this id, by the cache's id set (which may name events appended after the copy decided on). */
function storedWithId(stream: WorkingStream, eventId: string): Seen | undefined {
  if (!stream.storedIds?.has(eventId)) return undefined;
  const stored = stream.stored.find((e) => e.eventId === eventId);
  return stored && { event: stored, stored };
}

const contentOf = (e: NewOffenderEvent) => ({ offenderId: e.offenderId, type: e.type, occurredOn: e.occurredOn, data: e.data });

export const receipt = (e: RecordedOffenderEvent) => ({
  eventId: e.eventId,
  offenderId: e.offenderId,
  revision: e.revision,
  position: e.position,
  recordedAt: e.recordedAt,
});

export const refused = (event: NewOffenderEvent, error: MappaError): RecordOutcome => ({
  status: 'refused',
  eventId: event.eventId,
  offenderId: event.offenderId,
  error,
});
