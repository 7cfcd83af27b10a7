import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore, StreamAppendResult } from '../../src/event-store/event-store';
import { appendOf, levelChanged, offenderIds, offenderRegistered, testMetadata } from '../support/offender-event-fixtures';

/** What a store promises beyond the EventStore interface; the matching tests run only where it does. */
export interface EventStoreContractOptions {
  /** Positions are consecutive integers (PostgreSQL family). */
  gaplessPositions?: boolean;
  /** recordedAt is moved forward so it never decreases along positions (PostgreSQL family). */
  recordedAtMovesForward?: boolean;
  /** An event id already used in another stream is refused (PostgreSQL family). */
  duplicatesAcrossStreams?: boolean;
  /** Reads stream by stream up to a position (readStreamsInOrder; PostgreSQL family): a rebuild then holds state only for the offenders it is reading. */
  readsStreamByStream?: boolean;
  /** Writers, and batches per writer, for the concurrent-writers test. Default 8 x 12. */
  concurrentWriters?: number;
  batchesPerWriter?: number;
}

/**
 * The one behaviour every EventStore adapter must have (STYLE.md: the same contract suite runs
 * against every store). `makeStore` returns a new, initialised instance each call, over its own
 * connection where the store has connections, so concurrent writers really run concurrently;
 * the suite closes the stores it made, then calls `cleanup`.
 */
