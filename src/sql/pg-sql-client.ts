import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, Pool, type PoolClient, type QueryConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DEFAULT_DATABASE_SETTINGS, STATEMENT_ANSWER_GRACE_MS } from '../config/app-config';
import { StoreBusyError, StoreUnavailableError, type ErrorDetail } from '../errors';
import { PLANNER_SETTINGS, type QueryOptions, type SqlClient } from './sql-client';
import { isConnectionError, storeUnavailable } from './connection-errors';
import { busyMessage, StoreCondition, type DatabaseCondition } from './store-condition';
import { rethrowStorageFault, storageRecovered } from './storage-faults';
import { insertRows } from './insert-rows';
import { inSavepoint } from './savepoint';
import { assertPlainIdentifier, quoteIdentifier, quoteQualifiedName } from './sql-identifier';
import { encodeCsv } from './sql-text-value';

export interface PgSqlClientOptions {
  connectionString: string;
  /** Schema for unqualified names (first on search_path), created if missing, so test files or deployments sharing a database keep their own tables. */
  schema?: string;
  /** Pool size. Default DEFAULT_POOL_SIZE. */
  maxConnections?: number;
  /** Callers that may wait for a connection when all are in use; past it a caller is told "busy" at once. Default: no bound. */
  maxWaiting?: number;
  /** How long to wait for a connection before answering 503 (default 5000): without it pg waits forever on an exhausted pool. */
  connectTimeoutMs?: number;
  /** statement_timeout in ms (503 past it); the client stops waiting STATEMENT_ANSWER_GRACE_MS later, for a server too frozen to cancel. Default none. */
  statementTimeoutMs?: number;
}

const WHAT = 'The PostgreSQL database';
/** Where a full or read-only disk is, as far as this service can see. */
const WHERE = "the PostgreSQL server's data directory";

/** Connections in a server's pool (pg's own default); admission control sizes its budgets from it (src/http/admission-control.ts). */
export const DEFAULT_POOL_SIZE = DEFAULT_DATABASE_SETTINGS.poolSize;
/** setTimeout's longest delay: "no limit" for pg's per-query answer timeout (0 would mean "the pool's"). */
const NO_ANSWER_LIMIT = 2_147_483_647;

/** What pg says when its answer timeout (query_timeout) ran out: the server did not answer at all. */
const NO_ANSWER = /query read timeout/i;
/** SQLSTATE query_canceled: statement_timeout stopped the statement. */
const QUERY_CANCELED = '57014';
/** What pg-pool says when a wait in the queue for a connection ran out. */
const QUEUE_WAIT_RAN_OUT = /timeout exceeded when trying to connect/i;

/** A 503 with one detail, keeping the driver's error as its cause for the logs. */
function unavailableBecause(message: string, detail: ErrorDetail, cause: unknown): StoreUnavailableError {
  const error = new StoreUnavailableError(message, [detail]);
  error.cause = cause;
  return error;
}

