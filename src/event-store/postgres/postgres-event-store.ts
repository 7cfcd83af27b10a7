import type { EventMetadata, RecordedOffenderEvent } from '../../domain/offender-event';
import type { SqlClient } from '../../sql/sql-client';
import type { EventStore, StreamAppend, StreamCursor, StreamAppendResult, SubscribeOptions, Subscription } from '../event-store';
import { AppendSignal, PollingSubscription } from '../polling-subscription';
import { AppendGroups } from './append-groups';
import { EVENT_STORE_INIT_LOCK, EVENT_STORE_SCHEMA_SQL } from './event-store-schema';
import { assertAppendable, planAppends, type AppendPlan } from './plan-appends';

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

const EVENT_COLUMNS = ['position', 'offender_id', 'revision', 'event_id', 'type', 'occurred_on', 'recorded_at', 'data', 'metadata'] as const;

/** Appends of at most this many events, each item naming the revision it expects, go in one statement (appendAsExpected); larger ones COPY. */
const SMALL_APPEND_EVENTS = 100;

/** One statement, one round trip, its own transaction: the head UPDATE (only when every expected event exists) takes the lock that orders appenders; a stale snapshot can only cause a rejudge, never a wrong accept (see docs/decisions.md, "Moved from code comments"). */
export const APPEND_AS_EXPECTED_SQL = `
  WITH expected AS (
    SELECT count(*)::int AS missing
      FROM jsonb_to_recordset($1::jsonb) AS x(offender_id text, revision integer)
     WHERE (SELECT e.revision FROM events e WHERE e.offender_id = x.offender_id AND e.revision = x.revision) IS NULL
  ), head AS (
    UPDATE event_store_head
       SET last_position = last_position + $3, last_recorded_at = GREATEST(last_recorded_at, $4::timestamptz)
     WHERE singleton AND (SELECT missing FROM expected) = 0
    RETURNING last_position - $3 AS base, last_recorded_at
  ), inserted AS (
    INSERT INTO events (position, offender_id, revision, event_id, type, occurred_on, recorded_at, data, metadata)
    SELECT head.base + r.ordinal, r.offender_id, r.revision, r.event_id, r.type, r.occurred_on, head.last_recorded_at, r.data, r.metadata
      FROM head, jsonb_to_recordset($2::jsonb) AS r(ordinal bigint, offender_id text, revision integer, event_id uuid, type text,
                                                    occurred_on date, data jsonb, metadata jsonb)
    RETURNING 1
  )
  SELECT head.base::text AS base, head.last_recorded_at, expected.missing, (SELECT count(*) FROM inserted)::int AS inserted
    FROM expected LEFT JOIN head ON true`;

/** Text forms so pg and PGlite return the same values; position renamed so `ORDER BY position` still means the bigint column. */
const SELECT_EVENT = `
  SELECT position::text AS global_position, offender_id, revision, event_id::text AS event_id, type,
         to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data, metadata
  FROM events`;

export interface PostgresEventStoreOptions {
  /** Close the SqlClient with the store; default false, since read models usually share it and its opener closes it. */
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

/** The event store in PostgreSQL (PGlite or server); the head-row lock makes positions gapless and visible in order, so pollers skip nothing (see docs/decisions.md, "Moved from code comments"). */
export class PostgresEventStore implements EventStore {
  readonly kind: 'embedded' | 'postgres';
  private readonly appended = new AppendSignal();
  private readonly subscriptions = new Set<Subscription>();
  private readonly groups = new AppendGroups((items) => this.appendNow(items), SMALL_APPEND_EVENTS);

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
    return this.groups.append(items);
  }

  private async appendNow(items: readonly StreamAppend[]): Promise<StreamAppendResult[]> {
    const plan = (await this.appendAsExpected(items)) ?? (await this.appendJudged(items));
    if (plan.accepted.length > 0) this.appended.notify();
    return plan.results;
  }

