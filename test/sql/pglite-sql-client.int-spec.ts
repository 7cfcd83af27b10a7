import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { StoreUnavailableError } from '../../src/errors';
import { openSqlClient } from '../../src/sql/open-sql-client';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeSqlClientContract } from './sql-client.contract';

describe('PgliteSqlClient', () => {
  let dataDir: string;
  let client: SqlClient;

  // One database on disk for the whole file: creating one takes seconds.
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mappa-pglite-'));
    client = await openSqlClient({ dialect: 'embedded', dataDir: path.join(dataDir, 'db') });
  });

  afterAll(async () => {
    await client?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is the embedded dialect', () => {
    expect(client).toBeInstanceOf(PgliteSqlClient);
    expect(client.dialect).toBe('embedded');
  });

  it('has one connection on one thread: statements sent at once would only queue, in and out of a transaction', async () => {
    expect(client.parallelStatements).toBe(false);
    expect(await client.transaction(async (tx) => tx.parallelStatements)).toBe(false);
  });

  describeSqlClientContract('PgliteSqlClient', () => client);

  it('bulk-loads with COPY FROM /dev/blob, not the INSERT fallback', async () => {
    // A row trigger records the statement that inserted each row.
    await client.exec(`
      CREATE TABLE copied (id int);
      CREATE TABLE copied_by (statement text);
      CREATE FUNCTION note_statement() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO copied_by VALUES (current_query()); RETURN NEW; END $$;
      CREATE TRIGGER note_statement AFTER INSERT ON copied FOR EACH ROW EXECUTE FUNCTION note_statement();
    `);
    await client.copyRows('copied', ['id'], [[1], [2]]);
    await client.transaction((tx) => tx.copyRows('copied', ['id'], [[3]]));
    const { rows } = await client.query<{ statement: string }>('SELECT statement FROM copied_by');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.statement).toMatch(/^COPY "copied" \("id"\) FROM '\/dev\/blob'/);
  });

  it('keeps its data in the directory across close and reopen, and answers 503 once closed', async () => {
    await client.exec('CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$still here$$);');
    await client.close();

    await expect(client.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);

    client = await PgliteSqlClient.open(path.join(dataDir, 'db'));
    expect((await client.query('SELECT note FROM kept')).rows).toEqual([{ note: 'still here' }]);
  });

  it('runs with the larger buffer cache and the planner settings, on a reopened store too', async () => {
    // The reopen above went through PgliteSqlClient.open, as every start of the service does.
    const setting = async (name: string) => (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0][name];
    expect(await setting('shared_buffers')).toBe('256MB');
    expect(await setting('random_page_cost')).toBe('1.1');
    expect(await setting('max_parallel_workers_per_gather')).toBe('0');
  });

  describe('on a thread of its own', () => {
    it('answers with the same JavaScript types across the thread: Date, bigint, bytes, json, arrays', async () => {
      const { rows } = await client.query<Record<string, unknown>>(
        `SELECT $1::timestamptz AS at, 9007199254740993::int8 AS big, '\\x00ff'::bytea AS bytes, '{"a":[1,"two"]}'::jsonb AS doc, ARRAY[1,2] AS list, 1.5::float8 AS f`,
        [new Date('2015-03-31T12:00:00.000Z')],
      );
      const row = rows[0];
      expect(Object.prototype.toString.call(row.at)).toBe('[object Date]');
      expect((row.at as Date).toISOString()).toBe('2015-03-31T12:00:00.000Z');
      expect(typeof row.big).toBe('bigint');
      expect(row.big).toBe(9007199254740993n);
      expect(Object.prototype.toString.call(row.bytes)).toBe('[object Uint8Array]');
      expect([...(row.bytes as Uint8Array)]).toEqual([0, 255]);
      expect(row).toMatchObject({ doc: { a: [1, 'two'] }, list: [1, 2], f: 1.5 });
    });

    it('carries every field of a database error across (code, severity, detail, constraint), in and out of a transaction', async () => {
      await client.exec('CREATE TABLE unique_here (id int PRIMARY KEY); INSERT INTO unique_here VALUES (1);');
      const outside = await client.query('INSERT INTO unique_here VALUES (1)').catch((e: unknown) => e);
      const inside = await client.transaction((tx) => tx.query('INSERT INTO unique_here VALUES (1)')).catch((e: unknown) => e);
      for (const error of [outside, inside]) {
        expect(error).toBeInstanceOf(Error);
        expect(error).toMatchObject({
          code: '23505',
          severity: 'ERROR',
          constraint: 'unique_here_pkey',
          table: 'unique_here',
          detail: 'Key (id)=(1) already exists.',
          message: expect.stringMatching(/duplicate key value violates unique constraint/),
        });
      }
      // The transaction's caller can still catch one statement's error and go on (the event store does, on a replay).
      const caught = await client.transaction(async (tx) => {
        const code = await tx.transaction((inner) => inner.query('INSERT INTO unique_here VALUES (1)')).catch((e: { code?: string }) => e.code);
        await tx.query('INSERT INTO unique_here VALUES (2)');
        return code;
      });
      expect(caught).toBe('23505');
      expect((await client.query('SELECT count(*)::int AS n FROM unique_here')).rows).toEqual([{ n: 2 }]);
    });

    it('keeps the event loop free while a long statement runs', async () => {
      let longestGapMs = 0;
      let last = performance.now();
      const ticks = setInterval(() => {
        const now = performance.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      }, 10);
      const started = performance.now();
      await client.query('SELECT count(*) FROM generate_series(1, 3000000) AS g(n) WHERE n % 7 = 0');
      const statementMs = performance.now() - started;
      clearInterval(ticks);
      console.log(`a ${Math.round(statementMs)} ms statement on the PGlite thread; the event loop's longest gap meanwhile: ${Math.round(longestGapMs)} ms`);
      expect(statementMs).toBeGreaterThan(300);
      expect(longestGapMs).toBeLessThan(statementMs / 2);
    });

    it('answers 503 when the database does not answer in time, rolls back the transaction that waited, and goes on', async () => {
      const impatient = await PgliteSqlClient.open(undefined, { answerTimeoutMs: 200 });
      try {
        await impatient.exec('CREATE TABLE waited (id int)');
        const slow = impatient.withoutTimeouts().query('SELECT count(*) FROM generate_series(1, 1500000)');
        const refused = await impatient.transaction((tx) => tx.query('INSERT INTO waited VALUES (1)')).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(StoreUnavailableError);
        expect(refused).toMatchObject({ status: 503, retryAfterSeconds: 5, details: [expect.objectContaining({ rule: 'database-not-answering' })] });
        expect((refused as Error).message).toMatch(/did not answer within 200 ms.*same eventId/);
        await slow;
        // The transaction that began after the caller stopped waiting was rolled back, not left holding the connection.
        expect((await impatient.query('SELECT count(*)::int AS n FROM waited')).rows).toEqual([{ n: 0 }]);
      } finally {
        await impatient.close();
      }
    });

    it('answers 503 at once, never hangs, once its thread is gone', async () => {
      const lost = await PgliteSqlClient.open(undefined, { answerTimeoutMs: 0 });
      const pending = lost
        .withoutTimeouts()
        .query('SELECT count(*) FROM generate_series(1, 20000000)')
        .catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // As a crash of the thread would: the call under way, and every later one, answer 503 at once.
      await (lost as unknown as { store: { worker: { terminate(): Promise<void> } } }).store.worker.terminate();
      expect(await pending).toBeInstanceOf(StoreUnavailableError);
      await expect(lost.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await lost.close();
    });
  });
});
