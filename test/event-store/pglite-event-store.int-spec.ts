import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import { describeEventStoreContract } from './event-store.contract';
import { describePostgresFamilyStore } from './postgres-family-store.checks';

// One in-memory PGlite for the whole file: creating one takes seconds. Every store made here
// shares it, as every part of the embedded service does.
let opening: Promise<PgliteSqlClient> | undefined;
const database = () => (opening ??= PgliteSqlClient.open());

const makeStore = async () => {
  const store = new PostgresEventStore(await database());
  await store.init();
  return store;
};

const closeDatabase = async () => {
  await (await opening)?.close();
};

describe('PostgresEventStore on embedded PGlite', () => {
  describeEventStoreContract('PostgresEventStore on PGlite', makeStore, async () => undefined, {
    gaplessPositions: true,
    recordedAtMovesForward: true,
    duplicatesAcrossStreams: true,
    readsStreamByStream: true,
  });

  describePostgresFamilyStore('embedded', makeStore, database);

  afterAll(closeDatabase);
});
