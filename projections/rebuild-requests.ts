import type { SqlClient } from '../src/sql/sql-client';

/** pg_advisory_xact_lock key for creating the table (beside EVENT_STORE_INIT_LOCK and the read models'). */
const REBUILD_REQUESTS_INIT_LOCK = 74_350_402;

/** Rebuilds asked of a follower, left for the projector: only the projector may rebuild, or events would be counted twice (see docs/decisions.md, "Moved from code comments"). */
export class RebuildRequests {
  constructor(private readonly db: SqlClient) {}

  async init(): Promise<void> {
    // One process at a time: instances starting together would race on CREATE ... IF NOT EXISTS.
    await this.db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [REBUILD_REQUESTS_INIT_LOCK]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS rm_rebuild_requests (id bigserial PRIMARY KEY,
        requested_at timestamptz NOT NULL DEFAULT now(), requested_by text NOT NULL)`);
    });
  }

  /** Leaves a request for the projector; `by` is who asked (a token subject), for its log. */
  async request(by: string): Promise<void> {
    await this.db.query('INSERT INTO rm_rebuild_requests (requested_by) VALUES ($1)', [by]);
  }

  /** Takes every waiting request at once (one rebuild serves them all); who asked, oldest first. */
  async take(): Promise<string[]> {
    const { rows } = await this.db.query<{ requested_by: string }>(
      'WITH taken AS (DELETE FROM rm_rebuild_requests RETURNING id, requested_by) SELECT requested_by FROM taken ORDER BY id',
    );
    return rows.map((r) => r.requested_by);
  }
}
