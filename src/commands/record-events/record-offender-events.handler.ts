import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessAudit } from '../../audit/access-audit';
import { wholeNumberSetting } from '../../config/app-config';
import { CLOCK, ukDate, type Clock } from '../../config/clock';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../domain/offender-event';
import type { TimelineEvent } from '../../domain/offender-timeline';
import { ConcurrencyConflictError } from '../../errors';
import { EVENT_STORE, type EventStore, type StreamAppend, type StreamAppendResult } from '../../event-store/event-store';
import { decideBatch, receipt, refused, type LoadedStream, type PlannedAppend } from './batch-decision';
import { retryWhilePending } from './conflict-retry';
import { OffenderStreamCache } from './offender-stream-cache';
import { RecordOffenderEventsCommand, type RecordContext, type RecordOutcome } from './record-offender-events.command';
import { auditBatch } from './write-audit';

/** How many times a batch is re-decided after another writer moved an offender's stream on. */
export const MAX_CONFLICT_RETRIES = 5;

/** Default byte bound of the stream cache (STREAM_CACHE_MB, 0 turns it off); 64 MiB kept the national import on PostgreSQL under 1 GiB at the rate of 256 (see docs/decisions.md, "Moved from code comments"). */
export const DEFAULT_STREAM_CACHE_MB = 64;

/** STREAM_CACHE_MB, in bytes. */
export function streamCacheBytes(env: NodeJS.ProcessEnv = process.env): number {
  return wholeNumberSetting('STREAM_CACHE_MB', env.STREAM_CACHE_MB, DEFAULT_STREAM_CACHE_MB, { maxDigits: 6, unit: 'MiB' }) * 1024 * 1024;
}

