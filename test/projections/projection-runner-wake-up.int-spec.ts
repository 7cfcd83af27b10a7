import { ProjectionRunner } from '../../projections/projection-runner';
import type { StreamAppend } from '../../src/event-store/event-store';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import type { SqlClient } from '../../src/sql/sql-client';
import { bulkEvents } from '../support/bulk-ndjson';
import { countingReads } from '../support/counting-store';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { testMetadata } from '../support/offender-event-fixtures';

// Issue 11, item 1: the follow loop's wake-up starts at the store's head (not at position 0) and
// takes appends in batches (not one event per read). Counted store reads, no timings.

/** Whole streams of `offenders` new offenders, as one appendToStreams call. */
function burst(runId: string, offenders: number, eventsPerOffender: number): StreamAppend[] {
  const streams = new Map<string, ReturnType<typeof bulkEvents>>();
  for (const e of bulkEvents({ offenders, eventsPerOffender, runId })) streams.set(e.offenderId, [...(streams.get(e.offenderId) ?? []), e]);
  return [...streams].map(([offenderId, events]) => ({ offenderId, expectedRevision: 'no-stream', events, metadata: testMetadata(), recordedAt: new Date().toISOString() }));
}

/** Resolves once `done()` holds, checking after each turn of the event loop (the test's own timeout bounds it). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 10));
}

function describeWakeUp(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`the read models' wake-up on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;
    let runner: ProjectionRunner | undefined;

    beforeEach(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
      await store.appendToStreams(burst('before', 100, 20)); // 2,000 events before the start
    });
    afterEach(async () => {
      await runner?.stop();
      await store.close();
      await cleanup();
    });

    it('starts at the head of a store whose read models are current, after a handful of reads', async () => {
      await new ProjectionRunner(store, db).init();
      await new ProjectionRunner(store, db).rebuild();
      const counted = countingReads(store);
      runner = new ProjectionRunner(counted.store, db);
      await runner.init();
      runner.start();
      await until(() => counted.subscriptions.length === 1);
      await runner.catchUp();
      expect(counted.subscriptions[0].after).toBe(2000n);
      expect(counted.total()).toBeLessThanOrEqual(6);
    });

    it('subscribes once the store answers, when it did not at start', async () => {
      await new ProjectionRunner(store, db).init();
      const counted = countingReads(store);
      let refusals = 2;
      const flaky = new Proxy(counted.store, {
        get(target, property, receiver) {
          if (property === 'lastPosition' && refusals > 0) {
            return async () => {
              refusals--;
              throw new Error('store down');
            };
          }
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      const errors: unknown[] = [];
      runner = new ProjectionRunner(flaky, db);
      runner.start((error) => errors.push(error), 10);
      await until(() => counted.subscriptions.length === 1);
      expect(counted.subscriptions[0].after).toBe(2000n);
      expect(errors.map(String)).toEqual(['Error: store down', 'Error: store down']);
      expect(await runner.waitFor(2000n, 60_000)).toBe(2000n);
    });

    it('takes a burst of 1,000 appended events in a handful of reads, not one read per event', async () => {
      runner = new ProjectionRunner(store, db);
      await runner.init();
      await runner.catchUp();
      const counted = countingReads(store);
      runner = new ProjectionRunner(counted.store, db);
      runner.start();
      await until(() => counted.subscriptions.length === 1);
      await runner.catchUp();
      const before = counted.total();

      await store.appendToStreams(burst('burst', 100, 10));
      expect(await runner.waitFor(3000n, 60_000)).toBe(3000n);
      // ...and the wake-up itself has read up to the head (it once took one read per event).
      await until(() => counted.subscriptions[0].handedOver === 3000n);
      expect(counted.total() - before).toBeLessThanOrEqual(8);
    });
  });
}

describeOnEachDatabase('wake-up of the read models', describeWakeUp);