/** SqlClient over a PostgreSQL server through a pg connection pool. */
export class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly parallelStatements = true;
  private closed = false;
  /** Whether COPY can load each table copyRows was given (a view cannot be copied into). */
  private readonly copyable = new Map<string, boolean>();

  private readonly tracker: StoreCondition;
  private readonly maxConnections: number;
  private readonly maxWaiting: number;
  /** How long pg waits for any answer (0: no limit). */
  private readonly answerTimeoutMs: number;

  private constructor(
    private readonly pool: Pool,
    /** The schema this client works in, if one was configured. */
    readonly schema: string | undefined,
    options: PgSqlClientOptions,
  ) {
    this.maxConnections = options.maxConnections ?? 10;
    this.maxWaiting = options.maxWaiting ?? Number.POSITIVE_INFINITY;
    const statementTimeoutMs = options.statementTimeoutMs ?? 0;
    this.answerTimeoutMs = statementTimeoutMs > 0 ? statementTimeoutMs + STATEMENT_ANSWER_GRACE_MS : 0;
    this.tracker = new StoreCondition(() => this.poolUsage(), this.answerTimeoutMs);
  }

  /** Creates the pool and, when a schema is configured, the schema itself. */
  static async connect(options: PgSqlClientOptions): Promise<PgSqlClient> {
    const { schema } = options;
    if (schema !== undefined) assertPlainIdentifier(schema, 'PostgreSQL schema');
    const runtimeSettings = [
      schema !== undefined ? `-c search_path=${quoteIdentifier(schema)},public` : '',
      options.statementTimeoutMs !== undefined ? `-c statement_timeout=${Math.floor(options.statementTimeoutMs)}` : '',
      ...PLANNER_SETTINGS.map(([name, value]) => `-c ${name}=${value}`),
    ].filter(Boolean);
    const statementTimeoutMs = options.statementTimeoutMs ?? 0;
    const pool = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // Sent in the startup packet, so every pooled connection has them before its first query.
      options: runtimeSettings.length > 0 ? runtimeSettings.join(' ') : undefined,
      // The client's own bound: a frozen server cannot cancel a statement, so statement_timeout alone never fires.
      query_timeout: statementTimeoutMs > 0 ? statementTimeoutMs + STATEMENT_ANSWER_GRACE_MS : undefined,
    });
    const client = new PgSqlClient(pool, schema, options);
    // pg emits 'error' on a connection whose server went away, idle or not, and an unheard 'error' ends the process (issue 11.2).
    pool.on('connect', (connection) => connection.on('error', () => client.tracker.unreachable()));
    // An idle connection dropped by the server: the pool discards it and the next query opens a new one.
    pool.on('error', () => client.tracker.unreachable());
    if (schema !== undefined) {
      try {
        // IF NOT EXISTS is not safe against itself: a process starting beside this one may win (23505).
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`).catch((error: { code?: unknown }) => {
          if (error?.code !== '23505') throw error;
        });
      } catch (error) {
        await pool.end().catch(() => undefined);
        throw error;
      }
    }
    return client;
  }

  /** What the service last learnt about the server and the pool now (for /health); never waits for a connection. */
  condition(): DatabaseCondition {
    return this.tracker.current();
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<{ rows: R[] }> {
    this.refuseWhenQueueFull();
    try {
      const result = await this.pool.query(options.prepared ? { name: options.prepared, text: sql, values: [...params] } : { text: sql, values: [...params] });
      this.tracker.succeeded();
      if (options.writes) storageRecovered(WHERE);
      return { rows: result.rows as R[] };
    } catch (error) {
      rethrowStorageFault(error, WHERE);
      throw this.failure(error);
    }
  }

  async exec(sql: string): Promise<void> {
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    await this.query(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    this.refuseWhenQueueFull();
    const connection = await this.connect();
    let broken = false;
    try {
      await connection.query('BEGIN');
      const result = await fn(new PgTransactionClient(connection, this.copyable, this.answerTimeoutMs));
      await connection.query('COMMIT');
      this.tracker.succeeded();
      storageRecovered(WHERE);
      return result;
    } catch (error) {
      // A dropped or silent connection cannot roll back (ROLLBACK would wait behind the lost statement): discarded, the server rolls back alone.
      broken = lostConnection(error);
      if (!broken) {
        try {
          await connection.query('ROLLBACK');
        } catch {
          // The connection itself failed: it must not go back to the pool.
          broken = true;
        }
      }
      rethrowStorageFault(error, WHERE);
      throw this.failure(error);
    } finally {
      connection.release(broken);
    }
  }

  /** The same database for maintenance that may rightly run long (index builds, ANALYZE, VACUUM, schema changes); never for a request. */
  withoutTimeouts(): SqlClient {
    return new UnboundedPgSqlClient(this, (fn) => this.session(fn));
  }

  /** One connection outside any transaction, its statement timeout lifted, given back as it was. */
  private async session<T>(fn: (connection: PoolClient) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    let broken = false;
    try {
      await connection.query(statement('SET statement_timeout = 0', undefined, NO_ANSWER_LIMIT));
      const result = await fn(connection);
      await connection.query(statement('RESET statement_timeout', undefined, NO_ANSWER_LIMIT));
      this.tracker.succeeded();
      return result;
    } catch (error) {
      broken = true; // its session settings are unknown now
      throw this.failure(error);
    } finally {
      connection.release(broken);
    }
  }

  /** A connection from the pool; failing to get one is the 503 that says why. */
  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** "Busy" at once, rather than a place in a queue already as long as DATABASE_POOL_QUEUE allows. */
  private refuseWhenQueueFull(): void {
    const usage = this.poolUsage();
    if (usage.inUse < usage.size || usage.waiting < this.maxWaiting) return;
    throw this.tracker.databaseAtFault() ? this.unreachableError(null) : this.busyError(usage);
  }

  /** The 503 naming which fault it is (issue 18.3), as /health learns it; an error the database answered with is returned unchanged. */
  private failure(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    const message = (error as { message?: unknown })?.message;
    if (typeof message === 'string' && QUEUE_WAIT_RAN_OUT.test(message)) {
      // A full pool whose connections are stuck on a dead server is the server's fault, not the load's.
      return this.tracker.databaseAtFault() ? this.unreachableError(error) : this.busyError(this.poolUsage(), error);
    }
    if (typeof message === 'string' && NO_ANSWER.test(message)) {
      this.tracker.notAnswering();
      return unavailableBecause(
        `${WHAT} did not answer within ${this.answerTimeoutMs / 1000} s and the service stopped waiting. Please try again shortly; a post may be sent again with the same eventId.`,
        { rule: 'database-not-answering', message: `no answer within ${this.answerTimeoutMs} ms` },
        error,
      );
    }
    if ((error as { code?: unknown })?.code === QUERY_CANCELED) {
      // The server answered "too slow" (a lock held elsewhere, an overloaded server): it is there.
      return unavailableBecause(
        `${WHAT} did not finish the work in time and it was stopped. Please try again shortly; a post may be sent again with the same eventId.`,
        { rule: 'statement-timeout', message: 'a statement ran past the statement timeout' },
        error,
      );
    }
    if (isConnectionError(error)) {
      this.tracker.unreachable();
      return this.unreachableError(error);
    }
    this.tracker.succeeded();
    return error;
  }

  private unreachableError(cause: unknown): StoreUnavailableError {
    const error = storeUnavailable(cause, WHAT);
    error.details.push({ rule: 'database-unreachable', message: 'the database could not be reached or did not complete the statement' });
    return error;
  }

  private busyError(usage: ReturnType<PgSqlClient['poolUsage']>, cause?: unknown): StoreBusyError {
    const error = new StoreBusyError(`The service is busy: all ${usage.size} database connections are in use. Please try again shortly.`, [
      { rule: 'pool-exhausted', message: busyMessage(usage) },
    ]);
    error.cause = cause;
    return error;
  }

  private poolUsage() {
    return { size: this.maxConnections, inUse: this.pool.totalCount - this.pool.idleCount, waiting: this.pool.waitingCount };
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

  /** A connection of its own with the pool's settings, for a session outliving any query (the projector lease); the caller ends it. */
  async dedicatedConnection(applicationName: string): Promise<Client> {
    const client = new Client({ ...this.pool.options, application_name: applicationName.slice(0, 63) });
    // Until the caller listens for it: a connection lost unheard would end the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw isConnectionError(error) ? storeUnavailable(error, WHAT) : error;
    }
    return client;
  }
}

/** The SqlClient surface bound to one connection inside BEGIN ... COMMIT; nested transactions are savepoints. */
class PgTransactionClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly parallelStatements = false;
  private savepoints = 0;

  constructor(
    private readonly connection: PoolClient,
    private readonly copyable: Map<string, boolean>,
    /** How long pg waits for each answer (0: the pool's own setting); limitStatements changes it. */
    private answerTimeoutMs: number,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    const result = await this.connection.query(statement(sql, [...params], this.answerTimeoutMs));
    return { rows: result.rows as R[] };
  }

  async exec(sql: string): Promise<void> {
    await this.connection.query(statement(sql, undefined, this.answerTimeoutMs));
  }

  /** The rest of this transaction's statements may each run `ms` (0: no limit), on the server and as the client waits. */
  async limitStatements(ms: number): Promise<void> {
    // A whole number, never user input: safe to write into the statement.
    await this.exec(`SET LOCAL statement_timeout = ${Math.max(0, Math.floor(ms))}`);
    this.answerTimeoutMs = ms > 0 ? Math.floor(ms) + STATEMENT_ANSWER_GRACE_MS : NO_ANSWER_LIMIT;
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    // Behind an unanswered statement the rollback would only wait as long again.
    return inSavepoint(
      (sql) => this.connection.query(sql),
      `nested_${++this.savepoints}`,
      () => fn(this),
      (error) => !lostConnection(error),
    );
  }

  /** COPY FROM STDIN in CSV, about five times multi-row INSERT's rows per second; a view cannot take COPY, so it gets the INSERT. */
  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    if (!(await this.canCopyInto(table))) {
      await insertRows((sql, params) => this.query(sql, params), table, columns, rows);
      return;
    }
    const sql = `COPY ${quoteQualifiedName(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
    // pg reads the answer timeout from the query object; the copy stream's 'error' is pipeline's to handle.
    const copy = Object.assign(copyFrom(sql), { query_timeout: this.answerTimeoutMs || undefined });
    await pipeline(Readable.from(csvChunks(rows)), this.connection.query(copy));
  }

  /** Tables and partitioned tables take COPY; asked once per table name and remembered. */
  private async canCopyInto(table: string): Promise<boolean> {
    let known = this.copyable.get(table);
    if (known === undefined) {
      const { rows } = await this.query<{ relkind: string | null }>('SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS relkind', [
        quoteQualifiedName(table),
      ]);
      known = rows[0]?.relkind === 'r' || rows[0]?.relkind === 'p';
      // An unknown table is not remembered: it may be created later under that name.
      if (rows[0]?.relkind != null) this.copyable.set(table, known);
    }
    return known;
  }

  /** The transaction ends when the function given to transaction() settles, not here. */
  async close(): Promise<void> {}
}

/** PgSqlClient.withoutTimeouts(): statements outside a transaction on a session with no timeout; transactions lift their own. */
class UnboundedPgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly parallelStatements = true;

  constructor(
    private readonly db: PgSqlClient,
    private readonly session: <T>(fn: (connection: PoolClient) => Promise<T>) => Promise<T>,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    const result = await this.session((connection) => connection.query(statement(sql, [...params], NO_ANSWER_LIMIT)));
    return { rows: result.rows as R[] };
  }

  async exec(sql: string): Promise<void> {
    // Outside a transaction, so VACUUM may run here.
    await this.session((connection) => connection.query(statement(sql, undefined, NO_ANSWER_LIMIT)));
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.limitStatements?.(0);
      return fn(tx);
    });
  }

  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    return this.transaction((tx) => tx.copyRows(table, columns, rows));
  }

  /** The pool belongs to the PgSqlClient it came from. */
  async close(): Promise<void> {}
}

/** A statement with pg's own per-query answer timeout (0: the pool's); pg has it, @types/pg's QueryConfig does not. */
function statement(text: string, values: unknown[] | undefined, answerTimeoutMs: number): QueryConfig {
  const config = answerTimeoutMs > 0 ? { text, values, query_timeout: answerTimeoutMs } : { text, values };
  return config;
}

/** A dropped connection, or one whose server did not answer: it cannot be used again. */
function lostConnection(error: unknown): boolean {
  const message = (error as { message?: unknown })?.message;
  if (typeof message === 'string' && NO_ANSWER.test(message)) return true;
  return isConnectionError(error) && (error as { code?: unknown })?.code !== QUERY_CANCELED && !(error instanceof StoreUnavailableError);
}

/** CSV text in pieces of a few thousand rows, so a large load is never one giant string. */
function* csvChunks(rows: readonly (readonly unknown[])[], rowsPerChunk = 2000): Generator<string> {
  for (let i = 0; i < rows.length; i += rowsPerChunk) yield encodeCsv(rows.slice(i, i + rowsPerChunk));
}
