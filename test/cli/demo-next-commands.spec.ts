import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { demoNextCommands } from '../../src/cli/demo.command';

// The commands the demo suggests must work from where the user stands: plain when reads will
// find the demo store by themselves, naming the store otherwise.

describe("the demo's suggested commands", () => {
  let folder: string;
  const saved = { ...process.env };
  const cwd = process.cwd();

  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'mappa-next-'));
    process.chdir(folder);
    for (const name of ['DATA_DIR', 'EVENT_STORE', 'DATABASE_URL', 'DATABASE_SCHEMA']) delete process.env[name];
  });
  afterEach(async () => {
    process.chdir(cwd);
    process.env = { ...saved };
    await rm(folder, { recursive: true, force: true });
  });

  it('are plain when the demo store is DATA_DIR/demo and DATA_DIR holds no store of its own', async () => {
    const commands = await demoNextCommands(path.join(folder, 'data', 'demo'));
    expect(commands[0]).toBe('npx mappa report --area greater-manchester --year 2014-15 --format text');
    for (const line of commands) expect(line).toMatch(/^npx mappa /);
  });

  it('name the demo store when DATA_DIR holds a store of its own', async () => {
    // The mark an initialised PostgreSQL data directory carries (event-store-presence.ts).
    await mkdir(path.join(folder, 'data', 'pglite'), { recursive: true });
    await writeFile(path.join(folder, 'data', 'pglite', 'PG_VERSION'), '17\n');
    const commands = await demoNextCommands(path.join(folder, 'data', 'demo'));
    for (const line of commands) expect(line).toMatch(/^EVENT_STORE=embedded DATABASE_URL= DATA_DIR=\.\/data\/demo npx mappa /);
  });

  it('name the demo store when it was put elsewhere, or when reads are configured for a server', async () => {
    const elsewhere = await demoNextCommands(path.join(folder, "it's here"));
    expect(elsewhere[0]).toMatch(/^EVENT_STORE=embedded DATABASE_URL= DATA_DIR='\.\/it'\\''s here' npx mappa report /);
    process.env.EVENT_STORE = 'postgres';
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    const server = await demoNextCommands(path.join(folder, 'data', 'demo'));
    expect(server[0]).toMatch(/^EVENT_STORE=embedded DATABASE_URL= DATA_DIR=\.\/data\/demo npx mappa /);
  });
});
