import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { EventStore, Subscription } from '../src/event-store/event-store';
import type { SqlClient } from '../src/sql/sql-client';
import { quoteIdentifier } from '../src/sql/sql-identifier';
import { yieldToIo } from '../src/sql/yield-to-io';
import { OffenderIntervalsProjection } from './offender-intervals/offender-intervals.projection';
import { FactAreasProjection } from './fact-areas.projection';
import { OffenderTimelineProjection } from './offender-timeline.projection';
import { streamsOf, type Projection } from './projection';
import { rebuildOwnership, RebuildRunningElsewhereError, type RebuildOwnership } from './rebuild-ownership';
import { estimateSecondsLeft, type RebuildStatus } from './rebuild-status';

/** The read models over `store`, written through `db`, in the order they apply a batch: a projection may read what an earlier one wrote in the same batch. */
export const createProjections = (store: EventStore, db: SqlClient): Projection[] => [
  new OffenderTimelineProjection(),
  new OffenderIntervalsProjection(streamsOf(store, db)),
  new FactAreasProjection(),
];

const CHECKPOINT = 'read-models';

/** pg_advisory_xact_lock key serialising read-model schema creation (beside EVENT_STORE_INIT_LOCK and the audit's). */
const READ_MODELS_INIT_LOCK = 74_350_401;

export interface RebuildProgress {
  done: number;
  total: number;
  position: bigint | null;
}

