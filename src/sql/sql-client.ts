import type { DatabaseCondition } from './store-condition';

/** The one SQL surface, over PGlite and over a server through `pg`, so both share their SQL; values are always bound, never spliced. */
export interface SqlClient {
  /** 'embedded' (PGlite) or 'postgres' (a server through pg). */
  readonly dialect: 'embedded' | 'postgres';
  /** True on a server's pool; on one connection statements would only queue, so a caller with several sends them as one statement. */
  readonly parallelStatements: boolean;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<{ rows: R[] }>;
  /** Runs several statements without parameters (schema scripts). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction on one connection; commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Bulk-loads rows (COPY where possible, else multi-row INSERT); values are written as text, null is SQL NULL. */
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  close(): Promise<void>;
  /** PostgreSQL, inside a transaction: its remaining statements may each run `ms` (0: no limit) instead of the connection's statement timeout. */
  limitStatements?(ms: number): Promise<void>;
  /** PostgreSQL: the same database with no statement or answer timeout, for maintenance (a rebuild, schema changes); never for a request. */
  withoutTimeouts?(): SqlClient;
  /** PostgreSQL: what the service last learnt about the server and its pool, without waiting for a connection (/health). */
  condition?(): DatabaseCondition;
}

export interface QueryOptions {
  /** A name under which each server connection keeps the statement parsed and planned (pg's named statements); one name, one text. */
  prepared?: string;
  /** The statement writes and commits on its own: its success shows the storage takes writes again (as a committed transaction does). */
  writes?: boolean;
}

/** Planner settings of every connection, measured on the national history: see docs/decisions.md, "Moved from code comments". */
export const PLANNER_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['random_page_cost', '1.1'],
  ['max_parallel_workers_per_gather', '0'],
];
