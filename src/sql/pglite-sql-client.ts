import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { wholeNumberSetting } from '../config/app-config';
import { StoreUnavailableError } from '../errors';
import { PLANNER_SETTINGS, type QueryOptions, type SqlClient } from './sql-client';
import { isConnectionError, rethrowUnavailable } from './connection-errors';
import { PgliteWorker, type PgliteRequest } from './pglite-worker';
import { explainOpenFailure, rethrowStorageFault, storageRecovered, unwatchStoreFolder, watchStoreFolder } from './storage-faults';
import { insertRows } from './insert-rows';
import { inSavepoint } from './savepoint';
import { lockEmbeddedStore, type EmbeddedStoreLock } from './embedded-store-lock';
import { createPrivateFilesFromNowOn, makeTreePrivate, privateFolder } from './private-files';
import { quoteIdentifier, quoteQualifiedName } from './sql-identifier';
import { encodeCsv } from './sql-text-value';

const WHAT = 'The embedded database';

/** PostgreSQL's buffer cache inside PGlite: a national report reads more than the 128 MB default (measured: docs/decisions.md, "Moved from code comments"). */
const EMBEDDED_SHARED_BUFFERS = '256MB';
const PGLITE_OPTIONS = { postgresqlconf: [`shared_buffers = '${EMBEDDED_SHARED_BUFFERS}'`] };

/** Tests only: a tarball of an empty store unpacked instead of running initdb, the slowest part of a new store (docs/architecture.md, "Test fixtures and CI time"). */
const EMBEDDED_TEMPLATE_VARIABLE = 'MAPPA_EMBEDDED_TEMPLATE';

async function newStoreTemplate(): Promise<Uint8Array | undefined> {
  const file = process.env[EMBEDDED_TEMPLATE_VARIABLE]?.trim();
  if (!file) return undefined;
  return readFile(file).catch((error: unknown) => {
    throw new Error(`${EMBEDDED_TEMPLATE_VARIABLE} names no readable store template: ${(error as Error).message}`, { cause: error });
  });
}

/** How long a call waits for PGlite's answer, queue included (EMBEDDED_ANSWER_TIMEOUT_MS, 0: no limit), so a stuck store gives a 503 rather than a hang. */
export const DEFAULT_EMBEDDED_ANSWER_TIMEOUT_MS = 30_000;
/** How long close() waits for PGlite to flush and close before stopping its thread regardless. */
const CLOSE_TIMEOUT_MS = 30_000;

export function loadEmbeddedAnswerTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return wholeNumberSetting('EMBEDDED_ANSWER_TIMEOUT_MS', env.EMBEDDED_ANSWER_TIMEOUT_MS, DEFAULT_EMBEDDED_ANSWER_TIMEOUT_MS, { unit: 'milliseconds' });
}

/** What the client that opened the store owns: the thread, its lock, and where its files are (for messages about the disk). */
interface OpenedStore {
  worker: PgliteWorker;
  lock?: EmbeddedStoreLock;
  where: string;
}

/** SqlClient over PGlite on a worker thread (pglite-worker.ts), so its statements never hold the event loop; one connection, serialised by PGlite. */
export class PgliteSqlClient implements SqlClient {
  readonly dialect = 'embedded' as const;
  readonly parallelStatements = false;
  private transactions = 0;

  private constructor(
    private readonly store: OpenedStore,
    /** Each call's answer timeout (0: none). */
    private readonly timeoutMs: number,
    /** Whether close() closes the store (false for a withoutTimeouts() view of it). */
    private readonly owner = true,
  ) {}

