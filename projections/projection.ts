import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { EventStore } from '../src/event-store/event-store';
import type { SqlClient } from '../src/sql/sql-client';

/** A read model; `apply` runs in the transaction that moves the checkpoint, so a batch lands wholly with it or not at all. */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns, in the order they can be dropped. */
  readonly tables: readonly string[];
  /** CREATE statements, idempotent. */
  readonly schemaSql: string;
  /** Indexes only reports use, dropped during a rebuild and built once at the end (see docs/decisions.md, "Moved from code comments"). */
  readonly readerIndexes?: ReadonlyArray<{ name: string; sql: string }>;
  /** Tables read by index-only scans, vacuumed after a rebuild so their pages are all-visible (see docs/decisions.md, "Moved from code comments"). */
  readonly indexOnlyTables?: readonly string[];
  /** Applies a batch after the checkpoint, each offender's events in position order (a rebuild may give them offender after offender); a later projection may read what an earlier one wrote in the same transaction. */
  apply(events: readonly RecordedOffenderEvent[], tx: SqlClient, mode: ProjectionMode): Promise<void>;
  /** Forgets every in-memory cache (after a rebuild, or when another runner moved the checkpoint). */
  reset(): void;
  /** In a rebuild read stream by stream: these offenders have no more events in it, so what was held for them is written and let go. */
  closeStreams?(offenderIds: readonly string[], tx: SqlClient): Promise<void>;
  /** End of a rebuild: writes whatever was held back for speed. */
  finishRebuild?(tx: SqlClient): Promise<void>;
}

/** 'incremental': each batch leaves read models queryable; 'rebuild': one long transaction, rows may wait for finishRebuild. */
export type ProjectionMode = 'incremental' | 'rebuild';

/** Offenders' whole streams from the event store, read from inside a projection's transaction `tx` (the store is upstream of the read models: STYLE.md). */
export type ReadStreams = (offenderIds: readonly string[], tx: SqlClient) => Promise<Map<string, RecordedOffenderEvent[]>>;

/** ReadStreams of `store` for projections writing through `db`: through their own transaction when the store keeps its events in `db`'s database (on the embedded store, the only connection). */
export function streamsOf(store: Pick<EventStore, 'readStreams' | 'keepsEventsIn'>, db: SqlClient): ReadStreams {
  const within = store.keepsEventsIn?.(db) === true;
  return (offenderIds, tx) => store.readStreams(offenderIds, within ? tx : undefined);
}
