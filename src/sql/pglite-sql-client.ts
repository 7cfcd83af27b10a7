import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { PLANNER_SETTINGS, type SqlClient } from './sql-client';
import { rethrowUnavailable } from './connection-errors';
import { explainOpenFailure, rethrowStorageFault, storageRecovered, unwatchStoreFolder, watchStoreFolder } from './storage-faults';
import { insertRows } from './insert-rows';
import { lockEmbeddedStore, type EmbeddedStoreLock } from './embedded-store-lock';
import { createPrivateFilesFromNowOn, makeTreePrivate, privateFolder } from './private-files';
import { quoteIdentifier, quoteQualifiedName } from './sql-identifier';
import { encodeCsv } from './sql-text-value';

/** What PGlite and its transaction handle have in common. */
type PgliteConnection = Pick<Transaction, 'query' | 'exec'>;

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

async function newStoreTemplate(): Promise<{ loadDataDir?: Blob }> {
  const file = process.env[EMBEDDED_TEMPLATE_VARIABLE]?.trim();
  if (!file) return {};
  const tarball = await readFile(file).catch((error: unknown) => {
    throw new Error(`${EMBEDDED_TEMPLATE_VARIABLE} names no readable store template: ${(error as Error).message}`, { cause: error });
  });
  return { loadDataDir: new Blob([tarball]) };
}

/**
 * SqlClient over PGlite: PostgreSQL compiled to WebAssembly, running in this process. It has a
 * single connection, so every query and transaction is serialised by PGlite itself.
 */
export class PgliteSqlClient implements SqlClient {
  readonly dialect = 'embedded' as const;
  readonly parallelStatements = false;

  private constructor(
    private readonly db: PGlite,
    private readonly lock?: EmbeddedStoreLock,
    /** Where its files are, for messages about the disk under them. */
    private readonly where = 'memory',
  ) {}

  /**
   * Opens (creating when new) the database kept in `dataDir`, or an in-memory one when no
   * directory is given. Creating a new store takes seconds (initdb runs); reopening is faster.
   * A directory is locked to this process until close(): while another process has it open,
   * this throws EmbeddedStoreInUseError naming that process (embedded-store-lock.ts).
   */
  static async open(dataDir?: string): Promise<PgliteSqlClient> {
    const { PGlite } = loadPglite();
    if (!dataDir) {
      const db = await PGlite.create({ ...PGLITE_OPTIONS, ...(await newStoreTemplate()) });
      return PgliteSqlClient.configure(db);
    }
    createPrivateFilesFromNowOn();
    // The lock lives beside the store; an existing parent keeps its mode (it may be /tmp).
    await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true, mode: 0o700 });
    // Before PGlite touches a file: a second writer corrupts the store even while it only starts.
    const lock = await lockEmbeddedStore(dataDir).catch(async (error: unknown) => {
      throw await explainOpenFailure(error, path.dirname(path.resolve(dataDir)));
    });
    let db: PGlite | undefined;
    try {
      await privateFolder(dataDir);
      // A new database is unpacked world-writable (0666); later files follow the umask above. An
      // existing one is walked before PGlite opens it: walked after, its start held the event loop
      // (and /health) for seconds, on any store size.
      const existing = existsSync(path.join(dataDir, 'PG_VERSION'));
      if (existing) await makeTreePrivate(dataDir);
      db = await PGlite.create(dataDir, { ...PGLITE_OPTIONS, ...(existing ? {} : await newStoreTemplate()) });
      if (!existing) await makeTreePrivate(dataDir);
      const client = await PgliteSqlClient.configure(db, lock, path.resolve(dataDir));
      watchStoreFolder(path.resolve(dataDir));
      return client;
    } catch (error) {
      if (db && !db.closed) await db.close().catch(() => undefined);
      await lock.release().catch(() => undefined);
      // PGlite says "failed to initialize properly", or gives an errno with no path: say which disk, and why.
      throw await explainOpenFailure(error, dataDir);
    }
  }

  private static async configure(db: PGlite, lock?: EmbeddedStoreLock, where?: string): Promise<PgliteSqlClient> {
    try {
      for (const [name, value] of PLANNER_SETTINGS) await db.exec(`SET ${name} = ${value}`);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return new PgliteSqlClient(db, lock, where);
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    try {
      const result = await this.db.query<R>(sql, [...params]);
      return { rows: result.rows };
    } catch (error) {
      this.fail(error);
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.db.exec(sql);
    } catch (error) {
      this.fail(error);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    try {
      const result = await this.db.transaction((tx) => fn(new PgliteTransactionClient(tx)));
      storageRecovered(this.where);
      return result;
    } catch (error) {
      this.fail(error);
    }
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await copyViaBlob(this.db, table, columns, rows);
    } catch {
      // Outside a transaction a failed COPY leaves nothing behind, so the fallback starts clean;
      // if the rows themselves are bad, the INSERT reports the same error in a plainer form.
      await this.insertFallback(table, columns, rows);
    }
  }

  async close(): Promise<void> {
    unwatchStoreFolder(this.where);
    if (!this.db.closed) await this.db.close().catch((error: unknown) => this.fail(error));
    // Only once PGlite has flushed and let go of its files may another process open them; if
    // closing failed, the lock stays until this process ends (and is then taken over).
    await this.lock?.release().catch((error: unknown) => this.fail(error));
  }

  /** A full or read-only disk named as such (503, with the path); a lost instance as unavailable; else unchanged. */
  private fail(error: unknown): never {
    rethrowStorageFault(error, this.where);
    rethrowUnavailable(error, WHAT);
  }

  private async insertFallback(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    try {
      await insertRows((sql, params) => this.db.query(sql, [...params]), table, columns, rows);
    } catch (error) {
      this.fail(error);
    }
  }
}

