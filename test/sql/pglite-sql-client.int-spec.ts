import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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
});
