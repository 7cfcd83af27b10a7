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
