import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { SqlClient } from '../src/sql/sql-client';

/**
 * A read model: the tables it owns, the events it handles, and how it folds them.
 * The runner (projection-runner.ts) calls `apply` inside the transaction that also moves the
 * checkpoint, so a batch is either wholly in the read models with its checkpoint, or not at all.
 */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns, in the order they can be dropped. */
  readonly tables: readonly string[];
  /** CREATE statements, idempotent. */
  readonly schemaSql: string;
  /**
   * Indexes the projection does not use itself while it applies events (the report queries' ones;
   * `CREATE [UNIQUE] INDEX IF NOT EXISTS ...;`, also part of schemaSql). A rebuild drops them while
   * it loads and builds them once at the end: one sorted build is far cheaper than keeping a large
   * index up to date row by row.
   */
  readonly readerIndexes?: ReadonlyArray<{ name: string; sql: string }>;
  /**
   * Tables the reports read through index-only scans: vacuumed after a rebuild, so that their
   * pages are marked all-visible (until a page is, each of its index entries is checked against
   * the table). Incremental changes leave only the pages they touch unmarked until the next
   * (auto)vacuum.
   */
  readonly indexOnlyTables?: readonly string[];
  /**
   * Applies a batch of events (position order, all after the checkpoint). Projections run in a
   * fixed order; a later one may read what an earlier one wrote in the same transaction.
   */
  apply(events: readonly RecordedOffenderEvent[], tx: SqlClient, mode: ProjectionMode): Promise<void>;
  /** Forgets every in-memory cache (after a rebuild, or when another runner moved the checkpoint). */
  reset(): void;
  /** End of a rebuild: writes whatever was held back for speed. */
  finishRebuild?(tx: SqlClient): Promise<void>;
}

/**
 * 'incremental': every batch leaves the read models complete and queryable.
 * 'rebuild': inside one long transaction, rows may be held back until finishRebuild.
 */
export type ProjectionMode = 'incremental' | 'rebuild';
