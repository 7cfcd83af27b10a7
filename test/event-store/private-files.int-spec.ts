import { mkdtemp, readdir, rm, lstat, chmod } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { embeddedDataDir, openEventStore } from '../../src/event-store/open-event-store';

// Issue 10, item 10: the embedded store's files hold offender data, so they are created 0600 in
// 0700 folders (PGlite unpacked a new database world-writable, 0666).

async function modes(root: string, found: Array<{ file: string; mode: number; folder: boolean }> = []) {
  const info = await lstat(root);
  found.push({ file: root, mode: info.mode & 0o777, folder: info.isDirectory() });
  if (info.isDirectory()) for (const entry of await readdir(root)) await modes(path.join(root, entry), found);
  return found;
}

describe('the embedded store on disk', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'mappa-modes-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('creates DATA_DIR 0700 and every folder 0700 and file 0600, also those written after opening', async () => {
    const dataDir = path.join(parent, 'data');
    const opened = await openEventStore({ eventStore: 'embedded', dataDir });
    // Files written after the store opened (a new table, its index, a checkpoint) follow the same rule.
    await opened.sql!.exec('CREATE TABLE mode_probe (n int); INSERT INTO mode_probe SELECT generate_series(1, 50000); CREATE INDEX ON mode_probe (n); CHECKPOINT;');
    await opened.store.close();
    await opened.sql?.close();

    const found = await modes(dataDir);
    expect(found.filter((f) => !f.folder).length).toBeGreaterThan(100);
    expect(found.find((f) => f.file === embeddedDataDir(dataDir))).toMatchObject({ mode: 0o700 });
    const wrong = found.filter((f) => f.mode !== (f.folder ? 0o700 : 0o600)).map((f) => `${f.mode.toString(8)} ${path.relative(parent, f.file)}`);
    expect(wrong).toEqual([]);
  }, 120_000);

  it('makes an existing, open DATA_DIR private when the store is opened', async () => {
    const dataDir = path.join(parent, 'existing');
    const first = await openEventStore({ eventStore: 'embedded', dataDir });
    await first.store.close();
    await first.sql?.close();
    await chmod(dataDir, 0o777);
    await chmod(path.join(embeddedDataDir(dataDir), 'PG_VERSION'), 0o666);
    const again = await openEventStore({ eventStore: 'embedded', dataDir });
    await again.store.close();
    await again.sql?.close();
    expect((await lstat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(embeddedDataDir(dataDir), 'PG_VERSION'))).mode & 0o777).toBe(0o600);
  }, 120_000);
});
