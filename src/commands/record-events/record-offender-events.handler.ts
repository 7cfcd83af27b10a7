import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recordingRefusal, unknownOffenderRefusal } from '../../auth/access-policy';
import { AccessAudit } from '../../audit/access-audit';
import { CLOCK, ukDate, type Clock } from '../../config/clock';
import { decide } from '../../domain/offender-decider';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../domain/offender-event';
import type { TimelineEvent } from '../../domain/offender-timeline';
import { ConcurrencyConflictError, IdempotencyConflictError, type MappaError } from '../../errors';
import { EVENT_STORE, type EventStore, type StreamAppend } from '../../event-store/event-store';
import { canonicalJson } from './event-input';
import { OffenderStreamCache } from './offender-stream-cache';
import { RecordOffenderEventsCommand, type RecordOutcome } from './record-offender-events.command';
import { auditBatch } from './write-audit';

/** How many times a batch is re-decided after another writer moved an offender's stream on. */
export const MAX_CONFLICT_RETRIES = 5;

/** Events of offender streams kept between commands (about 300 MiB at most; an import of the national history hits it 70% of the time, the most possible being 74%: the rest are new offenders). */
export const STREAM_CACHE_MAX_EVENTS = 750_000;

/** One offender's stream as this attempt sees it: stored events, then the ones accepted so far. */
interface WorkingStream {
  stored: RecordedOffenderEvent[];
  timeline: TimelineEvent[];
  byEventId: Map<string, { event: NewOffenderEvent; stored?: RecordedOffenderEvent; batchIndex?: number }>;
  accepted: number[];
  /** Read from the cache rather than the store: a refusal must be confirmed on a fresh read. */
  cached: boolean;
}

/**
 * Reads each offender's stream, checks the caller may post each event (src/auth/access-policy.ts),
 * decides every event against it (pure, src/domain), and appends
 * the accepted ones with the expected revision. A concurrency conflict re-reads and re-decides
 * that offender's events, a bounded number of times. The only writer of offender events.
 * Streams are cached between commands (offender-stream-cache.ts): an import reads each offender
 * once, not once per batch.
 */
