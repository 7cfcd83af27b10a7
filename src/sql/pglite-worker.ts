import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../errors';

// PGlite runs each statement synchronously on its caller's thread; on ours a long statement or a spin held /health and every request (issue 18, items 4 and 5).

/** A call to the worker. `tx` names an open transaction the statement belongs to. */
export type PgliteRequest =
  | { op: 'open'; dataDir?: string; options: Record<string, unknown>; /** A new store's files, unpacked instead of running initdb (tests). */ template?: Uint8Array }
  | { op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  /** COPY ... FROM '/dev/blob' with `csv` as the blob. */
  | { op: 'copy'; sql: string; csv: string; tx?: number }
  | { op: 'begin' | 'commit' | 'rollback'; tx: number }
  | { op: 'close' };

/** An error as it crosses threads: structured clone keeps only an Error's message, so every field callers read is copied. */
export type SerialisedError = { name?: string; message?: string; stack?: string } & Record<string, string | number | boolean | undefined>;

type Reply = { id: number; ok: true; rows?: unknown[] } | { id: number; ok: false; error: SerialisedError };

/** The worker's program, sent as source text and run with `eval: true` (dist/ and jest alike), so it may use only its locals, `require` and workerData. */
export function pgliteWorkerProgram(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite } = require((workerData as { pglitePath: string }).pglitePath) as typeof import('@electric-sql/pglite');
  type Connection = Pick<import('@electric-sql/pglite').Transaction, 'query' | 'exec'>;
  interface OpenTransaction {
    /** Resolves with PGlite's transaction handle once BEGIN ran (PGlite holds its other callers meanwhile). */
    opened: Promise<Connection>;
    /** Settled by commit (resolve) or rollback (reject): what PGlite's transaction callback returns. */
    end: { commit: () => void; rollback: () => void };
    /** PGlite's transaction() itself: resolves once committed, rejects once rolled back or failed. */
    finished: Promise<unknown>;
  }
  const ROLLED_BACK = Symbol('rolled back');
  let db: import('@electric-sql/pglite').PGlite | undefined;
  const transactions = new Map<number, OpenTransaction>();

  const open = (): import('@electric-sql/pglite').PGlite => {
    if (!db || db.closed) throw new Error('PGlite is closed');
    return db;
  };
  const connection = async (tx: number | undefined): Promise<Connection> => {
    if (tx === undefined) return open();
    const transaction = transactions.get(tx);
    if (!transaction) throw new Error('Transaction is closed');
    return transaction.opened;
  };

  const begin = (tx: number): Promise<unknown> => {
    let opened!: (c: Connection) => void;
    let end!: OpenTransaction['end'];
    const decided = new Promise<void>((resolve, reject) => (end = { commit: resolve, rollback: () => reject(ROLLED_BACK) }));
    decided.catch(() => undefined); // awaited by PGlite's callback; not unhandled if BEGIN itself failed
    const transaction: OpenTransaction = {
      opened: new Promise<Connection>((resolve) => (opened = resolve)),
      end,
      finished: open().transaction(async (handle) => {
        opened(handle);
        await decided;
      }),
    };
    transaction.finished.catch(() => undefined); // awaited by commit or rollback
    transactions.set(tx, transaction);
    // BEGIN failed: the transaction ends before it opened; say why.
    return Promise.race([transaction.opened, transaction.finished.then(() => Promise.reject(new Error('Transaction is closed')))]);
  };

  const finish = async (tx: number, commit: boolean): Promise<void> => {
    const transaction = transactions.get(tx);
    if (!transaction) {
      if (commit) throw new Error('Transaction is closed');
      return;
    }
    if (commit) transaction.end.commit();
    else transaction.end.rollback();
    try {
      await transaction.finished;
    } catch (error) {
      if (error !== ROLLED_BACK) throw error;
    } finally {
      transactions.delete(tx);
    }
  };

  const handle = async (request: PgliteRequest): Promise<unknown[] | undefined> => {
    switch (request.op) {
      case 'open':
        {
          const options = request.template ? { ...request.options, loadDataDir: new Blob([request.template]) } : request.options;
          db = request.dataDir ? await PGlite.create(request.dataDir, options) : await PGlite.create(options);
        }
        return undefined;
      case 'query':
        return (await (await connection(request.tx)).query(request.sql, request.params)).rows;
      case 'exec':
        await (await connection(request.tx)).exec(request.sql);
        return undefined;
      case 'copy':
        await (await connection(request.tx)).query(request.sql, [], { blob: new Blob([request.csv]) });
        return undefined;
      case 'begin':
        await begin(request.tx);
        return undefined;
      case 'commit':
      case 'rollback':
        await finish(request.tx, request.op === 'commit');
        return undefined;
      case 'close':
        if (db && !db.closed) await db.close();
        return undefined;
    }
  };

  /** Every own field of a primitive value (PostgreSQL's code, severity, detail...; Emscripten's errno), plus name, message and stack. */
  const serialise = (error: unknown): SerialisedError => {
    if (typeof error !== 'object' || error === null) return { message: String(error) };
    const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
    const out: SerialisedError = { name: String(name ?? 'Error'), message: String(message ?? error), stack: typeof stack === 'string' ? stack : undefined };
    for (const [key, value] of Object.entries(error)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    }
    return out;
  };

  parentPort!.on('message', ({ id, request }: { id: number; request: PgliteRequest }) => {
    handle(request).then(
      (rows) => parentPort!.postMessage({ id, ok: true, rows } satisfies Reply),
      (error: unknown) => parentPort!.postMessage({ id, ok: false, error: serialise(error) } satisfies Reply),
    );
  });
}

