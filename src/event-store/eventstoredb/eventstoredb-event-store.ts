import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import { streamIdOf } from '../../domain/offender-event';
import type { EventStore, StreamAppend, StreamAppendResult, SubscribeOptions, Subscription } from '../event-store';
import { appendIdOf, isOffenderRecord, positionOf, toEsdbEvent, toEsdbExpectedRevision, toRecordedEvent } from './esdb-event-mapping';
import { withinDeadline } from './within-deadline';
import { EventStoreDbSubscription } from './eventstoredb-subscription';

/** The part of the ESDB client this adapter uses (tests stub exactly this). */
export type EsdbClient = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

export interface EventStoreDbOptions {
  /** Upper bound on every call to the server, in ms, after which it answers 503. Default 5000. */
  timeoutMs?: number;
  /** Records read per $all page (system records included, filtered here). Default 1000. */
  readPageSize?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_READ_PAGE_SIZE = 1000;
const READ_STREAMS_CONCURRENCY = 8;

/** The event store in EventStoreDB, one stream per offender; how it differs from the PostgreSQL stores (see docs/decisions.md, "Moved from code comments"). */
export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  private readonly timeoutMs: number;
  private readonly readPageSize: number;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  /** Whether any call reached the client, i.e. whether it has a connection to close. */
  private used = false;

  constructor(
    private readonly client: EsdbClient,
    options: EventStoreDbOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.readPageSize = options.readPageSize ?? DEFAULT_READ_PAGE_SIZE;
  }

