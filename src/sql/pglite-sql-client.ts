import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { wholeNumberSetting } from '../config/app-config';
import { StoreUnavailableError } from '../errors';
import { PLANNER_SETTINGS, type SqlClient } from './sql-client';
import { isConnectionError, rethrowUnavailable } from './connection-errors';
import { PgliteWorker, type PgliteRequest } from './pglite-worker';
import { explainOpenFailure, rethrowStorageFault, storageRecovered, unwatchStoreFolder, watchStoreFolder } from './storage-faults';
import { insertRows } from './insert-rows';
import { lockEmbeddedStore, type EmbeddedStoreLock } from './embedded-store-lock';
import { createPrivateFilesFromNowOn, makeTreePrivate, privateFolder } from './private-files';
import { quoteIdentifier, quoteQualifiedName } from './sql-identifier';
import { encodeCsv } from './sql-text-value';

const WHAT = 'The embedded database';

/**
 * PostgreSQL's buffer cache inside PGlite, set at start (PGlite's default is 128 MB). The reports
 * of a national store read more than that (the covering interval index alone is 126 MB), and each
 * page missed is copied again from PGlite's in-memory files. Measured on the national history, an
 * england-and-wales report: 360 ms at 128 MB, 307 at 256, 291 at 512, no better at 1 GB. Memory
 * grows by at most the difference, once the cache fills (a rebuild's peak: about +450 MB at 512).
 */
const EMBEDDED_SHARED_BUFFERS = '256MB';
const PGLITE_OPTIONS = { postgresqlconf: [`shared_buffers = '${EMBEDDED_SHARED_BUFFERS}'`] };

/**
 * The one option for the test suite (docs/architecture.md, "Test fixtures and CI time"): a tarball of
 * a new, empty store (PGlite's dumpDataDir) that a new store is unpacked from instead of running
 * initdb, the slowest part of creating one. Unset (production), a new store is created as always.
 */
const EMBEDDED_TEMPLATE_VARIABLE = 'MAPPA_EMBEDDED_TEMPLATE';

async function newStoreTemplate(): Promise<Uint8Array | undefined> {
  const file = process.env[EMBEDDED_TEMPLATE_VARIABLE]?.trim();
  if (!file) return undefined;
  return readFile(file).catch((error: unknown) => {
    throw new Error(`${EMBEDDED_TEMPLATE_VARIABLE} names no readable store template: ${(error as Error).message}`, { cause: error });
  });
}

/**
 * How long a call waits for the embedded database's answer, in ms, unless EMBEDDED_ANSWER_TIMEOUT_MS
 * says otherwise (0: no limit). Statements queue on its one connection, so this bounds the wait in
 * the queue too: long enough for a national report or import batch behind another, short enough
 * that a caller is told (503, Retry-After) rather than left hanging by a stuck store.
 */
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

/**
 * SqlClient over PGlite: PostgreSQL compiled to WebAssembly, running on a worker thread of this
 * process (pglite-worker.ts), so its statements never hold the event loop. It has a single
 * connection, so every query and transaction is serialised by PGlite itself.
 */
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

  /**
   * Opens (creating when new) the database kept in `dataDir`, or an in-memory one when no
   * directory is given. Creating a new store takes seconds (initdb runs); reopening is faster.
   * A directory is locked to this process until close(): while another process has it open,
   * this throws EmbeddedStoreInUseError naming that process (embedded-store-lock.ts).
   */
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
      // A new database is unpacked world-writable (0666); later files follow the umask above. An
      // existing one is walked before PGlite opens it: walked after, its start held the event loop
      // (and /health) for seconds, on any store size.
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

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    try {
      return { rows: (await this.call({ op: 'query', sql, params: [...params] })) as R[] };
    } catch (error) {
      this.fail(error);
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.call({ op: 'exec', sql });
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * The worker opens a PGlite transaction and keeps it open while fn sends statements tagged with
   * its id; PGlite holds every other caller's statements until it ends, as it did on this thread.
   */
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
      // Outside a transaction a failed COPY leaves nothing behind, so the fallback starts clean;
      // if the rows themselves are bad, the INSERT reports the same error in a plainer form.
      await this.insertFallback(table, columns, rows);
    }
  }

  /**
   * The same database for maintenance that may rightly run long (a rebuild's index builds, ANALYZE,
   * VACUUM, schema changes): no answer timeout. Never for a request's work.
   */
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
      // Closed already, or no answer (a statement that will not end, a spin): the thread is stopped
      // regardless, which the store survives as it survives a killed process.
      if (!isConnectionError(error)) this.fail(error);
    }
    await worker.terminate();
    // Only once PGlite has flushed and let go of its files (or its thread is gone) may another
    // process open them; if releasing fails, the lock stays until this process ends (and is then taken over).
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
    const savepoint = `nested_${++this.savepoints}`;
    await this.exec(`SAVEPOINT ${savepoint}`);
    try {
      const result = await fn(this);
      await this.exec(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      await this.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw error;
    }
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

/**
 * The PGlite thread. It loads PGlite with Node's own require, from the path resolved here: under
 * Jest the sandbox's module loader refuses PGlite's dynamic import() of its WebAssembly, and
 * outside Jest the two are the same thing.
 */
function startWorker(): PgliteWorker {
  const nodeRequire = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module').createRequire(__filename) : require;
  return new PgliteWorker(nodeRequire.resolve('@electric-sql/pglite'));
}

/** PGlite's COPY reads the virtual file /dev/blob, filled on the worker from the CSV text. */
function copyRequest(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Extract<PgliteRequest, { op: 'copy' }> {
  const sql = `COPY ${quoteQualifiedName(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`;
  return { op: 'copy', sql, csv: encodeCsv(rows) };
}