/** The error a call failed with, rebuilt in this thread with every field it had there. */
function deserialise(serialised: SerialisedError): Error {
  const error = new Error(serialised.message);
  for (const [key, value] of Object.entries(serialised)) if (value !== undefined) (error as unknown as Record<string, unknown>)[key] = value;
  return error;
}

const formatSeconds = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** The main thread's end of the worker: a call waits at most its answer timeout, then is a 503; a stopped worker fails every call as a closed PGlite does. */
export class PgliteWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (rows: unknown[] | undefined) => void; reject: (error: unknown) => void }>();
  private nextId = 0;
  /** Why the worker is gone, once it is. */
  private gone: string | null = null;

  constructor(pglitePath: string) {
    this.worker = new Worker(`(${pgliteWorkerProgram.toString()})()`, { eval: true, workerData: { pglitePath } });
    // Held only while a call waits: an idle store must not keep a finished command's process alive.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) => this.stop(`its thread failed: ${error.message}`));
    this.worker.on('exit', (code) => this.stop(`its thread stopped (exit code ${code})`));
  }

  /** Sends `request` and waits for its answer, at most `timeoutMs` (0: no limit). */
  call(request: PgliteRequest, timeoutMs: number): Promise<unknown[] | undefined> {
    if (this.gone) return Promise.reject(new Error(`PGlite is closed: ${this.gone}`));
    const id = ++this.nextId;
    return new Promise<unknown[] | undefined>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
      };
      this.pending.set(id, {
        resolve: (rows) => (done(), resolve(rows)),
        reject: (error) => (done(), reject(error)),
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => this.pending.get(id)?.reject(this.noAnswer(timeoutMs)), timeoutMs);
      }
      this.worker.ref();
      this.worker.postMessage({ id, request });
    });
  }

  /** Stops the thread, whatever it is doing (a statement, a spin): for a worker that did not close in time. */
  async terminate(): Promise<void> {
    this.stop('it was stopped');
    await this.worker.terminate();
  }

  private settle(reply: Reply): void {
    // A call that timed out has no one waiting any more; its late answer is dropped.
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    if (reply.ok) waiting.resolve(reply.rows);
    else waiting.reject(deserialise(reply.error));
  }

  private stop(why: string): void {
    if (this.gone) return;
    this.gone = why;
    for (const waiting of [...this.pending.values()]) waiting.reject(new Error(`PGlite is closed: ${why}`));
  }

  private noAnswer(timeoutMs: number): StoreUnavailableError {
    return new StoreUnavailableError(
      `The embedded database did not answer within ${formatSeconds(timeoutMs)} and the service stopped waiting (it may be busy with a long statement, or stuck on its disk). Please try again shortly; a post may be sent again with the same eventId.`,
      [{ rule: 'database-not-answering', message: `no answer within ${timeoutMs} ms (EMBEDDED_ANSWER_TIMEOUT_MS)` }],
    );
  }
}
