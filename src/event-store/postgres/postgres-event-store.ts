import type { EventMetadata, RecordedOffenderEvent } from '../../domain/offender-event';
import type { SqlClient } from '../../sql/sql-client';
import type { EventStore, StreamAppend, StreamAppendResult, SubscribeOptions, Subscription } from '../event-store';
import { AppendSignal, PollingSubscription } from '../polling-subscription';
import { EVENT_STORE_INIT_LOCK, EVENT_STORE_SCHEMA_SQL } from './event-store-schema';
import { assertAppendable, planAppends } from './plan-appends';

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

const EVENT_COLUMNS = ['position', 'offender_id', 'revision', 'event_id', 'type', 'occurred_on', 'recorded_at', 'data', 'metadata'] as const;

/**
 * Text forms, so pg and PGlite return the same thing whatever their type parsers do. The
 * position gets another name so that `ORDER BY position` still means the bigint column.
 */
const SELECT_EVENT = `
  SELECT position::text AS global_position, offender_id, revision, event_id::text AS event_id, type,
         to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data, metadata
  FROM events`;

export interface PostgresEventStoreOptions {
  /**
   * Close the SqlClient with the store. Default false: read models usually share the client,
   * and whoever opened it closes it.
   */
  ownsSqlClient?: boolean;
}

interface EventRow {
  global_position: string;
  offender_id: string;
  revision: number;
  event_id: string;
  type: string;
  occurred_on: string;
  recorded_at: Date | string;
  data: unknown;
  metadata: unknown;
}

interface HeadRow {
  last_position: string;
  last_recorded_at: Date | string | null;
}

/**
 * The event store in PostgreSQL, the same SQL over embedded PGlite and over a server.
 *
 * Global order: every append runs in one transaction that first locks the single head row. The
 * next appender cannot allocate a position until the previous one has committed or rolled
 * back, so positions are gapless and become visible in position order. A reader polling
 * `position > last` therefore never passes over an event whose transaction commits late:
 * no such event can exist. (This relies on READ COMMITTED, PostgreSQL's default: the reads that
 * follow the lock see everything committed before it was granted.)
 */
