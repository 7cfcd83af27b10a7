/**
 * The one SQL surface the service uses, implemented by embedded PGlite and by a PostgreSQL
 * server through `pg`, so the event store and the read models share their SQL between both.
 * Parameters are always bound ($1, $2...): no value is ever spliced into SQL text.
 */
export interface SqlClient {
  /** 'embedded' (PGlite) or 'postgres' (a server through pg). */
  readonly dialect: 'embedded' | 'postgres';
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
}