  /** The common append in one statement; null (nothing changed) when an expected revision or event id does not hold, and appendJudged decides (see docs/decisions.md, "Moved from code comments"). */
  private async appendAsExpected(items: readonly StreamAppend[]): Promise<AppendPlan | null> {
    const events = items.reduce((n, item) => n + item.events.length, 0);
    const recordedAt = new Date(items[0].recordedAt);
    if (
      events > SMALL_APPEND_EVENTS ||
      items.some((item) => item.expectedRevision === 'any' || item.events.length === 0 || new Date(item.recordedAt).getTime() !== recordedAt.getTime())
    )
      return null;
    // The last revision each stream must have: the first item of each offender says it (later ones follow from it).
    const lastRevisions = new Map<string, number>();
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.offenderId)) continue;
      seen.add(item.offenderId);
      if (typeof item.expectedRevision === 'number') lastRevisions.set(item.offenderId, item.expectedRevision);
    }
    // Positions from 1 here; the statement adds the head's last position.
    const plan = planAppends(items, { lastPosition: 0n, lastRecordedAt: null, lastRevisions, existingEventIds: new Set() });
    if (plan.results.some((r) => r.status !== 'appended')) return null;
    let answer: { base: string | null; last_recorded_at: Date | string | null; missing: number; inserted: number };
    try {
      const { rows } = await this.sql.query<typeof answer>(
        APPEND_AS_EXPECTED_SQL,
        [
          JSON.stringify([...lastRevisions].map(([offender_id, revision]) => ({ offender_id, revision }))),
          JSON.stringify(plan.accepted.map(toRecord)),
          plan.accepted.length,
          recordedAt.toISOString(),
        ],
        { prepared: 'mappa_append_as_expected', writes: true },
      );
      answer = rows[0];
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
    if (Number(answer.missing) > 0) return null;
    if (answer.base === null || answer.last_recorded_at === null) throw new Error('The event store tables are missing: call init() first.');
    const base = BigInt(answer.base);
    const stored = new Date(answer.last_recorded_at);
    const storedText = stored.toISOString();
    // The results hold these same event objects.
    for (const event of plan.accepted as Array<{ position: bigint; recordedAt: string }>) {
      event.position += base;
      event.recordedAt = storedText;
    }
    return { ...plan, lastPosition: base + plan.lastPosition, lastRecordedAt: stored };
  }

  /** Any append: the streams' last revisions read under the head lock, each item judged against them, the events COPied. */
  private async appendJudged(items: readonly StreamAppend[]): Promise<AppendPlan> {
    return this.sql.transaction(async (tx) => {
      const head = await lockHead(tx);
      const offenderIds = [...new Set(items.map((item) => item.offenderId))];
      // One index probe per offender (LATERAL): with a plain `= ANY` the planner may scan the table.
      const revisions = await tx.query<{ offender_id: string; last_revision: number | null }>(
        `SELECT u.offender_id, (SELECT e.revision FROM events e WHERE e.offender_id = u.offender_id ORDER BY e.revision DESC LIMIT 1) AS last_revision
           FROM unnest($1::text[]) AS u(offender_id)`,
        [offenderIds],
      );
      const planWith = (existingEventIds: ReadonlySet<string>) =>
        planAppends(items, {
          ...head,
          lastRevisions: new Map(revisions.rows.filter((row) => row.last_revision !== null).map((row) => [row.offender_id, Number(row.last_revision)])),
          existingEventIds,
        });
      // Optimistic: the unique index refuses a re-posted id, and only then is the batch judged against the stored ids (see docs/decisions.md, "Moved from code comments").
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
  }

  async readStream(offenderId: string): Promise<RecordedOffenderEvent[]> {
    const { rows } = await this.sql.query<EventRow>(`${SELECT_EVENT} WHERE offender_id = $1 ORDER BY revision`, [offenderId]);
    return rows.map(toEvent);
  }

  async readStreams(offenderIds: readonly string[], within?: SqlClient): Promise<Map<string, RecordedOffenderEvent[]>> {
    const streams = new Map<string, RecordedOffenderEvent[]>();
    if (offenderIds.length === 0) return streams;
    // Index scans per offender (LATERAL), whatever the planner thinks of a long `= ANY` list.
    const { rows } = await (within ?? this.sql).query<EventRow>(
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

  /** The client it was made with: the read models share it for 'embedded' and 'postgres' (open-event-store.ts). */
  keepsEventsIn(sql: SqlClient): boolean {
    return sql === this.sql;
  }

  async readAll(after: bigint | null, limit: number): Promise<RecordedOffenderEvent[]> {
    const { rows } = await this.sql.query<EventRow>(`${SELECT_EVENT} WHERE position > $1 ORDER BY position LIMIT $2`, [(after ?? 0n).toString(), Math.max(0, Math.floor(limit))]);
    return rows.map(toEvent);
  }

  /** By the (offender_id, revision) index; offenders in the database's collation. */
  async readStreamsInOrder(after: StreamCursor | null, upTo: bigint, limit: number): Promise<RecordedOffenderEvent[]> {
    const { rows } = await this.sql.query<EventRow>(`${SELECT_EVENT} WHERE (offender_id, revision) > ($1, $2) AND position <= $3 ORDER BY offender_id, revision LIMIT $4`, [
      after?.offenderId ?? '',
      after?.revision ?? -1,
      upTo.toString(),
      Math.max(0, Math.floor(limit)),
    ]);
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

/** The lock that orders all appenders (class comment), held until COMMIT, and what the head row says. */
async function lockHead(tx: SqlClient): Promise<{ lastPosition: bigint; lastRecordedAt: Date | null }> {
  const { rows } = await tx.query<HeadRow>('SELECT last_position::text AS last_position, last_recorded_at FROM event_store_head WHERE singleton FOR UPDATE');
  if (rows.length === 0) throw new Error('The event store tables are missing: call init() first.');
  return { lastPosition: BigInt(rows[0].last_position), lastRecordedAt: rows[0].last_recorded_at === null ? null : new Date(rows[0].last_recorded_at) };
}

/** An event as one record of APPEND_AS_EXPECTED_SQL's jsonb_to_recordset (column names as keys; its place in the append, from 1, for its position). */
function toRecord(event: RecordedOffenderEvent): Record<string, unknown> {
  return {
    ordinal: event.position.toString(),
    offender_id: event.offenderId,
    revision: event.revision,
    event_id: event.eventId,
    type: event.type,
    occurred_on: event.occurredOn,
    data: event.data,
    metadata: event.metadata,
  };
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
