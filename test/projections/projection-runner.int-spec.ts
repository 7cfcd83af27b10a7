import { FactAreasProjection } from '../../projections/fact-areas.projection';
import { OffenderIntervalsProjection } from '../../projections/offender-intervals/offender-intervals.projection';
import { OffenderTimelineProjection } from '../../projections/offender-timeline.projection';
import { ProjectionRunner } from '../../projections/projection-runner';
import { streamsOf, type ReadStreams } from '../../projections/projection';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore } from '../../src/event-store/event-store';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import type { SqlClient } from '../../src/sql/sql-client';
import { appendOf, levelChanged, offenderRegistered, testMetadata } from '../support/offender-event-fixtures';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { seededRandom } from '../../src/synthetic/seeded-random';
import { randomHistory } from '../support/random-history';
import { dropReadModels, factAreaMismatches, intervalMismatches, intervalTableText, loadIntervalRows } from '../support/read-model-check';
import { readAllEvents } from '../support/read-whole-store';

// The read models built incrementally while events arrive (late and back-dated ones, and
// retractions, included) equal the definition at every knowledge position, and equal a rebuild
// from scratch. Runs on PGlite always and on PostgreSQL when TEST_DATABASE_URL is set.

/** `revisions`: each offender's last revision, carried from an earlier call that appended part of the same history. */
async function appendInArrivalOrder(
  store: EventStore,
  events: readonly NewOffenderEvent[],
  after: (n: number) => Promise<void>,
  seed: number,
  revisions = new Map<string, number>(),
) {
  const rnd = seededRandom(seed).next;
  for (let i = 0; i < events.length;) {
    const size = 1 + Math.floor(rnd() * 40);
    const chunk = events.slice(i, i + size);
    i += chunk.length;
    // One item per event keeps the arrival order exactly (positions follow items).
    const results = await store.appendToStreams(
      chunk.map((e) => {
        const rev = revisions.get(e.offenderId);
        revisions.set(e.offenderId, (rev ?? -1) + 1);
        return { offenderId: e.offenderId, expectedRevision: rev ?? 'no-stream', events: [e], metadata: testMetadata(), recordedAt: new Date().toISOString() };
      }),
    );
    expect(results.every((r) => r.status === 'appended')).toBe(true);
    if (rnd() < 0.5) await after(i);
  }
}

const allEvents = (store: EventStore): Promise<RecordedOffenderEvent[]> => readAllEvents(store, 1000);

/** The same store without its stream-by-stream read, as EventStoreDB is: a rebuild reads it by position. */
const readingByPosition = (store: EventStore): EventStore => Object.assign(Object.create(store) as EventStore, { readStreamsInOrder: undefined });

/** The read models' rows other than rm_intervals (intervalTableText), in an order of their own; tails without their open row's id (ids follow the order rows were made). */
async function otherReadModelText(db: SqlClient): Promise<string[]> {
  const { rows } = await db.query<{ row: string }>(
    `SELECT 'events ' || position || ' ' || coalesce(retracted_at::text, '-') || ' ' || coalesce(retracted_by::text, '-') AS row FROM rm_events
     UNION ALL SELECT 'tail ' || offender_id || ' ' || coalesce(last_date::text, '-') || ' ' || coalesce(state::text, '-') || ' ' || coalesce(state_before::text, '-') || ' ' || (open_row_id IS NULL)::text FROM rm_offenders
     UNION ALL SELECT 'areas ' || offender_id || ' ' || area FROM rm_offender_areas
     UNION ALL SELECT 'fact ' || area || ' ' || type || ' ' || occurred_on || ' ' || position FROM rm_fact_areas`,
  );
  return rows.map((r) => r.row).sort();
}