/** The same surface bound to one open PGlite transaction; nested transactions are savepoints. */
class PgliteTransactionClient implements SqlClient {
  readonly dialect = 'embedded' as const;
  readonly parallelStatements = false;
  private savepoints = 0;

  constructor(private readonly tx: Transaction) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    const result = await this.tx.query<R>(sql, [...params]);
    return { rows: result.rows };
  }

  async exec(sql: string): Promise<void> {
    await this.tx.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const savepoint = `nested_${++this.savepoints}`;
    await this.tx.exec(`SAVEPOINT ${savepoint}`);
    try {
      const result = await fn(this);
      await this.tx.exec(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      await this.tx.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      throw error;
    }
  }

  async copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    // A failed statement aborts the whole transaction; the savepoint lets the fallback run.
    await this.tx.exec('SAVEPOINT copy_rows');
    try {
      await copyViaBlob(this.tx, table, columns, rows);
      await this.tx.exec('RELEASE SAVEPOINT copy_rows');
    } catch {
      await this.tx.exec('ROLLBACK TO SAVEPOINT copy_rows');
      await insertRows((sql, params) => this.tx.query(sql, [...params]), table, columns, rows);
    }
  }

  /** The transaction ends when the function given to transaction() settles, not here. */
  async close(): Promise<void> {}
}

/**
 * PGlite's CommonJS build loads its WebAssembly through dynamic import(), which Jest's module
 * sandbox refuses unless Node runs with --experimental-vm-modules. Node's own require (not the
 * sandbox's) loads it anywhere; outside Jest the two are the same thing.
 */
function loadPglite(): typeof import('@electric-sql/pglite') {
  const nodeRequire = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module').createRequire(__filename) : require;
  return nodeRequire('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
}

/** PGlite's COPY reads the virtual file /dev/blob from the `blob` query option. */
async function copyViaBlob(connection: PgliteConnection, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  const sql = `COPY ${quoteQualifiedName(table)} (${columns.map(quoteIdentifier).join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`;
  await connection.query(sql, [], { blob: new Blob([encodeCsv(rows)]) });
}
