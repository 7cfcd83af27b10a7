import type { DatabaseCondition } from './store-condition';

/**
 * The one SQL surface the service uses, implemented by embedded PGlite and by a PostgreSQL
 * server through `pg`, so the event store and the read models share their SQL between both.
 * Parameters are always bound ($1, $2...): no value is ever spliced into SQL text.
 */
export interface SqlClient {
  /** 'embedded' (PGlite) or 'postgres' (a server through pg). */
  readonly dialect: 'embedded' | 'postgres';
  /**
   * Whether independent statements gain from being sent at once: true on a server's pool (a
   * connection each); false on one connection (PGlite, a transaction), where they would only queue,
   * so a caller with several sends them as one statement instead.
   */
  readonly parallelStatements: boolean;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Runs several statements without parameters (schema scripts). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction on one connection; commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Bulk-loads rows into a table (COPY where the driver can, else multi-row INSERT).
   * Values are written as text; null is SQL NULL.
   */
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  close(): Promise<void>;
  /** PostgreSQL, inside a transaction: its remaining statements may each run `ms` (0: no limit) instead of the connection's statement timeout. */
  limitStatements?(ms: number): Promise<void>;
  /** PostgreSQL: the same database with no statement or answer timeout, for maintenance (a rebuild, schema changes); never for a request. */
  withoutTimeouts?(): SqlClient;
  /** PostgreSQL: what the service last learnt about the server and its pool, without waiting for a connection (/health). */
  condition?(): DatabaseCondition;
}

/**
 * Planner settings of every connection, both clients (measured on the national benchmark history):
 * - random_page_cost: the cost of a page read out of order, relative to one in sequence. The
 *   default, 4, is for spinning disks; the read models are meant to sit in memory (or on SSD),
 *   where an index probe costs little more than a sequential read. At 4 the planner scans a whole
 *   area's history into a hash where a few thousand index probes are 2-3x faster.
 * - max_parallel_workers_per_gather: report queries are many and small (milliseconds); starting
 *   parallel workers for them doubled an area report's time, and a report's tables already run
 *   side by side (ReportService). No other statement of the service scans enough to gain.
 */
export const PLANNER_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['random_page_cost', '1.1'],
  ['max_parallel_workers_per_gather', '0'],
];