/** Feeds the read models: each batch applied with its checkpoint in one transaction, so no event is counted twice or dropped; a rival runner is seen by the moved checkpoint. */
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
  private readonly ownership: RebuildOwnership;
  private status: RebuildStatus = { state: 'idle', startedAt: null, finishedAt: null, done: 0, total: 0, secondsLeft: null, error: null };

  /** The read-model database without statement timeouts, for the schema and a rebuild's long statements (index builds, VACUUM). */
  private readonly maintenance: SqlClient;

  constructor(
    private readonly store: EventStore,
    private readonly db: SqlClient,
    readonly projections: Projection[] = createProjections(store, db),
    private readonly batchSize = 2000,
  ) {
    this.maintenance = db.withoutTimeouts?.() ?? db;
    this.ownership = rebuildOwnership(db);
  }

  async init(): Promise<void> {
    // One process at a time: instances starting together on a new schema would race on CREATE ... IF NOT EXISTS.
    await this.maintenance.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [READ_MODELS_INIT_LOCK]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS rm_checkpoint (name text PRIMARY KEY, position bigint,
          rebuilding boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO rm_checkpoint (name, position) VALUES ('${CHECKPOINT}', NULL) ON CONFLICT (name) DO NOTHING;
        ALTER TABLE rm_checkpoint ADD COLUMN IF NOT EXISTS rebuild_started_at timestamptz, ADD COLUMN IF NOT EXISTS rebuild_done bigint,
          ADD COLUMN IF NOT EXISTS rebuild_total bigint;`);
      for (const p of this.projections) await tx.exec(p.schemaSql);
    });
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
        if (rebuild === 'abandoned') return this.restartAbandoned();
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

  /** Follows the store until stop(), always from the database's checkpoint, so a rebuild or another runner in between is taken up where it left. */
  start(onError: (error: unknown) => void = () => {}, pollMs = 250): void {
    if (this.following) return;
    this.following = true;
    this.stopping = false;
    this.loop = this.follow(onError, pollMs);
  }

  private async follow(onError: (error: unknown) => void, pollMs: number): Promise<void> {
    // Failures in a row back off 2x … 128x the poll interval, appends not hurrying it, so a lasting cause is not retried every 250 ms.
    let failures = 0;
    while (this.following) {
      if (!this.subscription) await this.subscribeForWakeUps(onError, pollMs);
      this.wakeUpPending = false;
      try {
        await this.catchUp();
        failures = 0;
      } catch (error) {
        failures++;
        onError(error);
      }
      await yieldToIo();
      if (!this.following || (this.wakeUpPending && failures === 0)) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs * 2 ** Math.min(failures, 7));
        this.wake = () => {
          if (failures > 0 && this.following) return;
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = () => {};
    }
  }

  /** The subscription is only a wake-up call, started at the store's head; what to apply is read from the checkpoint (see docs/decisions.md, "Moved from code comments"). */
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
      if ((at ?? 0n) >= position) return at;
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

  /** Drops and rebuilds every read model in batches; reports refuse while `rebuilding`, a cut-short rebuild restarts at once; throws RebuildRunningElsewhereError while another process rebuilds (see docs/decisions.md, "Moved from code comments"). */
  rebuild(onProgress?: (p: RebuildProgress) => void): Promise<bigint | null> {
    return this.serialised(() => this.rebuildNow(onProgress));
  }

  /** 'running' (here or in a live process), 'abandoned' (its process is gone, so it must run again), or null. */
  async rebuildState(): Promise<'running' | 'abandoned' | null> {
    if (!(await this.flagged())) return null;
    if (this.rebuildingHere) return 'running';
    return (await this.ownership.ownerAlive()) ? 'running' : 'abandoned';
  }

  /** The rebuild under way, wherever it runs, with the time it has left (null: none running). */
  async rebuildProgress(): Promise<{ state: 'running' | 'abandoned'; done: number; total: number; secondsLeft: number | null } | null> {
    const state = await this.rebuildState();
    if (state === null) return null;
    const { rows } = await this.db.query<{ done: string | null; total: string | null; elapsed: number | null }>(
      `SELECT rebuild_done::text AS done, rebuild_total::text AS total, extract(epoch FROM now() - rebuild_started_at)::float8 AS elapsed
         FROM rm_checkpoint WHERE name = $1`,
      [CHECKPOINT],
    );
    const done = Number(rows[0]?.done ?? 0);
    const total = Number(rows[0]?.total ?? 0);
    const elapsed = rows[0]?.elapsed;
    // Abandoned: the next catch-up starts it again from nothing, and no rate is known yet.
    if (state === 'abandoned' || elapsed == null) return { state, done: 0, total, secondsLeft: null };
    return { state, done, total, secondsLeft: estimateSecondsLeft(elapsed, done, total) };
  }

  /** The read models' generation: a read that sees it change may have counted tables a rebuild emptied, and must not answer. */
  async readModelsEpoch(): Promise<string> {
    const { rows } = await this.db.query<{ rebuilding: boolean; started: string | null }>(
      'SELECT rebuilding, rebuild_started_at::text AS started FROM rm_checkpoint WHERE name = $1',
      [CHECKPOINT],
    );
    return `${rows[0]?.rebuilding === true ? 'rebuilding' : 'settled'} since ${rows[0]?.started ?? 'never'}`;
  }

  /** This process's latest rebuild, from memory: asking never waits on the database. */
  rebuildStatus(): RebuildStatus {
    const s = this.status;
    const secondsLeft = s.state === 'running' && s.startedAt ? estimateSecondsLeft((Date.now() - Date.parse(s.startedAt)) / 1000, s.done, s.total) : null;
    return { ...s, secondsLeft };
  }

  private async flagged(): Promise<boolean> {
    const { rows } = await this.db.query<{ rebuilding: boolean }>('SELECT rebuilding FROM rm_checkpoint WHERE name = $1', [CHECKPOINT]);
    return rows[0]?.rebuilding === true;
  }

  /** A rebuild whose process died: run it again, unless another process took it over first. */
  private async restartAbandoned(): Promise<bigint | null> {
    try {
      return await this.rebuildNow(undefined, true);
    } catch (error) {
      if (error instanceof RebuildRunningElsewhereError) return this.position();
      throw error;
    }
  }

  private rebuildNow(onProgress?: (p: RebuildProgress) => void, onlyIfAbandoned = false): Promise<bigint | null> {
    return this.ownership.hold(async () => {
      // Its owner may have finished between the look and taking the ownership.
      if (onlyIfAbandoned && !(await this.flagged())) return this.position();
      // Head first: a stream-by-stream rebuild reads up to it (one appended meanwhile is caught up after).
      const upTo = await this.store.lastPosition();
      // Positions of a store that reads stream by stream are gapless from 1: the head is the count.
      const total = readsStreamByStream(this.store, upTo) ? Number(upTo) : await this.countEvents();
      this.status = { state: 'running', startedAt: new Date().toISOString(), finishedAt: null, done: 0, total, secondsLeft: null, error: null };
      this.forget();
      this.rebuildingHere = true;
      try {
        const position = await this.rebuildBatches(onProgress, upTo, total);
        this.status = { ...this.status, state: 'completed', finishedAt: new Date().toISOString() };
        return position;
      } catch (error) {
        this.status = { ...this.status, state: 'failed', finishedAt: new Date().toISOString(), error: error instanceof Error ? error.message : String(error) };
        throw error;
      } finally {
        this.rebuildingHere = false;
      }
    });
  }

  /** Progress of the rebuild running in this process, from memory; null when none runs here. */
  rebuildProgressHere(): RebuildProgress | null {
    return this.status.state === 'running' ? { done: this.status.done, total: this.status.total, position: null } : null;
  }

  /** Events in the store the read models do not reflect yet (on a store that must read to count, at most `atMost`). */
  async eventsBehind(atMost?: number): Promise<number> {
    return this.store.countAfter(await this.position(), atMost);
  }

  private async rebuildBatches(onProgress: ((p: RebuildProgress) => void) | undefined, upTo: bigint | null, total: number): Promise<bigint | null> {
    let done = 0;
    let position: bigint | null = null;
    const readerIndexes = this.projections.flatMap((p) => p.readerIndexes ?? []);
    await this.maintenance.transaction(async (tx) => {
      for (const p of this.projections) await tx.exec(`TRUNCATE ${p.tables.join(', ')}`);
      // Reports refuse to answer while rebuilding, so their indexes can wait for the end.
      for (const index of readerIndexes) await tx.exec(`DROP INDEX IF EXISTS ${quoteIdentifier(index.name)}`);
      await tx.query(
        'UPDATE rm_checkpoint SET position = NULL, rebuilding = true, updated_at = now(), rebuild_started_at = now(), rebuild_done = 0, rebuild_total = $2 WHERE name = $1',
        [CHECKPOINT, total],
      );
    });
    onProgress?.({ done: 0, total, position: null }); // begun: the tables are emptied and the flag is up
    // The next page is read while this batch applies; smaller pages on the embedded store keep HTTP pauses short (see docs/decisions.md, "Moved from code comments").
    const pageSize = this.db.dialect === 'embedded' ? this.batchSize : this.batchSize * 5;
    const pages = rebuildPages(this.store, upTo, pageSize);
    let next = pages.first();
    for (;;) {
      const page = await next;
      const { events } = page;
      if (events.length === 0) break;
      next = pages.after(page);
      await this.maintenance.transaction(async (tx) => {
        // Between projections too: on the embedded store each holds the event loop while it runs.
        for (const p of this.projections) {
          await p.apply(events, tx, 'rebuild');
          await yieldToIo();
        }
        if (page.closed.length > 0) for (const p of this.projections) await p.closeStreams?.(page.closed, tx);
        await tx.query('UPDATE rm_checkpoint SET position = $2, updated_at = now(), rebuild_done = $3 WHERE name = $1', [
          CHECKPOINT,
          page.position?.toString() ?? null,
          done + events.length,
        ]);
      });
      position = page.position;
      done += events.length;
      this.status.done = done;
      onProgress?.({ done, total, position });
      // Shutting down: as a crash between batches would, leaving the rebuild for the next start.
      if (this.stopping) throw new Error(`rebuild stopped by shutdown after ${done} of ${total} events; the next start takes it up`);
      await yieldToIo();
    }
    if (pages.byStream) {
      // Read by a text index, whose order a changed collation could break: missing events must fail the rebuild, not vanish.
      if (done !== total)
        throw new Error(
          `rebuild read ${done} events stream by stream where the store holds ${total} up to position ${upTo}: reports stay refused; check the events table's indexes (REINDEX after a collation change)`,
        );
      position = upTo;
    }
    await this.maintenance.transaction(async (tx) => {
      for (const p of this.projections) {
        await p.finishRebuild?.(tx);
        await yieldToIo();
      }
      for (const index of readerIndexes) {
        await tx.exec(index.sql);
        await yieldToIo();
      }
      // Fresh statistics, or the planner meets millions of new rows with none (reports take seconds).
      for (const table of this.projections.flatMap((p) => p.tables)) {
        await tx.exec(`ANALYZE ${table}`); // one table at a time: all at once was the longest pause of HTTP
        await yieldToIo();
      }
      await tx.query('UPDATE rm_checkpoint SET position = $2, rebuilding = false, updated_at = now() WHERE name = $1', [CHECKPOINT, position?.toString() ?? null]);
    });
    // VACUUM cannot run in a transaction; the read models already answer without it, only slower.
    for (const table of this.projections.flatMap((p) => p.indexOnlyTables ?? [])) {
      await this.maintenance.exec(`VACUUM ${quoteIdentifier(table)}`);
      await yieldToIo();
    }
    this.checkpoint = position;
    this.notify();
    return position;
  }

  private async applyBatch(events: readonly RecordedOffenderEvent[]): Promise<void> {
    const expected = await this.currentCheckpoint();
    const fresh = expected === null ? events : events.filter((e) => e.position > expected);
    if (fresh.length === 0) return;
    const moved = await this.db
      .transaction(async (tx) => {
        const { rows } = await tx.query<{ position: string | null; rebuilding: boolean }>('SELECT position::text, rebuilding FROM rm_checkpoint WHERE name = $1 FOR UPDATE', [
          CHECKPOINT,
        ]);
        const stored = rows[0].position === null ? null : BigInt(rows[0].position);
        if (rows[0].rebuilding) return 'rebuilding' as const; // another process is rebuilding; catch up after it
        if (stored !== expected) return stored; // someone else projected meanwhile
        for (const p of this.projections) await p.apply(fresh, tx, 'incremental');
        const last = fresh[fresh.length - 1].position;
        await tx.query('UPDATE rm_checkpoint SET position = $2, updated_at = now() WHERE name = $1', [CHECKPOINT, last.toString()]);
        this.checkpoint = last;
        return undefined;
      })
      .catch((error) => {
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

  /** The event store's last position (null: empty): how far the read models have to go. */
  storeHead(): Promise<bigint | null> {
    return this.store.lastPosition();
  }

  /** Events in the store, counted (positions are offsets on EventStoreDB, not counts). */
  private countEvents(): Promise<number> {
    return this.store.countAfter(null);
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

/** Whether a rebuild up to `upTo` reads stream by stream (the store can, and holds events); its count is then `upTo`. */
const readsStreamByStream = (store: EventStore, upTo: bigint | null): upTo is bigint => store.readStreamsInOrder !== undefined && upTo !== null;

/** One page of a rebuild: its events, the checkpoint it reaches (null while reading stream by stream) and the offenders whose streams it ends. */
interface RebuildPage {
  events: RecordedOffenderEvent[];
  position: bigint | null;
  closed: string[];
  /** The last offender's stream may go on in the next page. */
  open: string | null;
}

/** A rebuild's pages: stream after stream up to the head where the store can, so state is held only for offenders being read; else by position (see docs/decisions.md, "Rebuild stream by stream"). */
function rebuildPages(store: EventStore, upTo: bigint | null, pageSize: number) {
  const byStream = readsStreamByStream(store, upTo);
  const read = async (from: RecordedOffenderEvent | null, carried: string | null): Promise<RebuildPage> => {
    if (!byStream) {
      const events = await store.readAll(from?.position ?? null, pageSize);
      return { events, position: events.at(-1)?.position ?? null, closed: [], open: null };
    }
    const events = await store.readStreamsInOrder!(from && { offenderId: from.offenderId, revision: from.revision }, upTo, pageSize);
    // The last offender's stream may go on in the next page, however long this one was; the next page or finishRebuild closes it.
    const open = events.length > 0 ? events[events.length - 1].offenderId : null;
    const offenders = new Set(carried === null ? [] : [carried]);
    for (const e of events) offenders.add(e.offenderId);
    if (open !== null) offenders.delete(open);
    return { events, position: null, closed: [...offenders], open };
  };
  const started = (page: Promise<RebuildPage>) => {
    page.catch(() => undefined); // awaited by the caller; not an unhandled rejection meanwhile
    return page;
  };
  return {
    byStream,
    first: () => started(read(null, null)),
    after: (page: RebuildPage) => started(read(page.events[page.events.length - 1], page.open)),
  };
}