export function describeEventStoreContract(
  name: string,
  makeStore: () => Promise<EventStore>,
  cleanup: () => Promise<void> = async () => undefined,
  options: EventStoreContractOptions = {},
): void {
  describe(`${name} (EventStore contract)`, () => {
    const made: EventStore[] = [];
    const newStore = async () => {
      const store = await makeStore();
      made.push(store);
      return store;
    };
    let store: EventStore;
    const offender = offenderIds('C');

    beforeAll(async () => {
      store = await newStore();
    });

    afterAll(async () => {
      await Promise.all(made.map((s) => s.close()));
      await cleanup();
    });

    it('can be initialised again on every start', async () => {
      await expect(store.init()).resolves.toBeUndefined();
    });

    it("appends to a new stream with 'no-stream' and reads it back in revision order", async () => {
      const id = offender('new');
      const events = [offenderRegistered(id), levelChanged(id, 2), levelChanged(id, 3)];
      const [result] = await store.appendToStreams([appendOf(id, 'no-stream', events)]);

      const appended = expectAppended(result);
      expect(appended.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(appended.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expectStrictlyIncreasing(appended.map((e) => e.position));

      const stream = await store.readStream(id);
      expect(stream.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(stream.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(stream.map((e) => e.type)).toEqual(['OffenderRegistered', 'LevelChanged', 'LevelChanged']);
      expect(stream.map((e) => e.position)).toEqual(appended.map((e) => e.position));
      expect(stream.map((e) => e.recordedAt)).toEqual(appended.map((e) => e.recordedAt));
      expect(stream[0]).toMatchObject({ offenderId: id, occurredOn: events[0].occurredOn, data: events[0].data });
    });

    it("appends at the expected revision of the stream's last event, and with 'any'", async () => {
      const id = offender('expected');
      await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id)])]);
      const [second] = await store.appendToStreams([appendOf(id, 0, [levelChanged(id)])]);
      const [third] = await store.appendToStreams([appendOf(id, 'any', [levelChanged(id, 3)])]);
      expect(expectAppended(second).map((e) => e.revision)).toEqual([1]);
      expect(expectAppended(third).map((e) => e.revision)).toEqual([2]);
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('answers a stale expected revision with a conflict, appending nothing of that item while the other items succeed', async () => {
      const [a, b, c] = [offender('conflict-a'), offender('conflict-b'), offender('conflict-c')];
      await store.appendToStreams([appendOf(a, 'no-stream', [offenderRegistered(a), levelChanged(a)])]);
      const staleEvent = levelChanged(a, 3);

      const results = await store.appendToStreams([
        appendOf(b, 'no-stream', [offenderRegistered(b)]),
        appendOf(a, 0, [staleEvent]),
        appendOf(c, 'no-stream', [offenderRegistered(c), levelChanged(c)]),
      ]);

      expect(results.map((r) => r.status)).toEqual(['appended', 'conflict', 'appended']);
      expect(results[1]).toEqual({ status: 'conflict', offenderId: a, expectedRevision: 0, actualRevision: 1 });
      expect((await store.readStream(a)).map((e) => e.eventId)).not.toContain(staleEvent.eventId);
      expect(await store.readStream(a)).toHaveLength(2);
      // Positions follow the order of the items.
      const [bEvents, cEvents] = [expectAppended(results[0]), expectAppended(results[2])];
      expect(bEvents[0].position < cEvents[0].position).toBe(true);
      expect(await store.readStream(c)).toHaveLength(2);
    });

    it("answers 'no-stream' on an existing stream, and a revision on a missing one, with a conflict", async () => {
      const id = offender('exists');
      await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id)])]);
      const missing = offender('missing');
      const results = await store.appendToStreams([appendOf(id, 'no-stream', [levelChanged(id)]), appendOf(missing, 4, [levelChanged(missing)])]);
      expect(results).toEqual([
        { status: 'conflict', offenderId: id, expectedRevision: 'no-stream', actualRevision: 0 },
        { status: 'conflict', offenderId: missing, expectedRevision: 4, actualRevision: null },
      ]);
      expect(await store.readStream(missing)).toEqual([]);
    });

    it('judges a later item for the same offender after the earlier item of the batch', async () => {
      const id = offender('same-batch');
      const results = await store.appendToStreams([
        appendOf(id, 'no-stream', [offenderRegistered(id)]),
        appendOf(id, 0, [levelChanged(id)]),
        appendOf(id, 0, [levelChanged(id, 3)]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['appended', 'appended', 'conflict']);
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1]);
    });

    it("answers a repeated event id with 'duplicate-event-id' and appends nothing of that item", async () => {
      const id = offender('duplicate');
      const registered = offenderRegistered(id);
      const first = appendOf(id, 'no-stream', [registered]);
      await store.appendToStreams([first]);

      // The same post again (a client retrying after a lost answer).
      const [retry] = await store.appendToStreams([{ ...first, recordedAt: new Date().toISOString() }]);

      expect(retry).toEqual({ status: 'duplicate-event-id', offenderId: id, eventIds: [registered.eventId] });
      expect((await store.readStream(id)).map((e) => e.eventId)).toEqual([registered.eventId]);
    });

    if (options.duplicatesAcrossStreams) {
      it("answers an event id used in another stream, or twice in one batch, with 'duplicate-event-id'", async () => {
        const [a, b, c] = [offender('dup-a'), offender('dup-b'), offender('dup-c')];
        const registered = offenderRegistered(a);
        await store.appendToStreams([appendOf(a, 'no-stream', [registered])]);
        const reused = { ...offenderRegistered(b), eventId: registered.eventId };
        const twice = offenderRegistered(c);

        const results = await store.appendToStreams([
          appendOf(b, 'no-stream', [reused]),
          appendOf(c, 'no-stream', [twice]),
          appendOf(c, 'any', [{ ...levelChanged(c), eventId: twice.eventId }]),
        ]);

        expect(results.map((r) => r.status)).toEqual(['duplicate-event-id', 'appended', 'duplicate-event-id']);
        expect(await store.readStream(b)).toEqual([]);
        expect(await store.readStream(c)).toHaveLength(1);
      });
    }

    it('reads an unknown offender as an empty stream, and several streams at once', async () => {
      const [a, b, unknown] = [offender('many-a'), offender('many-b'), offender('unknown')];
      expect(await store.readStream(unknown)).toEqual([]);
      await store.appendToStreams([appendOf(a, 'no-stream', [offenderRegistered(a), levelChanged(a)]), appendOf(b, 'no-stream', [offenderRegistered(b)])]);

      const streams = await store.readStreams([a, b, unknown]);

      expect([...streams.keys()].sort()).toEqual([a, b].sort());
      expect(streams.get(a)?.map((e) => e.revision)).toEqual([0, 1]);
      expect(streams.get(b)).toEqual(await store.readStream(b));
    });

    it('reads all events after a position, in strictly increasing position order, up to a limit', async () => {
      const [a, b] = [offender('all-a'), offender('all-b')];
      const results = await store.appendToStreams([
        appendOf(a, 'no-stream', [offenderRegistered(a), levelChanged(a)]),
        appendOf(b, 'no-stream', [offenderRegistered(b), levelChanged(b), levelChanged(b, 3)]),
      ]);
      const appended = results.flatMap(expectAppended);
      const from = appended[1].position;

      const after = await store.readAll(from, 100);
      expect(after.map((e) => e.eventId)).toEqual(appended.slice(2).map((e) => e.eventId));
      expect(after.map((e) => e.position)).toEqual(appended.slice(2).map((e) => e.position));
      expect(await store.readAll(from, 2)).toEqual(after.slice(0, 2));
      expect(await store.readAll(appended[4].position, 100)).toEqual([]);

      const everything = await readEverything(store);
      expectStrictlyIncreasing(everything.map((e) => e.position));
      if (options.gaplessPositions) {
        expect(everything[0].position).toBe(1n);
        everything.forEach((event, index) => expect(event.position).toBe(BigInt(index + 1)));
      }
    });

    it('reads stream after stream up to a position, each event once, resuming just after the last event answered (or says it cannot)', async () => {
      if (!options.readsStreamByStream) {
        // The rebuild then reads by position: the store must not half-offer the read.
        expect(store.readStreamsInOrder).toBeUndefined();
        return;
      }
      const [a, b, c] = [offender('order-a'), offender('order-b'), offender('order-c')];
      await store.appendToStreams([appendOf(a, 'no-stream', [offenderRegistered(a)]), appendOf(b, 'no-stream', [offenderRegistered(b), levelChanged(b)])]);
      await store.appendToStreams([appendOf(c, 'no-stream', [offenderRegistered(c)]), appendOf(a, 0, [levelChanged(a), levelChanged(a, 3)])]);
      const upTo = (await store.lastPosition())!;
      await store.appendToStreams([appendOf(b, 1, [levelChanged(b, 3)])]); // after upTo: not read

      const read: RecordedOffenderEvent[] = [];
      for (;;) {
        const last = read.at(-1);
        const page = await store.readStreamsInOrder!(last ? { offenderId: last.offenderId, revision: last.revision } : null, upTo, 2);
        expect(page.length).toBeLessThanOrEqual(2);
        if (page.length === 0) break;
        read.push(...page);
      }
      const expected = (await readEverything(store)).filter((e) => e.position <= upTo);
      expect(read.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
      expect(read.find((e) => e.offenderId === a)).toEqual(expected.find((e) => e.offenderId === a));
      // Each stream whole, in one run, in revision order.
      const runs = read.map((e) => e.offenderId).filter((id, i, ids) => i === 0 || ids[i - 1] !== id);
      expect(new Set(runs).size).toBe(runs.length);
      for (const id of [a, b, c]) expect(read.filter((e) => e.offenderId === id).map((e) => e.revision)).toEqual(id === a ? [0, 1, 2] : id === b ? [0, 1] : [0]);
    });

    it('knows the position of the last event', async () => {
      const id = offender('last');
      const [result] = await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id), levelChanged(id)])]);
      expect(await store.lastPosition()).toBe(expectAppended(result)[1].position);
    });

    it('counts the events after a position, whatever a position is (lag and rebuild progress ask this)', async () => {
      const id = offender('count');
      await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id), levelChanged(id), levelChanged(id, 3)])]);
      const everything = await readEverything(store);
      expect(await store.countAfter(null)).toBe(everything.length);
      for (const index of [0, Math.floor(everything.length / 2), everything.length - 2]) {
        expect(await store.countAfter(everything[index].position)).toBe(everything.length - index - 1);
      }
      expect(await store.countAfter(everything[everything.length - 1].position)).toBe(0);
      // Capped: exact, or `atMost` when there are more (a store that must read stops there).
      const capped = await store.countAfter(null, 2);
      expect(capped).toBeGreaterThanOrEqual(2);
      expect(capped).toBeLessThanOrEqual(everything.length);
    });

    it('delivers, from a checkpoint, exactly the events after it and then new appends, one batch at a time', async () => {
      const id = offender('subscribe');
      const [first] = await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id), levelChanged(id), levelChanged(id, 3)])]);
      const initial = expectAppended(first);
      const received: RecordedOffenderEvent[] = [];
      let inHandler = 0;
      let overlapped = false;
      const subscription = store.subscribe(
        initial[0].position,
        async (events) => {
          overlapped ||= ++inHandler > 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
          received.push(...events);
          inHandler--;
        },
        { batchSize: 2, pollIntervalMs: 50 },
      );
      try {
        await waitFor(() => received.length >= 2);
        const [later] = await store.appendToStreams([appendOf(id, 2, [levelChanged(id, 1), levelChanged(id, 2)])]);
        const expected = [...initial.slice(1), ...expectAppended(later)];
        await waitFor(() => received.length >= expected.length);
        // Nothing else appends meanwhile, so anything extra would be a repeat or a stray.
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(received.map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
        expect(received.map((e) => e.position)).toEqual(expected.map((e) => e.position));
        expect(overlapped).toBe(false);
      } finally {
        await subscription.close();
      }
    });

    it('keeps recordedAt from going backwards along positions', async () => {
      const id = offender('recorded-at');
      const [earlier, later] = ['2015-01-01T10:00:00.000Z', '2015-01-01T10:00:05.000Z'];
      const inOrder = await store.appendToStreams([
        appendOf(id, 'no-stream', [offenderRegistered(id)], { recordedAt: new Date(Date.now() - 1000).toISOString() }),
        appendOf(id, 0, [levelChanged(id)], { recordedAt: new Date().toISOString() }),
      ]);
      const recorded = inOrder.flatMap(expectAppended);
      expect(recorded[0].recordedAt <= recorded[1].recordedAt).toBe(true);

      if (options.recordedAtMovesForward) {
        // A clock that stepped back: the store keeps the later time.
        const backwards = await store.appendToStreams([
          appendOf(id, 'any', [levelChanged(id, 3)], { recordedAt: later }),
          appendOf(id, 'any', [levelChanged(id, 1)], { recordedAt: earlier }),
        ]);
        const times = backwards.flatMap(expectAppended).map((e) => e.recordedAt);
        expect(times.every((t) => t >= recorded[1].recordedAt)).toBe(true);
        expect(times[1]).toBe(times[0]);
        const all = await readEverything(store);
        for (let i = 1; i < all.length; i++) expect(all[i].recordedAt >= all[i - 1].recordedAt).toBe(true);
      }
    });

    it('round-trips metadata and payloads exactly', async () => {
      const id = offender('metadata');
      const metadata = testMetadata({ actor: 'analyst@gmp', agency: 'police', causationId: 'cause-1', source: 'import' });
      const registered = offenderRegistered(id);
      const recordedAt = new Date().toISOString();
      const [result] = await store.appendToStreams([appendOf(id, 'no-stream', [registered], { metadata, recordedAt })]);
      const [appended] = expectAppended(result);
      const [read] = await store.readStream(id);
      const [fromAll] = await store.readAll(appended.position - 1n, 1);

      for (const event of [appended, read, fromAll]) {
        expect(event.metadata).toEqual(metadata);
        expect(event.data).toEqual(registered.data);
        expect(event.occurredOn).toBe(registered.occurredOn);
        expect(event.recordedAt).toBe(recordedAt);
      }
    });

    it('gives concurrent writers distinct positions that a concurrent reader sees exactly once, in order', async () => {
      const writers = options.concurrentWriters ?? 8;
      const batchesPerWriter = options.batchesPerWriter ?? 12;
      const run = offenderIds('W');
      const writerStores = await Promise.all(Array.from({ length: writers }, () => newStore()));
      const reader = await newStore();
      const start = await reader.lastPosition();

      let writing = true;
      const seen: RecordedOffenderEvent[] = [];
      const reading = (async () => {
        let last = start;
        let target: bigint | null = null;
        while (writing || target === null || last === null || last < target) {
          if (!writing && target === null) target = await reader.lastPosition();
          const batch = await reader.readAll(last, 50);
          if (batch.length === 0) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            continue;
          }
          seen.push(...batch);
          last = batch[batch.length - 1].position;
        }
      })();

      const write = async (writerStore: EventStore, writer: number) => {
        const ids = [run(`${writer}-a`), run(`${writer}-b`)];
        const revisions = new Map<string, number>();
        const appended: RecordedOffenderEvent[] = [];
        for (let batch = 0; batch < batchesPerWriter; batch++) {
          const results = await writerStore.appendToStreams(
            ids.map((id, item) => {
              const events = (batch + item) % 2 === 0 ? [levelChanged(id)] : [levelChanged(id), levelChanged(id, 3)];
              return appendOf(id, revisions.get(id) ?? 'no-stream', events);
            }),
          );
          for (const result of results) {
            const events = expectAppended(result);
            revisions.set(result.offenderId, events[events.length - 1].revision);
            appended.push(...events);
          }
        }
        return appended;
      };
      let appended: RecordedOffenderEvent[];
      try {
        appended = (await Promise.all(writerStores.map(write))).flat();
      } finally {
        writing = false;
        await reading;
      }

      expectStrictlyIncreasing(seen.map((e) => e.position));
      const ours = seen.filter((e) => e.offenderId.startsWith(run('')));
      expect(ours).toHaveLength(appended.length);
      expect(new Set(ours.map((e) => e.eventId)).size).toBe(appended.length);
      const byId = new Map(appended.map((e) => [e.eventId, e]));
      for (const event of ours) expect(event.position).toBe(byId.get(event.eventId)?.position);
      expect(new Set(appended.map((e) => e.position)).size).toBe(appended.length);
    });
  });
}

function expectAppended(result: StreamAppendResult): RecordedOffenderEvent[] {
  if (result.status !== 'appended') throw new Error(`expected 'appended', got ${JSON.stringify(result)}`);
  return result.events;
}

function expectStrictlyIncreasing(positions: readonly bigint[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (!(positions[i] > positions[i - 1])) {
      throw new Error(`positions not strictly increasing at ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

async function readEverything(store: EventStore): Promise<RecordedOffenderEvent[]> {
  const all: RecordedOffenderEvent[] = [];
  for (let batch = await store.readAll(null, 500); batch.length > 0; batch = await store.readAll(all[all.length - 1].position, 500)) {
    all.push(...batch);
  }
  return all;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the subscription');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