export class PostgresEventStore implements EventStore {
  readonly kind: 'embedded' | 'postgres';
  private readonly appended = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly sql: SqlClient,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.kind = sql.dialect;
  }

  async init(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.limitStatements?.(0); // a schema change on a large store may rightly take long
      await tx.query('SELECT pg_advisory_xact_lock($1)', [EVENT_STORE_INIT_LOCK]);
      await tx.exec(EVENT_STORE_SCHEMA_SQL);
    });
  }

  async appendToStreams(items: readonly StreamAppend[]): Promise<StreamAppendResult[]> {
    if (items.length === 0) return [];
    assertAppendable(items);
    const plan = await this.sql.transaction(async (tx) => {
      // The lock that orders all appenders (class comment); held until COMMIT.
      const head = await tx.query<HeadRow>('SELECT last_position::text AS last_position, last_recorded_at FROM event_store_head WHERE singleton FOR UPDATE');
      if (head.rows.length === 0) throw new Error('The event store tables are missing: call init() first.');
      const offenderIds = [...new Set(items.map((item) => item.offenderId))];
      // One index probe per offender (LATERAL): with a plain `= ANY` the planner may scan the table.
      const revisions = await tx.query<{ offender_id: string; last_revision: number | null }>(
        `SELECT u.offender_id, (SELECT e.revision FROM events e WHERE e.offender_id = u.offender_id ORDER BY e.revision DESC LIMIT 1) AS last_revision
           FROM unnest($1::text[]) AS u(offender_id)`,
        [offenderIds],
      );
      const planWith = (existingEventIds: ReadonlySet<string>) =>
        planAppends(items, {
          lastPosition: BigInt(head.rows[0].last_position),
          lastRecordedAt: head.rows[0].last_recorded_at === null ? null : new Date(head.rows[0].last_recorded_at),
          lastRevisions: new Map(revisions.rows.filter((row) => row.last_revision !== null).map((row) => [row.offender_id, Number(row.last_revision)])),
          existingEventIds,
        });
      // Optimistic: event ids are almost never re-posted, and the unique index refuses one that is.
      // Only then is the batch judged again against the ids the store already holds (one probe of
      // the index per event, which would otherwise be paid twice on every append).
      const existingEventIds = async () => {
        const eventIds = items.flatMap((item) => item.events.map((event) => event.eventId.toLowerCase()));
        const { rows } = await tx.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM events WHERE event_id = ANY($1::uuid[])', [eventIds]);
        return new Set(rows.map((row) => row.event_id));
      };
      let plan = planWith(new Set());
      // A conflict may be a retry of events already stored, which answers 'duplicate-event-id'.
      if (plan.results.some((r) => r.status === 'conflict')) plan = planWith(await existingEventIds());
      if (plan.accepted.length > 0) {
        try {
          await tx.transaction((savepoint) => savepoint.copyRows('events', EVENT_COLUMNS, toRows(plan.accepted)));
        } catch (error) {
          if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
          plan = planWith(await existingEventIds());
          if (plan.accepted.length > 0) await tx.copyRows('events', EVENT_COLUMNS, toRows(plan.accepted));
        }
      }
      if (plan.accepted.length > 0) {
        await tx.query('UPDATE event_store_head SET last_position = $1, last_recorded_at = $2 WHERE singleton', [
          plan.lastPosition.toString(),
          plan.lastRecordedAt?.toISOString() ?? null,
        ]);
      }
      return plan;
    });
    if (plan.accepted.length > 0) this.appended.notify();
    return plan.results;
  }

  async readStream(offenderId: string): Promise<RecordedOffenderEvent[]> {
    const { rows } = await this.sql.query<EventRow>(`${SELECT_EVENT} WHERE offender_id = $1 ORDER BY revision`, [offenderId]);
    return rows.map(toEvent);
  }

  async readStreams(offenderIds: readonly string[]): Promise<Map<string, RecordedOffenderEvent[]>> {
    const streams = new Map<string, RecordedOffenderEvent[]>();
    if (offenderIds.length === 0) return streams;
    // Index scans per offender (LATERAL), whatever the planner thinks of a long `= ANY` list.
    const { rows } = await this.sql.query<EventRow>(
      `SELECT e.* FROM unnest($1::text[]) AS u(offender_id)
         CROSS JOIN LATERAL (${SELECT_EVENT} WHERE events.offender_id = u.offender_id ORDER BY revision) e
        ORDER BY e.offender_id, e.revision`,
      [[...new Set(offenderIds)]],
    );
    for (const row of rows) {
      const stream = streams.get(row.offender_id) ?? [];
      stream.push(toEvent(row));
      streams.set(row.offender_id, stream);
    }
    return streams;
  }

  async readAll(after: bigint | null, limit: number): Promise<RecordedOffenderEvent[]> {
    const { rows } = await this.sql.query<EventRow>(`${SELECT_EVENT} WHERE position > $1 ORDER BY position LIMIT $2`, [(after ?? 0n).toString(), Math.max(0, Math.floor(limit))]);
    return rows.map(toEvent);
  }

  async lastPosition(): Promise<bigint | null> {
    const { rows } = await this.sql.query<HeadRow>('SELECT last_position::text AS last_position FROM event_store_head WHERE singleton');
    if (rows.length === 0) throw new Error('The event store tables are missing: call init() first.');
    const last = BigInt(rows[0].last_position);
    return last === 0n ? null : last;
  }

  /** Positions here are gapless from 1 (class comment), so the head says how many follow `after`. */
  async countAfter(after: bigint | null): Promise<number> {
    const last = (await this.lastPosition()) ?? 0n;
    const from = after === null || after < 0n ? 0n : after;
    return last > from ? Number(last - from) : 0;
  }

  subscribe(after: bigint | null, handler: (events: RecordedOffenderEvent[]) => Promise<void>, options?: SubscribeOptions): Subscription {
    const polling = new PollingSubscription((from, limit) => this.readAll(from, limit), this.appended, after, handler, options);
    const subscription: Subscription = {
      close: async () => {
        this.subscriptions.delete(subscription);
        await polling.close();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Stops this store's subscriptions; closes the SqlClient only if the store owns it. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.options.ownsSqlClient) await this.sql.close();
  }
}

function toRows(events: readonly RecordedOffenderEvent[]): unknown[][] {
  // The events of an append share one metadata object: its JSON is written once, not per row.
  const metadataJson = new Map<EventMetadata, string>();
  return events.map((event) => {
    let metadata = metadataJson.get(event.metadata);
    if (metadata === undefined) metadataJson.set(event.metadata, (metadata = JSON.stringify(event.metadata)));
    return [event.position, event.offenderId, event.revision, event.eventId, event.type, event.occurredOn, event.recordedAt, event.data, metadata];
  });
}

function toEvent(row: EventRow): RecordedOffenderEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    offenderId: row.offender_id,
    occurredOn: row.occurred_on,
    data: row.data,
    revision: Number(row.revision),
    position: BigInt(row.global_position),
    recordedAt: new Date(row.recorded_at).toISOString(),
    metadata: row.metadata as EventMetadata,
  } as RecordedOffenderEvent;
}
