import { PassThrough, Readable } from 'node:stream';
import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import type { EsdbClient } from '../../src/event-store/eventstoredb/eventstoredb-event-store';

interface LogRecord {
  streamId: string;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  revision: bigint;
  position: bigint;
  created: Date;
}

/**
 * An in-memory stand-in for EventStoreDB at the client's public API, with the server behaviour
 * the adapter depends on: expected-revision checks (WrongExpectedVersionError), idempotent
 * repeats of the same event ids, StreamNotFoundError, non-contiguous log positions, reads of
 * $all that include the given position, subscriptions that start after it, and system records
 * interleaved with ours.
 */
export class FakeEventStoreDbClient implements EsdbClient {
  readonly log: LogRecord[] = [];
  private nextPosition = 1_000n;
  private readonly subscribers = new Set<{ stream: PassThrough; filter?: Filter }>();

  /** Writes a record as ESDB itself would (stats, stream metadata). */
  writeSystemRecord(streamId = '$stats-127.0.0.1:2113', type = '$statsCollected'): void {
    const revision = BigInt(this.log.filter((r) => r.streamId === streamId).length);
    this.record({ streamId, id: crypto.randomUUID(), type, data: {}, metadata: undefined, revision });
  }

  appendToStream = (async (streamName: string, events: EventData | EventData[], options: AppendToStreamOptions = {}): Promise<AppendResult> => {
    const list = Array.isArray(events) ? events : [events];
    const stream = this.log.filter((r) => r.streamId === streamName);
    const expected: AppendExpectedRevision = options.expectedRevision ?? ANY;
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);

    // ESDB answers a repeat of events already written at that place as a success, writing nothing.
    const start = expected === ANY ? stream.findIndex((r) => r.id === list[0]?.id) : expected === NO_STREAM ? 0 : Number(expected) + 1;
    if (list.length > 0 && start >= 0 && list.every((event, i) => stream[start + i]?.id === event.id)) {
      const last = stream[start + list.length - 1];
      return { success: true, nextExpectedRevision: last.revision, position: { commit: last.position, prepare: last.position } };
    }
    const matches = expected === ANY || (expected === NO_STREAM ? current === NO_STREAM : current === expected);
    if (!matches) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });

    let revision = stream.length;
    let written: LogRecord | undefined;
    for (const event of list) {
      written = this.record({
        streamId: streamName,
        id: event.id,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        revision: BigInt(revision++),
      });
    }
    // The server keeps writing its own records between ours.
    this.writeSystemRecord();
    return {
      success: true,
      nextExpectedRevision: BigInt(revision - 1),
      position: written ? { commit: written.position, prepare: written.position } : undefined,
    };
  }) as EsdbClient['appendToStream'];

  readStream = ((streamName: string, options: ReadStreamOptions = {}) => {
    const stream = this.log.filter((r) => r.streamId === streamName);
    if (stream.length === 0) {
      return cancellable(
        new Readable({
          objectMode: true,
          read() {
            this.destroy(new StreamNotFoundError(undefined, streamName));
          },
        }),
      );
    }
    const from = options.fromRevision === undefined || options.fromRevision === START ? 0 : Number(options.fromRevision);
    const records = stream.slice(from, from + Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    return cancellable(Readable.from(records.map(resolved)));
  }) as EsdbClient['readStream'];

  readAll = ((options: ReadAllOptions = {}) => {
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromPosition ?? (options.direction === BACKWARDS ? END : START);
    let records: LogRecord[];
    if (options.direction === BACKWARDS) {
      const before = from === END ? this.log : this.log.filter((r) => from !== START && r.position < from.commit);
      records = [...before].reverse();
    } else {
      // Forward reads include the record at the position given.
      records = from === START ? this.log : from === END ? [] : this.log.filter((r) => r.position >= from.commit);
    }
    return cancellable(Readable.from(records.slice(0, max).map(resolved)));
  }) as EsdbClient['readAll'];

  subscribeToAll = ((options: SubscribeToAllOptions = {}) => {
    const stream = new PassThrough({ objectMode: true });
    const subscriber = { stream, filter: options.filter };
    const from = options.fromPosition ?? START;
    // A subscription starts after the position given.
    const past = from === START ? this.log : from === END ? [] : this.log.filter((r) => r.position > from.commit);
    for (const record of past) if (passes(record, subscriber.filter)) stream.write(resolved(record));
    this.subscribers.add(subscriber);
    return Object.assign(stream, {
      unsubscribe: async () => {
        this.subscribers.delete(subscriber);
        stream.end();
      },
    });
  }) as unknown as EsdbClient['subscribeToAll'];

  dispose = async (): Promise<void> => {
    for (const subscriber of this.subscribers) subscriber.stream.end();
    this.subscribers.clear();
  };

  private record(fields: Omit<LogRecord, 'position' | 'created'>): LogRecord {
    const record: LogRecord = { ...fields, position: this.nextPosition, created: new Date() };
    // Log positions are byte offsets: increasing, far from contiguous.
    this.nextPosition += 137n + BigInt(JSON.stringify(fields.data ?? null).length);
    this.log.push(record);
    for (const subscriber of this.subscribers) {
      if (passes(record, subscriber.filter)) subscriber.stream.write(resolved(record));
    }
    return record;
  }
}

function resolved(record: LogRecord): AllStreamResolvedEvent {
  return {
    event: {
      streamId: record.streamId,
      id: record.id,
      isJson: true,
      revision: record.revision,
      type: record.type,
      created: record.created,
      data: record.data as Record<string, unknown>,
      metadata: record.metadata as Record<string, unknown>,
      position: { commit: record.position, prepare: record.position },
    },
    commitPosition: record.position,
  };
}

function passes(record: LogRecord, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  return 'prefixes' in filter ? filter.prefixes.some((prefix) => subject.startsWith(prefix)) : new RegExp(filter.regex).test(subject);
}

function cancellable<T extends Readable>(readable: T): T & { cancel(): Promise<void> } {
  return Object.assign(readable, { cancel: async () => void readable.destroy() });
}
