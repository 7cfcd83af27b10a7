import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { EventStore, Subscription } from '../src/event-store/event-store';
import type { SqlClient } from '../src/sql/sql-client';
import { quoteIdentifier } from '../src/sql/sql-identifier';
import { yieldToIo } from '../src/sql/yield-to-io';
import { OffenderIntervalsProjection } from './offender-intervals/offender-intervals.projection';
import { FactAreasProjection } from './fact-areas.projection';
import { OffenderTimelineProjection } from './offender-timeline.projection';
import type { Projection } from './projection';

/** The read models, in the order they apply a batch (intervals read what the timeline wrote). */
/** In this order: a projection may read what an earlier one wrote in the same batch. */
export const createProjections = (): Projection[] => [new OffenderTimelineProjection(), new OffenderIntervalsProjection(), new FactAreasProjection()];

const CHECKPOINT = 'read-models';

/** A rebuild that has not committed a batch for this long is taken to have died. */
const REBUILD_STALE_AFTER_SECONDS = 300;

export interface RebuildProgress {
  done: number;
  total: number;
  position: bigint | null;
}

/**
 * Feeds the read models from the event store. Each batch is applied in one transaction that
 * also moves the checkpoint, so a crash or restart never counts an event twice or drops one.
 * Batches run one at a time; a second runner (another process) is detected by the checkpoint
 * having moved under it, and then this one forgets its caches and carries on from there.
 */