  /** Opens (creating when new) the store in `dataDir`, or in memory; the directory is locked to this process until close() (embedded-store-lock.ts). */
  static async open(dataDir?: string, options: { answerTimeoutMs?: number } = {}): Promise<PgliteSqlClient> {
    const timeoutMs = options.answerTimeoutMs ?? loadEmbeddedAnswerTimeoutMs();
    if (!dataDir) return PgliteSqlClient.start({ worker: startWorker(), where: 'memory' }, undefined, timeoutMs, await newStoreTemplate());
    createPrivateFilesFromNowOn();
    // The lock lives beside the store; an existing parent keeps its mode (it may be /tmp).
    await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true, mode: 0o700 });
    // Before PGlite touches a file: a second writer corrupts the store even while it only starts.
    const lock = await lockEmbeddedStore(dataDir).catch(async (error: unknown) => {
      throw await explainOpenFailure(error, path.dirname(path.resolve(dataDir)));
    });
    let worker: PgliteWorker | undefined;
    try {
      await privateFolder(dataDir);
      // A new database is unpacked 0666; walked before PGlite opens it, because walked after, its start held /health for seconds.
      const existing = existsSync(path.join(dataDir, 'PG_VERSION'));
      if (existing) await makeTreePrivate(dataDir);
      worker = startWorker();
      const client = await PgliteSqlClient.start({ worker, lock, where: path.resolve(dataDir) }, dataDir, timeoutMs, existing ? undefined : await newStoreTemplate());
      if (!existing) await makeTreePrivate(dataDir);
      watchStoreFolder(path.resolve(dataDir));
      return client;
    } catch (error) {
      await worker?.terminate().catch(() => undefined);
      await lock.release().catch(() => undefined);
      // PGlite says "failed to initialize properly", or gives an errno with no path: say which disk, and why.
      throw await explainOpenFailure(error, dataDir);
    }
  }

  /** Opens PGlite on the store's thread (no answer timeout: a large store's start may rightly take long) and applies the settings. */
  private static async start(store: OpenedStore, dataDir: string | undefined, timeoutMs: number, template?: Uint8Array): Promise<PgliteSqlClient> {
    try {
      await store.worker.call({ op: 'open', dataDir, options: PGLITE_OPTIONS, template }, 0);
      for (const [name, value] of PLANNER_SETTINGS) await store.worker.call({ op: 'exec', sql: `SET ${name} = ${value}` }, 0);
    } catch (error) {
      await store.worker.terminate().catch(() => undefined);
      throw error;
    }
    return new PgliteSqlClient(store, timeoutMs);
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<{ rows: R[] }> {
    let rows: R[];
    try {
      rows = (await this.call({ op: 'query', sql, params: [...params] })) as R[];
    } catch (error) {
      this.fail(error);
    }
    if (options.writes) storageRecovered(this.store.where);
    return { rows };
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.call({ op: 'exec', sql });
    } catch (error) {
      this.fail(error);
    }
  }

  /** The worker keeps a PGlite transaction open while fn sends statements tagged with its id; PGlite holds other callers meanwhile. */
  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const tx = ++this.transactions;
    try {
      await this.call({ op: 'begin', tx });
    } catch (error) {
      // BEGIN may still run later (the call only stopped waiting): it is then rolled back at once.
      void this.rollback(tx);
      this.fail(error);
    }
    let result: T;
    try {
      result = await fn(new PgliteTransactionClient((request) => this.call(request), tx));
    } catch (error) {
      await this.rollback(tx);
      this.fail(error);
    }
    try {
      await this.call({ op: 'commit', tx });
    } catch (error) {
      this.fail(error);
    }
    storageRecovered(this.store.where);
    return result;
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.call(copyRequest(table, columns, rows));
    } catch (error) {
      // No answer, or no PGlite: the INSERT would meet the same.
      if (error instanceof StoreUnavailableError || isConnectionError(error)) this.fail(error);
      // Outside a transaction a failed COPY leaves nothing behind, so the fallback starts clean.
      await this.insertFallback(table, columns, rows);
    }
  }

  /** The same database for maintenance that may rightly run long: no answer timeout; never for a request. */
  withoutTimeouts(): SqlClient {
    return new PgliteSqlClient(this.store, 0, false);
  }

  async close(): Promise<void> {
    if (!this.owner) return;
    const { worker, lock, where } = this.store;
    unwatchStoreFolder(where);
    try {
      await worker.call({ op: 'close' }, CLOSE_TIMEOUT_MS);
    } catch (error) {
      // Closed already, or no answer (a statement that will not end, a spin): the thread is stopped regardless, which the store survives as it survives a killed process.
      if (!isConnectionError(error)) this.fail(error);
    }
    await worker.terminate();
    // Only once PGlite has let go of its files may another process open them; a lock not released is taken over after this process ends.
    await lock?.release().catch((error: unknown) => this.fail(error));
  }

  private call(request: PgliteRequest): Promise<unknown[] | undefined> {
    return this.store.worker.call(request, this.timeoutMs);
  }

  /** Ends transaction `tx` without committing; waits at most the answer timeout, and a failure changes nothing for the caller. */
  private async rollback(tx: number): Promise<void> {
    await this.call({ op: 'rollback', tx }).catch(() => undefined);
  }

  /** A full or read-only disk named as such (503, with the path); a lost instance as unavailable; else unchanged. */
  private fail(error: unknown): never {
    rethrowStorageFault(error, this.store.where);
    rethrowUnavailable(error, WHAT);
  }

  private async insertFallback(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    try {
      await insertRows((sql, params) => this.call({ op: 'query', sql, params: [...params] }), table, columns, rows);
    } catch (error) {
      this.fail(error);
    }
  }
}

type Send = (request: PgliteRequest) => Promise<unknown[] | undefined>;

/** The same surface bound to one open PGlite transaction (on the worker); nested transactions are savepoints. */
class PgliteTransactionClient implements SqlClient {
  readonly dialect = 'embedded' as const;
  readonly parallelStatements = false;
  private savepoints = 0;

  constructor(
    private readonly send: Send,
    private readonly tx: number,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    return { rows: (await this.send({ op: 'query', sql, params: [...params], tx: this.tx })) as R[] };
  }

  async exec(sql: string): Promise<void> {
    await this.send({ op: 'exec', sql, tx: this.tx });
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return inSavepoint(
      (sql) => this.exec(sql),
      `nested_${++this.savepoints}`,
      () => fn(this),
    );
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    // A failed statement aborts the whole transaction; the savepoint lets the fallback run.
    await this.exec('SAVEPOINT copy_rows');
    try {
      await this.send({ ...copyRequest(table, columns, rows), tx: this.tx });
      await this.exec('RELEASE SAVEPOINT copy_rows');
    } catch (error) {
      if (error instanceof StoreUnavailableError || isConnectionError(error)) throw error;
      await this.exec('ROLLBACK TO SAVEPOINT copy_rows');
      await insertRows((sql, params) => this.query(sql, params), table, columns, rows);
    }
  }

  /** The transaction ends when the function given to transaction() settles, not here. */
  async close(): Promise<void> {}
}

/** The PGlite thread, loading PGlite with Node's own require: Jest's sandbox refuses PGlite's dynamic import() of its WebAssembly. */
function startWorker(): PgliteWorker {
  const nodeRequire = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module').createRequire(__filename) : require;
  return new PgliteWorker(nodeRequire.resolve('@electric-sql/pglite'));
}

/** PGlite's COPY reads the virtual file /dev/blob, filled on the worker from the CSV text. */
function copyRequest(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Extract<PgliteRequest, { op: 'copy' }> {
  const sql = `COPY ${quoteQualifiedName(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`;
  return { op: 'copy', sql, csv: encodeCsv(rows) };
}
