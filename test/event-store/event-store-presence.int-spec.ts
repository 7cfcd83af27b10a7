import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { findEventStore } from '../../src/event-store/event-store-presence';
import { openEventStore } from '../../src/event-store/open-event-store';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';

// A read asks whether a store is there before opening one (opening creates it): the answer must
// be right both ways, and asking must create nothing.

describe('finding an embedded store without creating one', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mappa-presence-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds none in a missing or empty DATA_DIR, and leaves it as it was', async () => {
    const missing = path.join(dir, 'mistyped');
    expect(await findEventStore({ eventStore: 'embedded', dataDir: missing })).toEqual({ present: false, where: `the embedded store in ${path.join(missing, 'pglite')}` });
    expect(existsSync(missing)).toBe(false);
    expect((await findEventStore({ eventStore: 'embedded', dataDir: dir })).present).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('finds one once a store has been opened there', async () => {
    const dataDir = path.join(dir, 'made');
    const opened = await openEventStore({ eventStore: 'embedded', dataDir });
    await opened.store.close();
    await opened.sql?.close();
    expect((await findEventStore({ eventStore: 'embedded', dataDir })).present).toBe(true);
  }, 60_000);
});

describeWithPostgres('finding a PostgreSQL store without creating one', (url) => {
  const schema = uniqueSchemaName('presence');
  afterAll(() => dropSchema(url, schema));

  it('finds none while the events table is absent, creates nothing, and finds it once migrated', async () => {
    const config = { eventStore: 'postgres', databaseUrl: url, dataDir: '/nonexistent', schema };
    const before = await findEventStore(config);
    expect(before.present).toBe(false);
    expect(before.where).toContain(`schema ${schema}`);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
    const opened = await openEventStore(config);
    await opened.store.close();
    await opened.sql?.close();
    expect((await findEventStore(config)).present).toBe(true);
  });

  it('hides the password of the database it names', async () => {
    const withPassword = url.replace('postgres://postgres@', 'postgres://postgres:s3cret@');
    const found = await findEventStore({ eventStore: 'postgres', databaseUrl: withPassword, dataDir: '/nonexistent', schema });
    expect(found.where).not.toContain('s3cret');
  });
});