  /** `esdb://host:2113?tls=false`, `esdb+discover://…`: see the ESDB connection string docs. */
  static fromConnectionString(connectionString: string, options: EventStoreDbOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  /** Streams are created by their first append; there is nothing to set up. */
  async init(): Promise<void> {}

  async appendToStreams(items: readonly StreamAppend[]): Promise<StreamAppendResult[]> {
    const results: StreamAppendResult[] = [];
    for (const item of items) results.push(await this.appendItem(item));
    return results;
  }

  async readStream(offenderId: string): Promise<RecordedOffenderEvent[]> {
    const resolved = await this.readStreamRecords(offenderId);
    return resolved.map(toRecordedEvent).filter((event): event is RecordedOffenderEvent => event !== null);
  }

  async readStreams(offenderIds: readonly string[]): Promise<Map<string, RecordedOffenderEvent[]>> {
    const streams = new Map<string, RecordedOffenderEvent[]>();
    const pending = [...new Set(offenderIds)];
    const worker = async () => {
      for (let id = pending.shift(); id !== undefined; id = pending.shift()) {
        const events = await this.readStream(id);
        if (events.length > 0) streams.set(id, events);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_STREAMS_CONCURRENCY, pending.length) }, worker));
    return streams;
  }

  async readAll(after: bigint | null, limit: number): Promise<RecordedOffenderEvent[]> {
    const events: RecordedOffenderEvent[] = [];
    // $all holds system records and this client has no server-side read filter: read pages and keep offender events.
    let cursor: bigint | null = after;
    while (events.length < limit) {
      const from: ReadPosition = cursor === null ? START : at(cursor);
      const page = await this.collect('readAll', () => this.client.readAll({ fromPosition: from, maxCount: this.readPageSize }));
      const pageStart = cursor;
      for (const resolved of page) {
        const position = positionOf(resolved);
        // Reads from a position include it; skip what the caller (or the previous page) has seen.
        if (cursor !== null && position <= cursor) continue;
        cursor = position;
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
        if (events.length >= limit) break;
      }
      if (page.length < this.readPageSize || cursor === pageStart) break;
    }
    return events;
  }

  async lastPosition(): Promise<bigint | null> {
    let cursor: ReadPosition = END;
    for (;;) {
      const from: ReadPosition = cursor;
      const page: AllStreamResolvedEvent[] = await this.collect('lastPosition', () =>
        this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: this.readPageSize }),
      );
      for (const resolved of page) {
        if (resolved.event && isOffenderRecord(resolved.event.streamId, resolved.event.type)) return positionOf(resolved);
      }
      const oldest: AllStreamResolvedEvent | undefined = page[page.length - 1];
      if (page.length < this.readPageSize || !oldest?.event?.position) return null;
      cursor = oldest.event.position;
    }
  }

  /** ESDB keeps no count of a category's events: read $all forward from `after`, stopping at `atMost`. */
  async countAfter(after: bigint | null, atMost = Number.MAX_SAFE_INTEGER): Promise<number> {
    let count = 0;
    let cursor: bigint | null = after;
    while (count < atMost) {
      const from: ReadPosition = cursor === null ? START : at(cursor);
      const page = await this.collect('a count', () => this.client.readAll({ fromPosition: from, maxCount: this.readPageSize }));
      const pageStart = cursor;
      for (const resolved of page) {
        const position = positionOf(resolved);
        if (cursor !== null && position <= cursor) continue;
        cursor = position;
        if (resolved.event && isOffenderRecord(resolved.event.streamId, resolved.event.type)) count += 1;
        if (count >= atMost) break;
      }
      if (page.length < this.readPageSize || cursor === pageStart) break;
    }
    return count;
  }

  subscribe(after: bigint | null, handler: (events: RecordedOffenderEvent[]) => Promise<void>, options?: SubscribeOptions): Subscription {
    this.used = true;
    const inner = new EventStoreDbSubscription(this.client, this.timeoutMs, after, handler, options);
    const subscription: Subscription = {
      close: async () => {
        this.subscriptions.delete(subscription);
        await inner.close();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await withinDeadline('dispose', this.timeoutMs, () => this.client.dispose()).catch(() => undefined);
    if (this.used) await closeChannel(this.client);
  }

  private async appendItem(item: StreamAppend): Promise<StreamAppendResult> {
    this.used = true;
    const appendId = randomUUID();
    const metadata = { ...item.metadata, recordedAt: item.recordedAt, appendId };
    const streamName = streamIdOf(item.offenderId);
    let nextExpectedRevision: bigint;
    try {
      const result = await withinDeadline('an append', this.timeoutMs, () =>
        this.client.appendToStream(
          streamName,
          item.events.map((event) => toEsdbEvent(event, metadata)),
          { expectedRevision: toEsdbExpectedRevision(item.expectedRevision) },
        ),
      );
      nextExpectedRevision = result.nextExpectedRevision;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        return {
          status: 'conflict',
          offenderId: item.offenderId,
          expectedRevision: item.expectedRevision,
          actualRevision: typeof actual === 'bigint' ? Number(actual) : null,
        };
      }
      throw error;
    }
    if (item.events.length === 0) return { status: 'appended', offenderId: item.offenderId, events: [] };

    // Read our events back: the result has only the last position, and only the appendId shows an idempotent repeat.
    const firstRevision = nextExpectedRevision - BigInt(item.events.length) + 1n;
    const written = firstRevision < 0n ? [] : await this.readStreamRecords(item.offenderId, firstRevision, item.events.length);
    const ours = written.length === item.events.length && written.every((resolved) => appendIdOf(resolved) === appendId);
    if (!ours) {
      return { status: 'duplicate-event-id', offenderId: item.offenderId, eventIds: item.events.map((event) => event.eventId) };
    }
    return {
      status: 'appended',
      offenderId: item.offenderId,
      events: written.map(toRecordedEvent).filter((event): event is RecordedOffenderEvent => event !== null),
    };
  }

  private async readStreamRecords(offenderId: string, fromRevision?: bigint, maxCount?: number): Promise<ResolvedEvent[]> {
    try {
      return await this.collect('a stream read', () =>
        this.client.readStream(streamIdOf(offenderId), {
          ...(fromRevision !== undefined ? { fromRevision } : {}),
          ...(maxCount !== undefined ? { maxCount } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /** Drains a streaming read within the deadline, cancelling it if the server does not answer. */
  private async collect<E extends ResolvedEvent | AllStreamResolvedEvent>(what: string, open: () => AsyncIterable<E> & { cancel(): Promise<void> }): Promise<E[]> {
    this.used = true;
    let stream: (AsyncIterable<E> & { cancel(): Promise<void> }) | undefined;
    return withinDeadline(
      what,
      this.timeoutMs,
      async () => {
        stream = open();
        const records: E[] = [];
        for await (const record of stream) records.push(record);
        return records;
      },
      () => void stream?.cancel().catch(() => undefined),
    );
  }
}

function at(position: bigint): Position {
  return { commit: position, prepare: position };
}

/** Closes the gRPC channel that client.dispose() (6.2.1) leaves open, through the protected accessor when present (see docs/decisions.md, "Moved from code comments"). */
async function closeChannel(client: EsdbClient): Promise<void> {
  if (!(client instanceof EventStoreDBClient)) return;
  const getChannel = (client as unknown as { getChannel?: () => Promise<{ close(): void }> }).getChannel;
  if (typeof getChannel !== 'function') return;
  try {
    const channel = await withinDeadline('closing the connection', 1000, () => getChannel.call(client));
    channel.close();
  } catch {
    // Nothing left to release if the channel never came up.
  }
}
