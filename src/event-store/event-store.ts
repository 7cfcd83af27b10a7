import type { EventMetadata, NewOffenderEvent, RecordedOffenderEvent } from '../domain/offender-event';
import type { SqlClient } from '../sql/sql-client';

/** The event store of record (STYLE.md: nothing outside src/event-store knows the adapter); what callers may rely on (see docs/decisions.md, "Moved from code comments"). */
export interface EventStore {
  /** Which adapter this is, for logs and health: 'embedded' | 'postgres' | 'eventstoredb'. */
  readonly kind: string;

  /** Creates tables and the like; safe to call on every start. */
  init(): Promise<void>;

  /** Appends to several streams, each item succeeding or failing whole on its own, positions in item order (see docs/decisions.md, "Moved from code comments"). */
  appendToStreams(items: readonly StreamAppend[]): Promise<StreamAppendResult[]>;

  /** Every event of one offender's stream, in revision order; [] for an unknown offender. */
  readStream(offenderId: string): Promise<RecordedOffenderEvent[]>;

  /**
   * Streams of several offenders at once (missing offenders are absent from the map). `within`: a transaction on the
   * store's own database (see keepsEventsIn), read through instead of the store's connection, so that a reader inside a
   * transaction on the single-connection embedded store does not wait for itself; stores outside SQL ignore it.
   */
  readStreams(offenderIds: readonly string[], within?: SqlClient): Promise<Map<string, RecordedOffenderEvent[]>>;

  /** Whether the store keeps its events in the database of `sql` (so a transaction of `sql` may be given to readStreams); absent: never. */
  keepsEventsIn?(sql: SqlClient): boolean;

  /** Up to `limit` events with position strictly after `after` (null: from the start), in position order. */
  readAll(after: bigint | null, limit: number): Promise<RecordedOffenderEvent[]>;

  /**
   * Up to `limit` events at positions up to `upTo`, stream after stream (each stream's in revision order, streams in
   * the store's own order), from just after `after`; only for stores whose positions are gapless from 1 (a rebuild
   * checks it read `upTo` events); a store that cannot read so leaves it out and a rebuild reads by position (see
   * docs/decisions.md, "Rebuild stream by stream").
   */
  readStreamsInOrder?(after: StreamCursor | null, upTo: bigint, limit: number): Promise<RecordedOffenderEvent[]>;

  /** Position of the last event in the store, or null when empty. */
  lastPosition(): Promise<bigint | null>;

  /** How many events lie after `after` (positions are an order, not a count); a store that must read stops at `atMost`. */
  countAfter(after: bigint | null, atMost?: number): Promise<number>;

  /** Calls `handler` with batches after `after`, in position order, each only once the previous call resolved, until closed. */
  subscribe(after: bigint | null, handler: (events: RecordedOffenderEvent[]) => Promise<void>, options?: SubscribeOptions): Subscription;

  close(): Promise<void>;
}

export interface StreamAppend {
  offenderId: string;
  /** 'no-stream': the stream must not exist; a number: the revision of its last event. */
  expectedRevision: ExpectedRevision;
  events: readonly NewOffenderEvent[];
  metadata: EventMetadata;
  /** When the service learned the facts; PostgreSQL-family stores may move it forward so it never decreases along positions. */
  recordedAt: string;
}

/** Where a read stream by stream got to: the last event it answered. */
export interface StreamCursor {
  offenderId: string;
  revision: number;
}

export type ExpectedRevision = 'no-stream' | 'any' | number;

export type StreamAppendResult =
  | { status: 'appended'; offenderId: string; events: RecordedOffenderEvent[] }
  | { status: 'conflict'; offenderId: string; expectedRevision: ExpectedRevision; actualRevision: number | null }
  /** An event id of the item already exists in the store (in any stream). */
  | { status: 'duplicate-event-id'; offenderId: string; eventIds: string[] };

export interface SubscribeOptions {
  batchSize?: number;
  /** How often a polling store looks for new events, in ms. */
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface Subscription {
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');
