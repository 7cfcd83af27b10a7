import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { embeddedDataDir, openEventStore } from '../../src/event-store/open-event-store';
import { appendOf, offenderRegistered } from '../support/offender-event-fixtures';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';

describe('openEventStore', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mappa-open-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses 'postgres' without DATABASE_URL, and an unknown EVENT_STORE", async () => {
    await expect(openEventStore({ eventStore: 'postgres', dataDir })).rejects.toThrow(/DATABASE_URL/);
    await expect(openEventStore({ eventStore: 'mysql', dataDir })).rejects.toThrow(/EVENT_STORE must be/);
  });

  it("keeps 'embedded' events in DATA_DIR, shares the database with read models, and finds them again on reopening", async () => {
    const opened = await openEventStore({ eventStore: 'embedded', dataDir });
    expect(opened.store.kind).toBe('embedded');
    expect(opened.sql?.dialect).toBe('embedded');
    const [result] = await opened.store.appendToStreams([appendOf('GM-1', 'no-stream', [offenderRegistered('GM-1')])]);
    // Read models see the events' tables: it is one database.
    expect((await opened.sql!.query('SELECT count(*)::int AS n FROM events')).rows).toEqual([{ n: 1 }]);
    await opened.store.close();
    await opened.sql?.close();
    expect((await readdir(embeddedDataDir(dataDir))).length).toBeGreaterThan(0);

    const reopened = await openEventStore({ eventStore: 'embedded', dataDir });
    try {
      expect(await reopened.store.readStream('GM-1')).toEqual(result.status === 'appended' ? result.events : []);
    } finally {
      await reopened.store.close();
      await reopened.sql?.close();
    }
  });

  describeWithPostgres('with a PostgreSQL server', (url) => {
    const schema = uniqueSchemaName('open_store_test');
    afterAll(async () => dropSchema(url, schema));

    it("keeps 'postgres' events and read models in DATABASE_URL, in the configured schema", async () => {
      const opened = await openEventStore({ eventStore: 'postgres', dataDir, databaseUrl: url, schema });
      try {
        expect(opened.store.kind).toBe('postgres');
        expect(opened.sql?.dialect).toBe('postgres');
        await opened.store.appendToStreams([appendOf('GM-2', 'no-stream', [offenderRegistered('GM-2')])]);
        const { rows } = await opened.sql!.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
        expect(rows).toEqual([{ table_name: 'event_store_head' }, { table_name: 'events' }]);
      } finally {
        await opened.store.close();
        await opened.sql?.close();
      }
    });

    it('puts read models on the server when events are embedded or in EventStoreDB', async () => {
      const embedded = await openEventStore({ eventStore: 'embedded', dataDir, databaseUrl: url, schema });
      expect([embedded.store.kind, embedded.sql?.dialect]).toEqual(['embedded', 'postgres']);
      await embedded.sql?.close();
      // The store owns its embedded database: it still works after the read-model client closed.
      expect(await embedded.store.readStream('GM-1')).toHaveLength(1);
      await embedded.store.close();

      // The ESDB client connects lazily, so no server is needed to open it.
      const esdb = await openEventStore({ eventStore: 'esdb://127.0.0.1:1?tls=false', dataDir, databaseUrl: url, schema });
      expect([esdb.store.kind, esdb.sql?.dialect]).toEqual(['eventstoredb', 'postgres']);
      await esdb.store.close();
      await esdb.sql?.close();
    });
  });
});