function describeReadModels(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`read models on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    /** Empty read models and store, then the first `count(length)` events of a random history of 60 offenders appended. */
    const appendedHistory = async (seed: number, count: (length: number) => number) => {
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      const history = randomHistory({ seed, offenders: 60, proposals: 40 });
      const appended = count(history.length);
      const revisions = new Map<string, number>();
      await appendInArrivalOrder(store, history.slice(0, appended), async () => undefined, seed, revisions);
      return { history, appended, revisions };
    };

    /** A rebuild by position (as on EventStoreDB) with this interval projection. */
    const rebuildByPosition = async (intervals: OffenderIntervalsProjection, onProgress?: () => void) => {
      const runner = new ProjectionRunner(readingByPosition(store), db, [new OffenderTimelineProjection(), intervals, new FactAreasProjection()], 25);
      await runner.init();
      await runner.rebuild(onProgress);
      return runner;
    };

    it.each([11, 12, 13])('incremental projection equals the definition and a rebuild (seed %i)', async (seed) => {
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      const runner = new ProjectionRunner(store, db, undefined, 7 + seed);
      await runner.init();
      const history = randomHistory({ seed, offenders: 60, proposals: 40 });
      await appendInArrivalOrder(store, history, async () => void (await runner.catchUp()), seed);
      await runner.catchUp();

      const events = await allEvents(store);
      expect(events.some((e) => e.type === 'EventRetracted')).toBe(true);
      const incremental = await intervalTableText(db);
      expect(incremental.length).toBeGreaterThan(history.length / 4);
      expect(incremental.some((row) => !row.includes(' k') || !/ k\d+- /.test(row))).toBe(true); // some rows were superseded
      expect(intervalMismatches(events, await loadIntervalRows(db))).toEqual([]);
      expect(events.some((e) => e.type === 'OffenderTransferred')).toBe(true);
      expect(await factAreaMismatches(events, db)).toEqual([]);

      const others = await otherReadModelText(db);
      await runner.rebuild();
      expect(await intervalTableText(db)).toEqual(incremental);
      expect(await otherReadModelText(db)).toEqual(others);
      expect(await factAreaMismatches(events, db)).toEqual([]);
      expect(await runner.position()).toBe(events[events.length - 1].position);
      // And reading by position, as on EventStoreDB.
      const positional = new ProjectionRunner(readingByPosition(store), db, undefined, 7 + seed);
      await positional.rebuild();
      expect(await intervalTableText(db)).toEqual(incremental);
      expect(await otherReadModelText(db)).toEqual(others);
      expect(await positional.position()).toBe(events[events.length - 1].position);
    });

    it('a rebuild by position (as on EventStoreDB) holding few tails (the rest stored and read back at their next event, never refolded for it) equals the definition, and so does what follows it', async () => {
      const { history, appended: half, revisions } = await appendedHistory(31, (length) => Math.floor(length * 0.6));
      // Every tail held: only retractions and back-dated events refold.
      const unbounded = new OffenderIntervalsProjection(streamsOf(store, db));
      await rebuildByPosition(unbounded);
      const heldAll = await intervalTableText(db);
      // A cache of 4 tails against 60 offenders: nearly every offender's tail is dropped at some point.
      const intervals = new OffenderIntervalsProjection(streamsOf(store, db), { incremental: 4, rebuild: 4 });
      let mostHeld = 0;
      const runner = await rebuildByPosition(intervals, () => (mostHeld = Math.max(mostHeld, intervals.heldTails)));
      expect(mostHeld).toBeGreaterThan(0);
      expect(mostHeld).toBeLessThanOrEqual(4);
      // A dropped tail was stored, so the offender's next event extended it: no more refolds than holding them all.
      expect(intervals.refoldedOffenders).toBe(unbounded.refoldedOffenders);
      const { rows } = await db.query<{ n: number }>('SELECT count(DISTINCT offender_id)::int AS n FROM rm_offenders');
      const offenders = new Set((await allEvents(store)).map((e) => e.offenderId)).size;
      expect(rows[0].n).toBe(offenders);
      expect(await intervalTableText(db)).toEqual(heldAll);
      expect(intervalMismatches(await allEvents(store), await loadIntervalRows(db))).toEqual([]);

      // Then incrementally, most tails read back from rm_offenders.
      await appendInArrivalOrder(store, history.slice(half), async () => void (await runner.catchUp()), 32, revisions);
      await runner.catchUp();
      const events = await allEvents(store);
      expect(events).toHaveLength(history.length);
      const incremental = await intervalTableText(db);
      expect(intervalMismatches(events, await loadIntervalRows(db))).toEqual([]);
      expect(await factAreaMismatches(events, db)).toEqual([]);
      await new ProjectionRunner(store, db).rebuild();
      expect(await intervalTableText(db)).toEqual(incremental);
    }, 300_000); // two hundred appends, a catch-up after each, and two rebuilds: minutes on a loaded machine

    it('a rebuild reads stream by stream, holding no offender past its page, and equals one reading by position (as on EventStoreDB); what is appended meanwhile is caught up after', async () => {
      const { history, appended: late, revisions } = await appendedHistory(41, (length) => length - 30);
      const positional = new OffenderIntervalsProjection(streamsOf(store, db));
      await rebuildByPosition(positional);
      const intervalsByPosition = await intervalTableText(db);
      const othersByPosition = await otherReadModelText(db);
      const offenders = new Set((await allEvents(store)).map((e) => e.offenderId)).size;

      // The rest of the history is appended once the rebuild has its head, before it reads a page.
      const pages: RecordedOffenderEvent[][] = [];
      const streamsRead: string[] = [];
      const reading: EventStore = Object.assign(Object.create(store) as EventStore, {
        readStreams: async (...args: Parameters<EventStore['readStreams']>) => {
          streamsRead.push(...args[0]);
          return store.readStreams(...args);
        },
        readStreamsInOrder: async (...args: Parameters<NonNullable<EventStore['readStreamsInOrder']>>) => {
          if (pages.length === 0) await appendInArrivalOrder(store, history.slice(late), async () => undefined, 42, revisions);
          const page = await store.readStreamsInOrder!(...args);
          pages.push(page);
          return page;
        },
      });
      const intervals = new OffenderIntervalsProjection(streamsOf(reading, db));
      const facts = new FactAreasProjection();
      const runner = new ProjectionRunner(reading, db, [new OffenderTimelineProjection(), intervals, facts], 25);
      let mostHeld = 0;
      const rebuiltTo = await runner.rebuild(() => (mostHeld = Math.max(mostHeld, intervals.heldTails)));
      // Some offender's stream ran on from one page into the next.
      expect(pages.some((page, k) => k > 0 && page.length > 0 && pages[k - 1].at(-1)?.offenderId === page[0].offenderId)).toBe(true);
      expect(pages.flat().every((e) => e.position <= rebuiltTo!)).toBe(true);
      // After each page only the offender whose stream may go on is held; reading by position holds all of them.
      expect(mostHeld).toBeLessThanOrEqual(1);
      expect(positional.heldTails).toBe(offenders);
      // An offender's events come in one page or two, so it refolds no more often than by position.
      expect(intervals.refoldedOffenders).toBeGreaterThan(0);
      expect(intervals.refoldedOffenders).toBeLessThanOrEqual(positional.refoldedOffenders);
      // A refold reads the store only for an offender whose stream began in an earlier page: the page holds the rest.
      const carried = pages.filter((page, k) => k > 0 && page.length > 0 && pages[k - 1].at(-1)?.offenderId === page[0].offenderId).length;
      expect(streamsRead.length).toBeLessThanOrEqual(carried);
      expect(await intervalTableText(db)).toEqual(intervalsByPosition);
      expect(await otherReadModelText(db)).toEqual(othersByPosition);

      await runner.catchUp();
      const events = await allEvents(store);
      expect(events).toHaveLength(history.length);
      expect(rebuiltTo!).toBe(events[late - 1].position);
      expect(intervalMismatches(events, await loadIntervalRows(db))).toEqual([]);
      expect(await factAreaMismatches(events, db)).toEqual([]);
    });

    it('a rebuild that reads fewer events stream by stream than the store holds up to its head fails, and reports stay refused', async () => {
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      await appendInArrivalOrder(store, randomHistory({ seed: 43, offenders: 20, proposals: 10 }), async () => undefined, 43);
      // As an index whose order no longer matches its collation would: a page of streams skipped.
      let pagesRead = 0;
      const skipping: EventStore = Object.assign(Object.create(store) as EventStore, {
        readStreamsInOrder: async (...args: Parameters<NonNullable<EventStore['readStreamsInOrder']>>) => {
          const page = await store.readStreamsInOrder!(...args);
          return ++pagesRead === 1 ? page.filter((e) => e.offenderId !== page[0].offenderId) : page;
        },
      });
      const runner = new ProjectionRunner(skipping, db, undefined, 10);
      await runner.init();
      await expect(runner.rebuild()).rejects.toThrow(/rebuild read \d+ events stream by stream where the store holds \d+ up to position \d+/);
      expect(await runner.rebuildState()).toBe('abandoned');
    });

    it('a second runner (another process) that projected meanwhile is noticed, and nothing counts twice', async () => {
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      const first = new ProjectionRunner(store, db);
      const second = new ProjectionRunner(store, db);
      await first.init();
      const history = randomHistory({ seed: 21, offenders: 10, proposals: 20 });
      const half = Math.floor(history.length / 2);
      const revisions = new Map<string, number>();
      await appendInArrivalOrder(store, history.slice(0, half), async () => undefined, 1, revisions);
      await first.catchUp();
      const firstReached = await first.position();
      await appendInArrivalOrder(store, history.slice(half), async () => undefined, 2, revisions);
      await second.catchUp();
      await first.catchUp();
      const events = await allEvents(store);
      // Every event of both halves was appended, and the second runner projected past where the first stopped.
      expect(events).toHaveLength(history.length);
      expect(events[events.length - 1].position).toBeGreaterThan(firstReached!);
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM rm_events');
      expect(Number(rows[0].n)).toBe(events.length);
      expect(intervalMismatches(events, await loadIntervalRows(db))).toEqual([]);
    });

    it('stops rather than refold a stream the store answers without positions (EventStoreDB before 22.6)', async () => {
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      const offender = 'NO-POSITIONS';
      await store.appendToStreams([appendOf(offender, 'no-stream', [offenderRegistered(offender), levelChanged(offender, 2, '2014-06-02')])]);
      const withoutPositions: ReadStreams = async (ids, tx) =>
        new Map([...(await streamsOf(store, db)(ids, tx))].map(([id, stream]) => [id, stream.map((e) => ({ ...e, position: -1n }))]));
      const runner = new ProjectionRunner(store, db, [new OffenderTimelineProjection(), new OffenderIntervalsProjection(withoutPositions), new FactAreasProjection()]);
      await runner.init();
      await runner.catchUp();
      // Back-dated: the offender refolds, from a stream read of the store.
      await store.appendToStreams([appendOf(offender, 1, [levelChanged(offender, 3, '2014-05-01')])]);
      await expect(runner.catchUp()).rejects.toThrow(/without the batch's events at their positions/);
      expect(await runner.position()).toBe(2n);
    });
  });
}

describeOnEachDatabase('read models', describeReadModels);
