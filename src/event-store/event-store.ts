import type { EventMetadata, NewOffenderEvent, RecordedOffenderEvent } from '../domain/offender-event';

/**
 * The event store of record (STYLE.md: nothing outside src/event-store knows which adapter runs).
 * Streams are per offender (`offender-<offenderId>`); revisions are 0-based; positions are a
 * global, strictly increasing order over every stream.
 *
 * What callers may rely on (the contract suite, test/event-store/event-store.contract.ts):
 * - positions order the log; they are not counts (on EventStoreDB a position is a log offset, with gaps).
 * - recordedAt never decreases along positions on the PostgreSQL-family stores (the suite's
 *   `recordedAtMovesForward`); "as known at T" relies on it (ReportService cuts the log at the last
 *   position recorded by T). EventStoreDB stores recordedAt as given, so there an as-known-at read
 *   is exact only when events were appended in time order (docs/decisions.md, issue 12).
 */
export interface EventStore {
  /** Which adapter this is, for logs and health: 'embedded' | 'postgres' | 'eventstoredb'. */
  readonly kind: string;

  /** Creates tables and the like; safe to call on every start. */
  init(): Promise<void>;

  /**
   * Appends to several offender streams. Each item is judged on its own: it succeeds whole, or
   * fails whole with a conflict, and never affects the other items. Positions of the appended
   * events follow the order of `items`, and within an item the order of its events.
   * A store that can, appends the whole batch in one transaction; an unexpected error (the store
   * is down) rejects the promise and then nothing of the batch is appended.
   */
  appendToStreams(items: readonly StreamAppend[]): Promise<StreamAppendResult[]>;

  /** Every event of one offender's stream, in revision order; [] for an unknown offender. */
  readStream(offenderId: string): Promise<RecordedOffenderEvent[]>;

  /** Streams of several offenders at once (missing offenders are absent from the map). */
  readStreams(offenderIds: readonly string[]): Promise<Map<string, RecordedOffenderEvent[]>>;

  /** Up to `limit` events with position strictly after `after` (null: from the start), in position order. */
  readAll(after: bigint | null, limit: number): Promise<RecordedOffenderEvent[]>;

  /** Position of the last event in the store, or null when empty. */
  lastPosition(): Promise<bigint | null>;

  /**
   * How many events have a position strictly after `after` (null: every event). Positions are an
   * order, not a count (EventStoreDB's are log offsets): lag and progress figures ask this instead.
   * A store that must read to count stops at `atMost` and answers it (a figure "at least that many").
   */
  countAfter(after: bigint | null, atMost?: number): Promise<number>;

  /**
   * Calls `handler` with batches of events after `after`, in position order, each batch only
   * once the previous call resolved; keeps following new appends until the subscription is closed.
   */
  subscribe(after: bigint | null, handler: (events: RecordedOffenderEvent[]) => Promise<void>, options?: SubscribeOptions): Subscription;

  close(): Promise<void>;
}

export interface StreamAppend {
  offenderId: string;
  /** 'no-stream': the stream must not exist; a number: the revision of its last event. */
  expectedRevision: ExpectedRevision;
  events: readonly NewOffenderEvent[];
  metadata: EventMetadata;
  /**
   * When the service learned the facts, ISO timestamp. The store may move it forward so that
   * recordedAt never decreases along the global order (PostgreSQL-family stores do).
   */
  recordedAt: string;
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
