import type { EventStore } from '../../src/event-store/event-store';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { InvalidInputError } from '../../src/errors';
import type { SqlClient } from '../../src/sql/sql-client';
import { appendOf, levelChanged, offenderIds, offenderRegistered } from '../support/offender-event-fixtures';

/**
 * What the PostgreSQL-family store promises beyond the contract: one transaction per batch, the
 * head row, and the ordering argument itself (an appender waits for the one before to commit).
 * `database` is the SqlClient the stores of `makeStore` write to.
 */
export function describePostgresFamilyStore(dialect: SqlClient['dialect'], makeStore: () => Promise<EventStore>, database: () => Promise<SqlClient>): void {
  describe('PostgreSQL-family specifics', () => {
    const offender = offenderIds('P');
    let store: EventStore;
    let sql: SqlClient;

    beforeAll(async () => {
      store = await makeStore();
      sql = await database();
    });
    afterAll(async () => {
      await store.close();
    });

    it('refuses a batch holding an event id that is not a UUID, appending nothing of it', async () => {
      const [good, bad] = [offender('uuid-good'), offender('uuid-bad')];
      const before = await store.lastPosition();
      const appending = store.appendToStreams([
        appendOf(good, 'no-stream', [offenderRegistered(good)]),
        appendOf(bad, 'no-stream', [{ ...offenderRegistered(bad), eventId: 'not-a-uuid' }]),
      ]);
      await expect(appending).rejects.toBeInstanceOf(InvalidInputError);
      expect(await store.lastPosition()).toBe(before);
      expect(await store.readStream(good)).toEqual([]);
    });

    // The judged path (what 'any' takes) sends several statements; the common path is one statement, atomic by itself.
    it('appends nothing of a batch when the store fails part-way through it', async () => {
      const [a, b] = [offender('atomic-a'), offender('atomic-b')];
      const failing = new PostgresEventStore(
        interceptingSqlClient(
          sql,
          /UPDATE event_store_head/,
          async () => {
            throw new Error('connection lost');
          },
          'after',
        ),
      );
      const before = await store.lastPosition();

      await expect(failing.appendToStreams([appendOf(a, 'any', [offenderRegistered(a)]), appendOf(b, 'any', [offenderRegistered(b)])])).rejects.toThrow('connection lost');

      expect(await store.lastPosition()).toBe(before);
      expect(await store.readStreams([a, b])).toEqual(new Map());
    });

    it('keeps the last position and recordedAt in the head row', async () => {
      const id = offender('head');
      const [result] = await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id), levelChanged(id)])]);
      if (result.status !== 'appended') throw new Error(result.status);
      const { rows } = await sql.query<{ last_position: string; last_recorded_at: Date | string }>(
        'SELECT last_position::text AS last_position, last_recorded_at FROM event_store_head',
      );
      expect(rows).toHaveLength(1);
      expect(BigInt(rows[0].last_position)).toBe(result.events[1].position);
      expect(new Date(rows[0].last_recorded_at).toISOString()).toBe(result.events[1].recordedAt);
    });

    it('wakes its own subscriptions at once when it appends, without waiting for the next poll', async () => {
      const id = offender('wake');
      const received: string[] = [];
      const subscription = store.subscribe(
        await store.lastPosition(),
        async (events) => {
          received.push(...events.map((e) => e.offenderId));
        },
        { pollIntervalMs: 60_000 },
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 50)); // let it fall asleep
        const started = Date.now();
        await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id)])]);
        while (received.length === 0 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(received).toEqual([id]);
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        const closing = Date.now();
        await subscription.close();
        expect(Date.now() - closing).toBeLessThan(1000);
      }
    });

    it('stores event ids in canonical lowercase form', async () => {
      const id = offender('case');
      const event = { ...offenderRegistered(id), eventId: offenderRegistered(id).eventId.toUpperCase() };
      await store.appendToStreams([appendOf(id, 'no-stream', [event])]);
      const [read] = await store.readStream(id);
      expect(read.eventId).toBe(event.eventId.toLowerCase());
      const [again] = await store.appendToStreams([appendOf(id, 'any', [{ ...event, eventId: event.eventId.toLowerCase() }])]);
      expect(again.status).toBe('duplicate-event-id');
    });

    // Issue 13.5: Emmett's store appends in three statements (BEGIN, its function, COMMIT); ours took eight, then three.
    it('appends events at their expected revision in one statement (its own transaction: it moves the head and inserts), and a stale one is still a conflict', async () => {
      const id = offender('statements');
      await store.appendToStreams([appendOf(id, 'no-stream', [offenderRegistered(id)])]);
      const statements: string[] = [];
      const counted = new PostgresEventStore(recordingSqlClient(sql, statements));

      const [appended] = await counted.appendToStreams([appendOf(id, 0, [levelChanged(id, 2), levelChanged(id, 3)])]);

      expect(appended.status).toBe('appended');
      expect(statements.map((s) => s.trim().split(/\s+/)[0])).toEqual(['WITH']);
      expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1, 2]);
      const [stale] = await counted.appendToStreams([appendOf(id, 1, [levelChanged(id, 1)])]);
      expect(stale).toEqual({ status: 'conflict', offenderId: id, expectedRevision: 1, actualRevision: 2 });
      expect(await store.readStream(id)).toHaveLength(3);
    });

    // Issue 13.5c: eight writers on distinct streams waited one after another for the head row's lock.
    it('writes appends that arrive while one is being written together in the next write, each with its own result', async () => {
      const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => offender(`group-${k}`));
      await store.appendToStreams(ids.map((id) => appendOf(id, 'no-stream', [offenderRegistered(id)])));
      const statements: string[] = [];
      const counted = new PostgresEventStore(recordingSqlClient(sql, statements));
      const results = await Promise.all(ids.map((id) => counted.appendToStreams([appendOf(id, id === ids[3] ? 5 : 0, [levelChanged(id)])])));

      // The first alone; then the seven at once, the one statement refusing the stale expectation, so the judged path's one transaction.
      expect(statements.map((s) => s.trim().split(/\s+/)[0]).filter((s) => s === 'WITH' || s === 'BEGIN')).toEqual(['WITH', 'WITH', 'BEGIN']);
      expect(results.map(([r]) => r.status)).toEqual(['appended', 'appended', 'appended', 'conflict', 'appended', 'appended', 'appended', 'appended']);
      expect(results.map(([r]) => r.offenderId)).toEqual(ids);
      const positions = results.flatMap(([r]) => (r.status === 'appended' ? r.events.map((e) => e.position) : []));
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
      expect(positions[positions.length - 1] - positions[0]).toBe(BigInt(positions.length - 1)); // gapless
      for (const [k, id] of ids.entries()) expect((await store.readStream(id)).map((e) => e.revision)).toEqual(k === 3 ? [0] : [0, 1]);
    });

    // PGlite has one connection: a paused transaction blocks readers too, so there is nothing to observe.
    const onServer = dialect === 'postgres' ? it : it.skip;
    onServer('makes a second appender wait until the first commits, so no reader sees a later position first', async () => {
      const [first, second] = [offender('order-1'), offender('order-2')];
      let reachedPause!: () => void;
      const paused = new Promise<void>((resolve) => (reachedPause = resolve));
      let releasePause!: () => void;
      const release = new Promise<void>((resolve) => (releasePause = resolve));
      // The first appender stops after inserting its events and moving the head, before committing.
      const slow = new PostgresEventStore(
        pausingBeforeCommit(sql, /UPDATE event_store_head/, async () => {
          reachedPause();
          await release;
        }),
      );
      const other = await makeStore();
      const reader = await makeStore();
      const before = await reader.lastPosition();

      try {
        const firstAppend = slow.appendToStreams([appendOf(first, 'no-stream', [offenderRegistered(first)])]);
        await paused;
        let secondDone = false;
        const secondAppend = other.appendToStreams([appendOf(second, 'no-stream', [offenderRegistered(second)])]).finally(() => {
          secondDone = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));

        expect(secondDone).toBe(false);
        expect(await reader.readAll(before, 10)).toEqual([]);

        releasePause();
        const [[firstResult], [secondResult]] = await Promise.all([firstAppend, secondAppend]);
        if (firstResult.status !== 'appended' || secondResult.status !== 'appended') throw new Error('not appended');
        expect(secondResult.events[0].position).toBe(firstResult.events[0].position + 1n);
        const seen = await reader.readAll(before, 10);
        expect(seen.map((e) => e.offenderId)).toEqual([first, second]);
      } finally {
        releasePause();
        await Promise.all([other.close(), reader.close()]);
      }
    });
  });
}

