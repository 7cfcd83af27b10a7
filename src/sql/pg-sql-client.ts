import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PLANNER_SETTINGS, type SqlClient } from './sql-client';
import { rethrowUnavailable } from './connection-errors';
import { rethrowStorageFault, storageRecovered } from './storage-faults';
import { insertRows } from './insert-rows';
import { assertPlainIdentifier, quoteIdentifier, quoteQualifiedName } from './sql-identifier';
import { encodeCsv } from './sql-text-value';

export interface PgSqlClientOptions {
  connectionString: string;
  /**
   * Schema for every unqualified table name (first on search_path), created if missing.
   * Lets each test file, or each deployment sharing a database, keep its own tables.
   */
  schema?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /**
   * How long to wait for a connection, new or from a busy pool, before answering 503. Default 5000.
   * Without it pg waits forever when the pool is exhausted.
   */
  connectTimeoutMs?: number;
  /** Server-side statement_timeout in ms; a statement running longer is cancelled (503). Default none. */
  statementTimeoutMs?: number;
}

const WHAT = 'The PostgreSQL database';
/** Where a full or read-only disk is, as far as this service can see. */
const WHERE = "the PostgreSQL server's data directory";

/** SqlClient over a PostgreSQL server through a pg connection pool. */
export class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  private closed = false;
  /** Whether COPY can load each table copyRows was given (a view cannot be copied into). */
  private readonly copyable = new Map<string, boolean>();

  private constructor(
    private readonly pool: Pool,
    /** The schema this client works in, if one was configured. */
    readonly schema: string | undefined,
  ) {}

  /** Creates the pool and, when a schema is configured, the schema itself. */
  static async connect(options: PgSqlClientOptions): Promise<PgSqlClient> {
    const { schema } = options;
    if (schema !== undefined) assertPlainIdentifier(schema, 'PostgreSQL schema');
    const runtimeSettings = [
      schema !== undefined ? `-c search_path=${quoteIdentifier(schema)},public` : '',
      options.statementTimeoutMs !== undefined ? `-c statement_timeout=${Math.floor(options.statementTimeoutMs)}` : '',
      ...PLANNER_SETTINGS.map(([name, value]) => `-c ${name}=${value}`),
    ].filter(Boolean);
    const pool = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // Sent in the startup packet, so every pooled connection has them before its first query.
      options: runtimeSettings.length > 0 ? runtimeSettings.join(' ') : undefined,
    });
    // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would
    // crash the process. The pool discards that connection and the next query opens a new one.
    pool.on('error', () => undefined);
    const client = new PgSqlClient(pool, schema);
    if (schema !== undefined) {
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
      } catch (error) {
        await pool.end().catch(() => undefined);
        throw error;
      }
    }
    return client;
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    try {
      const result = await this.pool.query(sql, [...params]);
      return { rows: result.rows as R[] };
    } catch (error) {
      rethrowStorageFault(error, WHERE);
      rethrowUnavailable(error, WHAT);
    }
  }

  async exec(sql: string): Promise<void> {
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    await this.query(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    let connection: PoolClient;
    try {
      connection = await this.pool.connect();
    } catch (error) {
      rethrowUnavailable(error, WHAT);
    }
    let broken = false;
    try {
      await connection.query('BEGIN');
      const result = await fn(new PgTransactionClient(connection, this.copyable));
      await connection.query('COMMIT');
      storageRecovered(WHERE);
      return result;
    } catch (error) {
      try {
        await connection.query('ROLLBACK');
      } catch {
        // The connection itself failed: it must not go back to the pool.
        broken = true;
      }
      rethrowStorageFault(error, WHERE);
      rethrowUnavailable(error, WHAT);
    } finally {
      connection.release(broken);
    }
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    // One transaction so a failure part-way leaves no partial load.
    await this.transaction((tx) => tx.copyRows(table, columns, rows));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The SqlClient surface bound to one connection inside BEGIN ... COMMIT; nested transactions are savepoints. */
class PgTransactionClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  private savepoints = 0;

  constructor(
    private readonly connection: PoolClient,
    private readonly copyable: Map<string, boolean>,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    const result = await this.connection.query(sql, [...params]);
    return { rows: result.rows as R[] };
  }

  async exec(sql: string): Promise<void> {
    await this.connection.query(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const savepoint = `nested_${++this.savepoints}`;
    await this.connection.query(`SAVEPOINT ${savepoint}`);
    try {
      const result = await fn(this);
      await this.connection.query(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      await this.connection.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw error;
    }
  }

  /**
   * COPY FROM STDIN in CSV (pg-copy-streams): about five times the rows per second of multi-row
   * INSERT. Where COPY cannot go (a view), the portable multi-row INSERT.
   */
  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    if (!(await this.canCopyInto(table))) {
      await insertRows((sql, params) => this.connection.query(sql, [...params]), table, columns, rows);
      return;
    }
    const sql = `COPY ${quoteQualifiedName(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
    await pipeline(Readable.from(csvChunks(rows)), this.connection.query(copyFrom(sql)));
  }

  /** Tables and partitioned tables take COPY; asked once per table name and remembered. */
  private async canCopyInto(table: string): Promise<boolean> {
    let known = this.copyable.get(table);
    if (known === undefined) {
      const { rows } = await this.connection.query<{ relkind: string | null }>(
        'SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS relkind',
        [quoteQualifiedName(table)],
      );
      known = rows[0]?.relkind === 'r' || rows[0]?.relkind === 'p';
      // An unknown table is not remembered: it may be created later under that name.
      if (rows[0]?.relkind != null) this.copyable.set(table, known);
    }
    return known;
  }

  /** The transaction ends when the function given to transaction() settles, not here. */
  async close(): Promise<void> {}
}

/** CSV text in pieces of a few thousand rows, so a large load is never one giant string. */
function* csvChunks(rows: readonly (readonly unknown[])[], rowsPerChunk = 2000): Generator<string> {
  for (let i = 0; i < rows.length; i += rowsPerChunk) yield encodeCsv(rows.slice(i, i + rowsPerChunk));
}
