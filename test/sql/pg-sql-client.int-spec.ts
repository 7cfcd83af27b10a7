import { createServer, type Server, type Socket } from 'node:net';
import { StoreBusyError, StoreUnavailableError } from '../../src/errors';
import { openSqlClient } from '../../src/sql/open-sql-client';
import { PgSqlClient } from '../../src/sql/pg-sql-client';
import { withStatementTimeout } from '../../src/sql/statement-timeout';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';
import { describeSqlClientContract } from './sql-client.contract';

describeWithPostgres('PgSqlClient', (url) => {
  const schema = uniqueSchemaName('sql_client_test');
  const otherSchema = uniqueSchemaName('sql_client_other');
  let client: PgSqlClient;

  beforeAll(async () => {
    client = (await openSqlClient({ dialect: 'postgres', connectionString: url, schema })) as PgSqlClient;
  });

  afterAll(async () => {
    await client?.close();
    await dropSchema(url, schema);
    await dropSchema(url, otherSchema);
  });

  it('is the postgres dialect, working in its own schema', async () => {
    expect(client).toBeInstanceOf(PgSqlClient);
    expect(client.dialect).toBe('postgres');
    expect((await client.query('SELECT current_schema() AS schema')).rows).toEqual([{ schema }]);
  });

  it('runs independent statements side by side on its pool, and in turn inside a transaction (one connection)', async () => {
    expect(client.parallelStatements).toBe(true);
    expect(await client.transaction(async (tx) => tx.parallelStatements)).toBe(false);
    expect(withStatementTimeout(client, 1000).parallelStatements).toBe(true);
  });

  describeSqlClientContract('PgSqlClient', () => client);

  it('keeps the tables of two schemas apart', async () => {
    const other = await PgSqlClient.connect({ connectionString: url, schema: otherSchema });
    try {
      await client.exec('CREATE TABLE twin (side text); INSERT INTO twin VALUES ($$mine$$);');
      await other.exec('CREATE TABLE twin (side text); INSERT INTO twin VALUES ($$theirs$$);');
      expect((await client.query('SELECT side FROM twin')).rows).toEqual([{ side: 'mine' }]);
      expect((await other.query('SELECT side FROM twin')).rows).toEqual([{ side: 'theirs' }]);
    } finally {
      await other.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(PgSqlClient.connect({ connectionString: url, schema: 'x; DROP TABLE y' })).rejects.toThrow(/letters, digits/);
  });

  it('answers 503 when a statement runs past its timeout', async () => {
    const impatient = await PgSqlClient.connect({ connectionString: url, schema, statementTimeoutMs: 100 });
    try {
      await expect(impatient.query('SELECT pg_sleep(2)')).rejects.toBeInstanceOf(StoreUnavailableError);
      // Said as what it is, and not taken for a dead database.
      await expect(impatient.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ details: [{ rule: 'statement-timeout' }] });
      expect(impatient.condition().state).toBe('ok');
    } finally {
      await impatient.close();
    }
  });

  it('answers 503 when every pooled connection stays busy', async () => {
    const small = await PgSqlClient.connect({ connectionString: url, maxConnections: 1, connectTimeoutMs: 200 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = small.transaction(async () => held);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await expect(small.query('SELECT 1')).rejects.toBeInstanceOf(StoreBusyError);
      expect(Date.now() - started).toBeLessThan(2000);
      // Busy is not unreachable: the database answered all along (issue 18.3).
      const waiting = small.query('SELECT 1').catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(small.condition()).toMatchObject({ state: 'busy', message: 'busy: all 1 connections in use, 1 waiting; the database itself answers.' });
      expect(await waiting).toMatchObject({ retryAfterSeconds: 1, details: [{ rule: 'pool-exhausted' }] });
    } finally {
      release();
      await holding;
      await small.close();
    }
  });
});

describe('PgSqlClient without a reachable server', () => {
  it('answers 503 when the connection is refused', async () => {
    const client = await PgSqlClient.connect({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1000 });
    try {
      await expect(client.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(client.condition()).toMatchObject({ state: 'unreachable', message: expect.stringMatching(/cannot be reached/) });
      await expect(client.transaction(async (tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(client.copyRows('t', ['a'], [[1]])).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await client.close();
    }
  });

  it('answers 503, within its connect timeout, when the server accepts the connection but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const client = await PgSqlClient.connect({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(client.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