/** Runs `intercept` before (or once it has run, `after`) any query of a transaction whose SQL matches `pattern`. */
function interceptingSqlClient(inner: SqlClient, pattern: RegExp, intercept: () => Promise<void>, when: 'before' | 'after' = 'before'): SqlClient {
  const wrap = (client: SqlClient): SqlClient => ({
    dialect: client.dialect,
    parallelStatements: client.parallelStatements,
    async query<R>(text: string, params?: readonly unknown[]) {
      if (when === 'before' && pattern.test(text)) await intercept();
      const result = await client.query<R>(text, params);
      if (when === 'after' && pattern.test(text)) await intercept();
      return result;
    },
    exec: (text) => client.exec(text),
    transaction: (fn) => client.transaction((tx) => fn(wrap(tx))),
    copyRows: (table, columns, rows) => client.copyRows(table, columns, rows),
    close: async () => undefined,
  });
  return wrap(inner);
}

/** Runs a statement matching `pattern` sent outside a transaction in one of its own, and `pause` after it, before COMMIT: a slow commit of the one-statement append. */
function pausingBeforeCommit(inner: SqlClient, pattern: RegExp, pause: () => Promise<void>): SqlClient {
  return {
    ...interceptingSqlClient(inner, /$^/, async () => undefined),
    query<R>(text: string, params?: readonly unknown[]) {
      if (!pattern.test(text)) return inner.query<R>(text, params);
      return inner.transaction(async (tx) => {
        const result = await tx.query<R>(text, params);
        await pause();
        return result;
      });
    },
  };
}

/** Records every statement sent through `inner`, a transaction's BEGIN and COMMIT (or SAVEPOINT and RELEASE) included. */
function recordingSqlClient(inner: SqlClient, statements: string[], inTransaction = false): SqlClient {
  return {
    dialect: inner.dialect,
    parallelStatements: inner.parallelStatements,
    query<R>(text: string, params?: readonly unknown[]) {
      statements.push(text);
      return inner.query<R>(text, params);
    },
    exec(text) {
      statements.push(text);
      return inner.exec(text);
    },
    async transaction(fn) {
      statements.push(inTransaction ? 'SAVEPOINT' : 'BEGIN');
      const result = await inner.transaction((tx) => fn(recordingSqlClient(tx, statements, true)));
      statements.push(inTransaction ? 'RELEASE' : 'COMMIT');
      return result;
    },
    copyRows(table, columns, rows) {
      statements.push(`COPY ${table}`);
      return inner.copyRows(table, columns, rows);
    },
    close: async () => undefined,
  };
}