@CommandHandler(RecordOffenderEventsCommand)
export class RecordOffenderEventsHandler implements ICommandHandler<RecordOffenderEventsCommand, RecordOutcome[]> {
  private readonly cache = new OffenderStreamCache(STREAM_CACHE_MAX_EVENTS);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    /** Where refused writes and cross-area registrations are recorded (absent only in handler unit tests). */
    @Optional() @Inject(AccessAudit) private readonly accessAudit?: AccessAudit,
  ) {}

  /**
   * Decides and appends the batch, then shapes the refusals for the caller and records them, and
   * any registration of an offender known to another area, in the access audit (one INSERT).
   */
  async execute(command: RecordOffenderEventsCommand): Promise<RecordOutcome[]> {
    const timelines = new Map<string, TimelineEvent[]>();
    const outcomes = await this.decideAndAppend(command, timelines);
    const entries = auditBatch(command.context.principal, command.events, outcomes, timelines);
    if (this.accessAudit) await this.accessAudit.recordAll(entries);
    return outcomes;
  }

  /** @param timelines filled with each offender's stream as last decided on (for the audit). */
  private async decideAndAppend({ events, context }: RecordOffenderEventsCommand, timelines: Map<string, TimelineEvent[]>): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = new Array(events.length);
    /** Event ids the store reported as used by another offender's stream. */
    const usedElsewhere = new Set<string>();
    let pending = events.map((_, i) => i);
    // If-Match must be judged on the stored stream itself; batches may start from the cache.
    const useCache = context.expectedRevision === undefined;
    /** Offenders refused on a cached stream: read from the store for the rest of this command. */
    const freshOnly = new Set<string>();

    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > MAX_CONFLICT_RETRIES) {
        for (const i of pending) outcomes[i] = refused(events[i], new ConcurrencyConflictError(
          `The record of offender ${events[i].offenderId} kept changing while this event was being saved; please try again.`,
        ));
        break;
      }
      const streams = await this.loadStreams(pending.map((i) => events[i].offenderId), useCache, freshOnly);
      for (const [offenderId, stream] of streams) timelines.set(offenderId, stream.timeline);
      const today = ukDate(this.clock.now());
      const duplicatesOfBatch: Array<[index: number, of: number]> = [];
      const retry: number[] = [];
      /** Offenders whose remaining events wait for a fresh read (they are decided in order). */
      const recheck = new Set<string>();

      for (const i of pending) {
        const event = events[i];
        const stream = streams.get(event.offenderId)!;
        if (recheck.has(event.offenderId)) {
          retry.push(i);
          continue;
        }
        // A refusal on a cached stream may come from a stale copy: read again, decide again.
        const refuse = (error: MappaError) => {
          if (!stream.cached) {
            outcomes[i] = refused(event, error);
            return;
          }
          recheck.add(event.offenderId);
          freshOnly.add(event.offenderId);
          this.cache.delete(event.offenderId);
          retry.push(i);
        };
        // Who may post it needs the offender's area at the event's date, so it is checked here (403),
        // and before anything else that could tell an unknown offender from another area's.
        const forbidden = recordingRefusal(context.principal, stream.timeline, event) ?? unknownOffenderRefusal(context.principal, stream.timeline, event);
        if (forbidden) {
          refuse(forbidden);
          continue;
        }
        const seen = stream.byEventId.get(event.eventId);
        if (seen) {
          if (canonicalJson(contentOf(seen.event)) !== canonicalJson(contentOf(event))) {
            refuse(new IdempotencyConflictError(
              `Event ${event.eventId} was already recorded with different content; a corrected event needs a new eventId.`,
              [{ field: 'eventId', rule: 'idempotency', message: 'eventId already used for different content' }],
            ));
          } else if (seen.stored) {
            outcomes[i] = { status: 'duplicate', ...receipt(seen.stored) };
          } else {
            duplicatesOfBatch.push([i, seen.batchIndex!]);
          }
          continue;
        }
        if (usedElsewhere.has(event.eventId)) {
          outcomes[i] = refused(event, new IdempotencyConflictError(
            `Event ${event.eventId} was already recorded for another offender; each event needs its own eventId.`,
            [{ field: 'eventId', rule: 'idempotency', message: 'eventId already used by another offender' }],
          ));
          continue;
        }
        if (context.expectedRevision !== undefined && context.expectedRevision !== stream.timeline.length - 1) {
          outcomes[i] = refused(event, new ConcurrencyConflictError(
            `The record of offender ${event.offenderId} is at revision ${stream.timeline.length - 1}, not ${context.expectedRevision} as If-Match says; read it again before posting.`,
            [{ field: 'If-Match', rule: 'expected-revision', message: `current revision is ${stream.timeline.length - 1}` }],
          ));
          continue;
        }
        const decision = decide(stream.timeline, event, today);
        if (!decision.ok) {
          refuse(decision.error);
          continue;
        }
        stream.timeline.push({ ...event, revision: stream.timeline.length });
        stream.byEventId.set(event.eventId, { event, batchIndex: i });
        stream.accepted.push(i);
      }

      const items: StreamAppend[] = [];
      const itemIndices: number[][] = [];
      const recordedAt = this.clock.now().toISOString();
      for (const [offenderId, stream] of streams) {
        if (stream.accepted.length === 0) continue;
        items.push({
          offenderId,
          expectedRevision: stream.stored.length === 0 ? 'no-stream' : stream.stored.length - 1,
          events: stream.accepted.map((i) => events[i]),
          metadata: {
            actor: context.actor,
            agency: context.agency,
            correlationId: context.correlationId,
            causationId: context.causationId ?? null,
            source: context.source,
          },
          recordedAt,
        });
        itemIndices.push(stream.accepted);
      }

      const results = items.length > 0 ? await this.appendForgettingOnFailure(items) : [];
      results.forEach((result, k) => {
        const indices = itemIndices[k];
        if (result.status === 'appended') {
          result.events.forEach((stored, j) => (outcomes[indices[j]] = { status: 'appended', ...receipt(stored) }));
          this.cache.set(result.offenderId, [...streams.get(result.offenderId)!.stored, ...result.events]);
        } else if (result.status === 'duplicate-event-id') {
          for (const id of result.eventIds) usedElsewhere.add(id);
          // Perhaps this offender's own, from an append whose answer was lost (issue 18.2): a fresh
          // read finds it there and answers the replay; only an id absent from it is another's.
          this.cache.delete(result.offenderId);
          freshOnly.add(result.offenderId);
          retry.push(...indices);
        } else {
          this.cache.delete(result.offenderId); // another writer moved the stream on: our copy is stale
          if (context.expectedRevision !== undefined) {
            for (const i of indices) outcomes[i] = refused(events[i], new ConcurrencyConflictError(
              `The record of offender ${events[i].offenderId} changed since revision ${context.expectedRevision}; read it again before posting.`,
            ));
          } else {
            retry.push(...indices);
          }
        }
      });
      // A repeat of an event accepted earlier in the same batch answers what the first one got,
      // or is decided again with it if the first must be retried.
      for (const [i, of] of duplicatesOfBatch) {
        const first = outcomes[of];
        if (first?.status === 'appended') outcomes[i] = { ...first, status: 'duplicate' };
        else if (first?.status === 'refused') outcomes[i] = refused(events[i], first.error);
        else retry.push(i);
      }
      pending = retry.sort((a, b) => a - b);
    }
    return outcomes;
  }

  /**
   * An append that failed (503: a database fault, a timeout) may still have committed: the cached
   * streams it started from are no longer to be trusted.
   */
  private async appendForgettingOnFailure(items: StreamAppend[]) {
    try {
      return await this.store.appendToStreams(items);
    } catch (error) {
      for (const item of items) this.cache.delete(item.offenderId);
      throw error;
    }
  }

  /** The offenders' streams: from the cache where allowed and held, else one read of the store. */
  private async loadStreams(offenderIds: string[], useCache: boolean, freshOnly: ReadonlySet<string>): Promise<Map<string, WorkingStream>> {
    const unique = [...new Set(offenderIds)];
    const cached = new Map<string, readonly RecordedOffenderEvent[]>();
    if (useCache) {
      for (const id of unique) {
        const stream = freshOnly.has(id) ? undefined : this.cache.get(id);
        if (stream) cached.set(id, stream);
      }
    }
    const missing = unique.filter((id) => !cached.has(id));
    const stored = missing.length > 0 ? await this.store.readStreams(missing) : new Map<string, RecordedOffenderEvent[]>();
    const streams = new Map<string, WorkingStream>();
    for (const offenderId of unique) {
      const fromCache = cached.get(offenderId);
      const events = [...(fromCache ?? stored.get(offenderId) ?? [])];
      streams.set(offenderId, {
        stored: events,
        timeline: [...events],
        byEventId: new Map(events.map((e) => [e.eventId, { event: e, stored: e }])),
        accepted: [],
        cached: fromCache !== undefined,
      });
    }
    return streams;
  }
}

const contentOf = (e: NewOffenderEvent) => ({ offenderId: e.offenderId, type: e.type, occurredOn: e.occurredOn, data: e.data });

const receipt = (e: RecordedOffenderEvent) => ({
  eventId: e.eventId,
  offenderId: e.offenderId,
  revision: e.revision,
  position: e.position,
  recordedAt: e.recordedAt,
});

const refused = (event: NewOffenderEvent, error: MappaError): RecordOutcome => ({
  status: 'refused',
  eventId: event.eventId,
  offenderId: event.offenderId,
  error,
});
