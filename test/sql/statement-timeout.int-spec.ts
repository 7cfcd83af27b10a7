import { StoreUnavailableError } from '../../src/errors';
import { PgSqlClient } from '../../src/sql/pg-sql-client';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import { withStatementTimeout } from '../../src/sql/statement-timeout';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';

// Report statements get a timeout on PostgreSQL; the rest of the service (projections, imports,
// rebuilds) shares the pool and must keep none.

describeWithPostgres('withStatementTimeout on PostgreSQL', (url) => {
  const schema = uniqueSchemaName('timeout');
  let client: PgSqlClient;

  beforeAll(async () => {
    client = await PgSqlClient.connect({ connectionString: url, schema });
  });
  afterAll(async () => {
    await client?.close();
    await dropSchema(url, schema);
  });

  it('stops a statement slower than the timeout with a 503 that says why', async () => {
    const bounded = withStatementTimeout(client, 100);
    const refusal = await bounded.query('SELECT pg_sleep(2)').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(StoreUnavailableError);
    expect((refusal as StoreUnavailableError).message).toMatch(/longer than the service allows \(100 ms\)/);
    expect((refusal as StoreUnavailableError).details).toEqual([expect.objectContaining({ rule: 'statement-timeout' })]);
    expect((refusal as StoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('answers statements within the timeout, and leaves the pool without one', async () => {
    const bounded = withStatementTimeout(client, 5000);
    expect((await bounded.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    expect((await bounded.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }]);
    // SET LOCAL ends with its transaction: the same connections answer without a limit after.
    for (let i = 0; i < 3; i++) expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '0' }]);
    await expect(client.query('SELECT pg_sleep(0.3)')).resolves.toBeDefined();
  });
});

describe('withStatementTimeout on PGlite', () => {
  it('is not enforced by PGlite (single-threaded WebAssembly), so the client is left as it is', async () => {
    const db = await PgliteSqlClient.open();
    try {
      // The finding the design rests on: a 100 ms timeout does not stop a 1 s statement.
      await db.exec('SET statement_timeout = 100');
      const started = Date.now();
      await expect(db.query('SELECT pg_sleep(1)')).resolves.toBeDefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(withStatementTimeout(db, 100)).toBe(db);
    } finally {
      await db.close();
    }
  });
});