/** The only writer of offender events: read streams (cached), decide without I/O, append at the decided revision, retry conflicts a bounded number of times. */
@CommandHandler(RecordOffenderEventsCommand)
export class RecordOffenderEventsHandler implements ICommandHandler<RecordOffenderEventsCommand, RecordOutcome[]> {
  private readonly cache = new OffenderStreamCache(streamCacheBytes());

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    /** Where refused writes and cross-area registrations are recorded (absent only in handler unit tests). */
    @Optional() @Inject(AccessAudit) private readonly accessAudit?: AccessAudit,
  ) {}

  /** Decides and appends the batch, then shapes refusals for the caller and audits them in one INSERT. */
  async execute(command: RecordOffenderEventsCommand): Promise<RecordOutcome[]> {
    const timelines = new Map<string, readonly TimelineEvent[]>();
    const outcomes = await this.decideAndAppend(command, timelines);
    const entries = auditBatch(command.context.principal, command.events, outcomes, timelines);
    if (this.accessAudit) await this.accessAudit.recordAll(entries);
    return outcomes;
  }

  /** @param timelines filled with each offender's stream as last decided on (for the audit). */
  private async decideAndAppend({ events, context }: RecordOffenderEventsCommand, timelines: Map<string, readonly TimelineEvent[]>): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = new Array(events.length);
    const usedElsewhere = new Set<string>();
    // If-Match must be judged on the stored stream itself; batches may start from the cache.
    const useCache = context.expectedRevision === undefined;
    /** Offenders refused on a cached stream: read from the store for the rest of this command. */
    const freshOnly = new Set<string>();

    const unsettled = await retryWhilePending(
      MAX_CONFLICT_RETRIES,
      events.map((_, i) => i),
      async (pending) => {
        const streams = await this.loadStreams(
          pending.map((i) => events[i].offenderId),
          useCache,
          freshOnly,
        );
        const decision = decideBatch({ events, pending, streams, context, today: ukDate(this.clock.now()), usedElsewhere });
        for (const [offenderId, timeline] of decision.timelines) timelines.set(offenderId, timeline);
        for (const offenderId of decision.stale) {
          freshOnly.add(offenderId);
          this.cache.delete(offenderId);
        }
        for (const [i, outcome] of decision.outcomes) outcomes[i] = outcome;
        const retry = [...decision.retry, ...(await this.append(decision.appends, events, context, outcomes, { usedElsewhere, freshOnly }))];
        // A repeat within the batch answers what the first got, or is decided again with it if the first is retried.
        for (const [i, of] of decision.repeats) {
          const first = outcomes[of];
          if (first?.status === 'appended') outcomes[i] = { ...first, status: 'duplicate' };
          else if (first?.status === 'refused') outcomes[i] = refused(events[i], first.error);
          else retry.push(i);
        }
        return retry;
      },
    );
    for (const i of unsettled) {
      outcomes[i] = refused(
        events[i],
        new ConcurrencyConflictError(`The record of offender ${events[i].offenderId} kept changing while this event was being saved; please try again.`),
      );
    }
    return outcomes;
  }

  /** Appends accepted events at the revision they were decided on and returns the indices to decide again; `seen`: event ids the store called another offender's, and offenders to read fresh from now on */
  private async append(
    planned: readonly PlannedAppend[],
    events: readonly NewOffenderEvent[],
    context: RecordContext,
    outcomes: RecordOutcome[],
    { usedElsewhere, freshOnly }: { usedElsewhere: Set<string>; freshOnly: Set<string> },
  ): Promise<number[]> {
    if (planned.length === 0) return [];
    const recordedAt = this.clock.now().toISOString();
    const metadata = {
      actor: context.actor,
      agency: context.agency,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      source: context.source,
    };
    const results = await this.appendForgettingOnFailure(
      planned.map((p): StreamAppend => ({
        offenderId: p.offenderId,
        expectedRevision: p.expectedRevision,
        events: p.indices.map((i) => events[i]),
        metadata,
        recordedAt,
      })),
    );
    const retry: number[] = [];
    results.forEach((result, k) => {
      const { indices, stored, tail } = planned[k];
      if (result.status === 'appended') {
        result.events.forEach((event, j) => (outcomes[indices[j]] = { status: 'appended', ...receipt(event) }));
        this.cache.extend(result.offenderId, stored, result.events, tail);
      } else if (result.status === 'duplicate-event-id') {
        for (const id of result.eventIds) usedElsewhere.add(id);
        // Perhaps this offender's own (another instance, or an append whose answer was lost): a fresh read answers the replay.
        this.cache.delete(result.offenderId);
        freshOnly.add(result.offenderId);
        retry.push(...indices);
      } else {
        this.cache.delete(result.offenderId); // another writer moved the stream on: our copy is stale
        if (context.expectedRevision !== undefined) {
          for (const i of indices)
            outcomes[i] = refused(
              events[i],
              new ConcurrencyConflictError(`The record of offender ${events[i].offenderId} changed since revision ${context.expectedRevision}; read it again before posting.`),
            );
        } else {
          retry.push(...indices);
        }
      }
    });
    return retry;
  }

  /** An append that failed (503) may still have committed, so the cached streams it started from are forgotten. */
  private async appendForgettingOnFailure(items: StreamAppend[]): Promise<StreamAppendResult[]> {
    try {
      return await this.store.appendToStreams(items);
    } catch (error) {
      for (const item of items) this.cache.delete(item.offenderId);
      throw error;
    }
  }

  /** The offenders' streams: from the cache where allowed and held, else one read of the store. */
  private async loadStreams(offenderIds: string[], useCache: boolean, freshOnly: ReadonlySet<string>): Promise<Map<string, LoadedStream>> {
    const unique = [...new Set(offenderIds)];
    const streams = new Map<string, LoadedStream>();
    if (useCache) {
      for (const id of unique) {
        const cached = freshOnly.has(id) ? undefined : this.cache.get(id);
        if (cached) streams.set(id, { events: cached.events, tail: cached.tail, cached: true, eventIds: cached.eventIds });
      }
    }
    const missing = unique.filter((id) => !streams.has(id));
    const stored = missing.length > 0 ? await this.store.readStreams(missing) : new Map<string, RecordedOffenderEvent[]>();
    for (const id of missing) streams.set(id, { events: stored.get(id) ?? [], cached: false });
    return streams;
  }
}