export class ProjectionRunner {
  private checkpoint: bigint | null | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private subscription: Subscription | null = null;
  private readonly waiters = new Set<() => void>();
  private rebuildingHere = false;
  private following = false;
  /** Set by stop(): the batch under way finishes, no other starts (graceful shutdown). */
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => {};
  /** Set by a wake-up that came while a catch-up ran: one more round, not one per append. */
  private wakeUpPending = false;
  /** The rebuild running in this process, as its progress bar sees it (metrics, /health/ready). */
  private rebuilding: RebuildProgress | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly db: SqlClient,
    readonly projections: Projection[] = createProjections(),
    private readonly batchSize = 2000,
  ) {}

  async init(): Promise<void> {
    await this.db.exec(`CREATE TABLE IF NOT EXISTS rm_checkpoint (name text PRIMARY KEY, position bigint,
        rebuilding boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO rm_checkpoint (name, position) VALUES ('${CHECKPOINT}', NULL) ON CONFLICT (name) DO NOTHING;`);
    for (const p of this.projections) await this.db.exec(p.schemaSql);
  }

  /** The store position the read models reflect (null: nothing projected yet). */
  async position(): Promise<bigint | null> {
    const { rows } = await this.db.query<{ position: string | null }>('SELECT position::text FROM rm_checkpoint WHERE name = $1', [CHECKPOINT]);
    return rows[0]?.position == null ? null : BigInt(rows[0].position);
  }

  /** Applies everything the store has now. Returns the position reached. */
  catchUp(): Promise<bigint | null> {
    return this.serialised(async () => {
      for (;;) {
        const rebuild = await this.rebuildState();
        if (rebuild === 'abandoned') return this.rebuildNow();
        if (rebuild === 'running') return this.position(); // another process is rebuilding
        const from = await this.currentCheckpoint();
        const events = await this.store.readAll(from, this.batchSize);
        if (events.length === 0) return from;
        await this.applyBatch(events);
        if (this.stopping) return this.currentCheckpoint();
        await yieldToIo(); // requests are answered between batches, not after the whole catch-up
      }
    });
  }

  /**
   * Keeps the read models following the store until stop(): catches up, then again whenever the
   * store says something was appended (or every `pollMs`). Always from the checkpoint in the
   * database, so a rebuild or another runner in between is simply taken up from where it left.
   */
  start(onError: (error: unknown) => void = () => {}, pollMs = 250): void {
    if (this.following) return;
    this.following = true;
    this.stopping = false;
    this.loop = this.follow(onError, pollMs);
  }

  private async follow(onError: (error: unknown) => void, pollMs: number): Promise<void> {
    while (this.following) {
      if (!this.subscription) await this.subscribeForWakeUps(onError, pollMs);
      this.wakeUpPending = false;
      try {
        await this.catchUp();
      } catch (error) {
        onError(error);
      }
      await yieldToIo();
      if (!this.following || this.wakeUpPending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = () => {};
    }
  }

  /**
   * The subscription is only a wake-up call: what to apply is read from the checkpoint. It starts
   * at the store's head, not at 0 (which read the whole log, one event per query, at every start),
   * and takes whole batches: any number of appends while a catch-up runs make one more round.
   */
  private async subscribeForWakeUps(onError: (error: unknown) => void, pollMs: number): Promise<void> {
    let head: bigint | null;
    try {
      head = await this.store.lastPosition();
    } catch (error) {
      // The store is not answering: the loop polls meanwhile, and tries again next round.
      onError(error);
      return;
    }
    if (!this.following) return;
    const wakeUp = async () => {
      this.wakeUpPending = true;
      this.wake();
    };
    this.subscription = this.store.subscribe(head, wakeUp, { batchSize: this.batchSize, pollIntervalMs: pollMs, onError });
  }

  async stop(): Promise<void> {
    this.following = false;
    this.stopping = true;
    this.wake();
    await this.loop; // before closing the subscription: the loop may be about to open it
    await this.subscription?.close();
    this.subscription = null;
    await this.queue.catch(() => undefined);
  }

  /** Resolves once the read models reflect `position`, or rejects after `timeoutMs`. */
  async waitFor(position: bigint, timeoutMs: number): Promise<bigint | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = await this.position();
      if (at !== null && at >= position) return at;
      const left = deadline - Date.now();
      if (left <= 0) return at;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /**
   * Drops every read model and builds it again from the whole event store. The work is done in
   * batches (the embedded store has one connection, so events cannot be read while a
   * transaction holds it); until the last batch commits, the checkpoint says `rebuilding` and
   * reports refuse to answer rather than show half-built figures. A rebuild cut short (a crash)
   * is started again by the next catch-up. The event store itself is only read.
   */
  rebuild(onProgress?: (p: RebuildProgress) => void): Promise<bigint | null> {
    return this.serialised(() => this.rebuildNow(onProgress));
  }

  /**
   * 'running': a rebuild is under way (here or in another process); 'abandoned': one was cut
   * short (no batch for REBUILD_STALE_AFTER) and must run again; null: none.
   */
  async rebuildState(): Promise<'running' | 'abandoned' | null> {
    const { rows } = await this.db.query<{ rebuilding: boolean; stale: boolean }>(
      `SELECT rebuilding, updated_at < now() - make_interval(secs => $2) AS stale FROM rm_checkpoint WHERE name = $1`,
      [CHECKPOINT, REBUILD_STALE_AFTER_SECONDS],
    );
    if (!rows[0]?.rebuilding) return null;
    return rows[0].stale && !this.rebuildingHere ? 'abandoned' : 'running';
  }

  private async rebuildNow(onProgress?: (p: RebuildProgress) => void): Promise<bigint | null> {
    const total = await this.store.countAfter(null);
    const report = (p: RebuildProgress) => {
      this.rebuilding = p;
      onProgress?.(p);
    };
    report({ done: 0, total, position: null });
    this.forget();
    this.rebuildingHere = true;
    try {
      return await this.rebuildBatches(report, total);
    } finally {
      this.rebuildingHere = false;
      this.rebuilding = null;
    }
  }

  /** Progress of the rebuild running in this process; null when none runs here. */
  rebuildProgress(): RebuildProgress | null {
    return this.rebuilding;
  }

  /** Events in the store the read models do not reflect yet (on a store that must read to count, at most `atMost`). */
  async eventsBehind(atMost?: number): Promise<number> {
    return this.store.countAfter(await this.position(), atMost);
  }

  private async rebuildBatches(onProgress: ((p: RebuildProgress) => void) | undefined, total: number): Promise<bigint | null> {
    let done = 0;
    let position: bigint | null = null;
    const readerIndexes = this.projections.flatMap((p) => p.readerIndexes ?? []);
    await this.db.transaction(async (tx) => {
      for (const p of this.projections) await tx.exec(`TRUNCATE ${p.tables.join(', ')}`);
      // Reports refuse to answer while rebuilding, so their indexes can wait for the end.
      for (const index of readerIndexes) await tx.exec(`DROP INDEX IF EXISTS ${quoteIdentifier(index.name)}`);
      await tx.query('UPDATE rm_checkpoint SET position = NULL, rebuilding = true, updated_at = now() WHERE name = $1', [CHECKPOINT]);
    });
    // The next batch is read while this one is applied: on a server the two overlap (the pool has
    // other connections); on the embedded store they simply take turns.
    const read = (after: bigint | null) => {
      const next = this.store.readAll(after, this.batchSize * 5);
      next.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      return next;
    };
    let next = read(position);
    for (;;) {
      const events = await next;
      if (events.length === 0) break;
      const last = events[events.length - 1].position;
      next = read(last);
      await this.db.transaction(async (tx) => {
        // Between projections too: on the embedded store each holds the event loop while it runs.
        for (const p of this.projections) {
          await p.apply(events, tx, 'rebuild');
          await yieldToIo();
        }
        await tx.query('UPDATE rm_checkpoint SET position = $2, updated_at = now() WHERE name = $1', [CHECKPOINT, last.toString()]);
      });
      position = last;
      done += events.length;
      onProgress?.({ done, total, position });
      // Shutting down: as a crash between batches would, leaving the rebuild for the next start.
      if (this.stopping) throw new Error(`rebuild stopped by shutdown after ${done} of ${total} events; the next start takes it up`);
      await yieldToIo();
    }
    await this.db.transaction(async (tx) => {
      for (const p of this.projections) await p.finishRebuild?.(tx);
      for (const index of readerIndexes) await tx.exec(index.sql);
      // Fresh statistics, or the planner meets millions of new rows with none (reports take seconds).
      await tx.exec(`ANALYZE ${this.projections.flatMap((p) => p.tables).join(', ')}`);
      await tx.query('UPDATE rm_checkpoint SET rebuilding = false, updated_at = now() WHERE name = $1', [CHECKPOINT]);
    });
    // VACUUM cannot run in a transaction; the read models already answer without it, only slower.
    for (const table of this.projections.flatMap((p) => p.indexOnlyTables ?? [])) await this.db.exec(`VACUUM ${quoteIdentifier(table)}`);
    this.checkpoint = position;
    this.notify();
    return position;
  }

  private async applyBatch(events: readonly RecordedOffenderEvent[]): Promise<void> {
    const expected = await this.currentCheckpoint();
    const fresh = expected === null ? events : events.filter((e) => e.position > expected);
    if (fresh.length === 0) return;
    const moved = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ position: string | null; rebuilding: boolean }>(
        'SELECT position::text, rebuilding FROM rm_checkpoint WHERE name = $1 FOR UPDATE',
        [CHECKPOINT],
      );
      const stored = rows[0].position === null ? null : BigInt(rows[0].position);
      if (rows[0].rebuilding) return 'rebuilding' as const; // another process is rebuilding; catch up after it
      if (stored !== expected) return stored; // someone else projected meanwhile
      for (const p of this.projections) await p.apply(fresh, tx, 'incremental');
      const last = fresh[fresh.length - 1].position;
      await tx.query('UPDATE rm_checkpoint SET position = $2, updated_at = now() WHERE name = $1', [CHECKPOINT, last.toString()]);
      this.checkpoint = last;
      return undefined;
    }).catch((error) => {
      // The transaction rolled back: in-memory caches may hold rows that are not in the tables.
      this.forget();
      throw error;
    });
    if (moved === 'rebuilding') this.forget();
    else if (moved !== undefined) {
      this.forget();
      this.checkpoint = moved;
    }
    this.notify();
  }

  private forget(): void {
    for (const p of this.projections) p.reset();
    this.checkpoint = undefined;
  }

  private async currentCheckpoint(): Promise<bigint | null> {
    if (this.checkpoint === undefined) this.checkpoint = await this.position();
    return this.checkpoint;
  }

  private notify(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
