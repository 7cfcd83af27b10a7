import { FactAreasProjection } from '../../projections/fact-areas.projection';
import { OffenderIntervalsProjection } from '../../projections/offender-intervals/offender-intervals.projection';
import { OffenderTimelineProjection } from '../../projections/offender-timeline.projection';
import { ProjectionRunner } from '../../projections/projection-runner';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore } from '../../src/event-store/event-store';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import type { SqlClient } from '../../src/sql/sql-client';
import { testMetadata } from '../support/offender-event-fixtures';
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

const readUpTo = async (store: EventStore, position: bigint): Promise<RecordedOffenderEvent[]> => (await allEvents(store)).filter((e) => e.position <= position);

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

      await runner.rebuild();
      expect(await intervalTableText(db)).toEqual(incremental);
      expect(await factAreaMismatches(events, db)).toEqual([]);
      expect(await runner.position()).toBe(events[events.length - 1].position);
    });

    it('a rebuild holding few tails (the rest stored and read back at their next event, never refolded for it) equals the definition, and so does what follows it', async () => {
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      const history = randomHistory({ seed: 31, offenders: 60, proposals: 40 });
      const half = Math.floor(history.length * 0.6);
      const revisions = new Map<string, number>();
      await appendInArrivalOrder(store, history.slice(0, half), async () => undefined, 31, revisions);
      // Every tail held: only retractions and back-dated events refold.
      const unbounded = new OffenderIntervalsProjection();
      const holdingAll = new ProjectionRunner(store, db, [new OffenderTimelineProjection(), unbounded, new FactAreasProjection()], 25);
      await holdingAll.init();
      await holdingAll.rebuild();
      const heldAll = await intervalTableText(db);
      // A cache of 4 tails against 60 offenders: nearly every offender's tail is dropped at some point.
      const intervals = new OffenderIntervalsProjection({ incremental: 4, rebuild: 4 });
      const runner = new ProjectionRunner(store, db, [new OffenderTimelineProjection(), intervals, new FactAreasProjection()], 25);
      await runner.init();
      let mostHeld = 0;
      await runner.rebuild(() => (mostHeld = Math.max(mostHeld, intervals.heldTails)));
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
      await dropReadModels(db);
      await db.exec('TRUNCATE events; UPDATE event_store_head SET last_position = 0');
      const history = randomHistory({ seed: 41, offenders: 60, proposals: 40 });
      const late = history.length - 30;
      const revisions = new Map<string, number>();
      await appendInArrivalOrder(store, history.slice(0, late), async () => undefined, 41, revisions);
      // The same store without its stream-by-stream read, as EventStoreDB is.
      const byPosition = Object.assign(Object.create(store) as EventStore, { readStreamsInOrder: undefined });
      const positional = new OffenderIntervalsProjection();
      const positionalRunner = new ProjectionRunner(byPosition, db, [new OffenderTimelineProjection(), positional, new FactAreasProjection()], 25);
      await positionalRunner.init();
      await positionalRunner.rebuild();
      const readByPosition = await intervalTableText(db);
      const offenders = new Set((await allEvents(store)).map((e) => e.offenderId)).size;

      const intervals = new OffenderIntervalsProjection();
      const runner = new ProjectionRunner(store, db, [new OffenderTimelineProjection(), intervals, new FactAreasProjection()], 25);
      let mostHeld = 0;
      let meanwhile: Promise<void> | null = null;
      const rebuiltTo = await runner.rebuild((p) => {
        mostHeld = Math.max(mostHeld, intervals.heldTails);
        if (p.done > 0) meanwhile ??= appendInArrivalOrder(store, history.slice(late), async () => undefined, 42, revisions);
      });
      // After each page only the offender whose stream may go on is held; reading by position holds all of them.
      expect(mostHeld).toBeLessThanOrEqual(1);
      expect(positional.heldTails).toBe(offenders);
      // An offender's events come in one page, so it refolds at most once where by position it may in every page.
      expect(intervals.refoldedOffenders).toBeLessThanOrEqual(positional.refoldedOffenders);
      expect(await intervalTableText(db)).toEqual(readByPosition);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rm_offenders');
      expect(rows[0].n).toBe(offenders);
      expect(await factAreaMismatches(await readUpTo(store, rebuiltTo!), db)).toEqual([]);

      await meanwhile;
      await runner.catchUp();
      const events = await allEvents(store);
      expect(events).toHaveLength(history.length);
      expect(rebuiltTo!).toBeLessThan(events[events.length - 1].position);
      expect(intervalMismatches(events, await loadIntervalRows(db))).toEqual([]);
      expect(await factAreaMismatches(events, db)).toEqual([]);
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
  });
}

describeOnEachDatabase('read models', describeReadModels);
