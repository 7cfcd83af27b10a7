import { wholeNumberSetting } from '../config/app-config';
import { StoreUnavailableError } from '../errors';
import type { SqlClient } from './sql-client';

/** SQLSTATE query_canceled: what PostgreSQL answers when statement_timeout stops a statement. */
const QUERY_CANCELED = '57014';

/** Every statement bounded by `timeoutMs` in a transaction of its own (503 when stopped); PGlite ignores statement_timeout (docs/decisions.md, "Moved from code comments"). */
export function withStatementTimeout(db: SqlClient, timeoutMs: number): SqlClient {
  if (db.dialect === 'embedded' || !(timeoutMs > 0)) return db;
  return new TimedSqlClient(db, Math.floor(timeoutMs));
}

class TimedSqlClient implements SqlClient {
  readonly dialect: SqlClient['dialect'];
  readonly parallelStatements: boolean;

  constructor(
    private readonly db: SqlClient,
    private readonly timeoutMs: number,
  ) {
    this.dialect = db.dialect;
    this.parallelStatements = db.parallelStatements;
  }

  query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    return this.transaction((tx) => tx.query<R>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.transaction((tx) => tx.exec(sql));
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        // On PostgreSQL the client's own wait for an answer follows the limit; a whole number, never user input.
        if (tx.limitStatements) await tx.limitStatements(this.timeoutMs);
        else await tx.exec(`SET LOCAL statement_timeout = ${this.timeoutMs}`);
        return fn(tx);
      });
    } catch (error) {
      throw timedOut(error) ? this.tooSlow(error) : error;
    }
  }

  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    return this.transaction((tx) => tx.copyRows(table, columns, rows));
  }

  /** The wrapped client belongs to whoever opened it. */
  async close(): Promise<void> {}

  private tooSlow(cause: unknown): StoreUnavailableError {
    const error = new StoreUnavailableError(
      `The report took longer than the service allows (${formatSeconds(this.timeoutMs)}) and was stopped. Please try again later, or ask for a smaller area or a shorter period.`,
      [{ rule: 'statement-timeout', message: `a report statement may run at most ${this.timeoutMs} ms` }],
    );
    error.cause = cause;
    return error;
  }
}

/** statement_timeout's cancellation, as pg raises it or as rethrowUnavailable wrapped it. */
function timedOut(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (e.code === QUERY_CANCELED) return true;
  }
  return false;
}

const formatSeconds = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** REPORT_STATEMENT_TIMEOUT_MS: a whole number of milliseconds, 0 for no limit; `fallback` when unset. */
export function loadReportStatementTimeoutMs(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  return wholeNumberSetting('REPORT_STATEMENT_TIMEOUT_MS', env.REPORT_STATEMENT_TIMEOUT_MS, fallback, { unit: 'milliseconds' });
}
