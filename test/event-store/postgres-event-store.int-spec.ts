import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { PgSqlClient } from '../../src/sql/pg-sql-client';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';
import { describeEventStoreContract } from './event-store.contract';
import { describePostgresFamilyStore } from './postgres-family-store.checks';

describeWithPostgres('PostgresEventStore on a PostgreSQL server', (url) => {
  const schema = uniqueSchemaName('event_store_test');

  // Each store gets its own small pool, so the concurrent writers really write concurrently.
  const makeStore = async () => {
    const sql = await PgSqlClient.connect({ connectionString: url, schema, maxConnections: 3 });
    const store = new PostgresEventStore(sql, { ownsSqlClient: true });
    await store.init();
    return store;
  };

  let shared: Promise<PgSqlClient> | undefined;
  const database = () => (shared ??= PgSqlClient.connect({ connectionString: url, schema, maxConnections: 3 }));

  describeEventStoreContract('PostgresEventStore on PostgreSQL', makeStore, async () => undefined, {
    gaplessPositions: true,
    recordedAtMovesForward: true,
    duplicatesAcrossStreams: true,
  });

  describePostgresFamilyStore('postgres', makeStore, database);

  afterAll(async () => {
    await (await shared)?.close();
    await dropSchema(url, schema);
  });
});
