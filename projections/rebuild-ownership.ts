import type { SqlClient } from '../src/sql/sql-client';

// Who is rebuilding, answered by the database or the process, not a clock (issue 18, item 4), so a dead rebuilder is known at once.

/** Asked to rebuild while a live process (this one or another) is rebuilding the same read models. */
export class RebuildRunningElsewhereError extends Error {
  constructor() {
    super('A rebuild of the read models is already running in another process; it must finish (or be stopped) before another starts.');
    this.name = 'RebuildRunningElsewhereError';
  }
}

export interface RebuildOwnership {
  /** Runs `work` as the one rebuilder; throws RebuildRunningElsewhereError while another holds it. */
  hold<T>(work: () => Promise<T>): Promise<T>;
  /** Whether a rebuilder is alive (in this process or another). */
  ownerAlive(): Promise<boolean>;
}

/** The ownership that fits where the read models live. */
export const rebuildOwnership = (db: SqlClient): RebuildOwnership => (db.dialect === 'postgres' ? new AdvisoryLockOwnership(db) : new ThisProcessOwnership(db));

/** Rebuilds under way in this process, by read-model database. */
const rebuildsHere = new WeakMap<SqlClient, number>();

/** The embedded store has one process at a time, so a rebuild flag this process did not set belongs to a process that is gone. */
class ThisProcessOwnership implements RebuildOwnership {
  constructor(private readonly db: SqlClient) {}

  async hold<T>(work: () => Promise<T>): Promise<T> {
    rebuildsHere.set(this.db, (rebuildsHere.get(this.db) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (rebuildsHere.get(this.db) ?? 1) - 1;
      if (left > 0) rebuildsHere.set(this.db, left);
      else rebuildsHere.delete(this.db);
    }
  }

  async ownerAlive(): Promise<boolean> {
    return rebuildsHere.has(this.db);
  }
}

/** On a server, a transaction advisory lock held for the whole rebuild, released when its session ends, one per schema (see docs/decisions.md, "Moved from code comments"). */
class AdvisoryLockOwnership implements RebuildOwnership {
  private static readonly KEY = `1296126032, hashtext('mappa-rebuild:' || current_schema())`;

  constructor(private readonly db: SqlClient) {}

  hold<T>(work: () => Promise<T>): Promise<T> {
    return this.db.transaction(async (lock) => {
      // The connection sits idle in this transaction while the batches run on others.
      await lock.exec(`SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL lock_timeout = '2s'`);
      try {
        // Blocking, briefly: ownerAlive() holds the lock for a moment when it asks.
        await lock.query(`SELECT pg_advisory_xact_lock(${AdvisoryLockOwnership.KEY})`);
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') throw new RebuildRunningElsewhereError();
        throw error;
      }
      return work();
    });
  }

  async ownerAlive(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ free: boolean }>(`SELECT pg_try_advisory_xact_lock(${AdvisoryLockOwnership.KEY}) AS free`);
      return !rows[0].free;
    });
  }
}
