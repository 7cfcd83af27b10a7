import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, ensureCliBuilt, runMappa, startMappa } from '../support/built-cli';
import { bulkEvents, toNdjson } from '../support/bulk-ndjson';
import { dropSchema, describeWithPostgres, uniqueSchemaName } from '../support/postgres-test-database';

// Issue 11, item 3 and issue 18, item 4: `mappa rebuild` killed (SIGKILL: no shutdown hooks) part-way.
// The next start (here `mappa report`, which catches up first) finds the rebuild's owner gone at
// once and runs it again by itself, instead of answering "being rebuilt" (exit 2) for the five
// minutes the old rule waited; and its report equals the one after a clean rebuild.

const OFFENDERS = 2_500;
const EVENTS_PER_OFFENDER = 12; // 30,000 events: three batches of a rebuild
const PROGRESS = /^rebuilt (\d+) of (\d+) events$/gm;
const REPORT = ['report', '--area', 'greater-manchester', '--year', '2004-05', '--format', 'json'];

function killDuringRebuild(variant: () => { env: Record<string, string>; cleanup(): Promise<void> }) {
  let v: ReturnType<typeof variant>;
  let workDir: string;

  beforeAll(async () => {
    v = variant();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-rebuild-kill-'));
    const file = path.join(workDir, 'events.ndjson');
    await writeFile(file, toNdjson(bulkEvents({ offenders: OFFENDERS, eventsPerOffender: EVENTS_PER_OFFENDER, runId: randomUUID().slice(0, 8) })));
    await ensureCliBuilt();
    const imported = await runMappa(['import', file], cliEnv(v.env));
    expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: '' });
  }, 600_000);
  afterAll(async () => {
    await v?.cleanup();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('the next start runs the interrupted rebuild again at once, and its report equals a clean rebuild’s', async () => {
    const child = startMappa(['rebuild'], cliEnv(v.env));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => {
        const done = [...child.output().stdout.matchAll(PROGRESS)].map((m) => Number(m[1]));
        if (done.some((n) => n > 0)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.done.then((r) => reject(new Error(`mappa rebuild ended before the kill: ${JSON.stringify(r)}`)), reject);
    });
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toMatch(/read models rebuilt/);

    const started = Date.now();
    const next = await runMappa(REPORT, cliEnv(v.env));
    const seconds = (Date.now() - started) / 1000;
    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
    process.stdout.write(`the report after the killed rebuild answered in ${seconds.toFixed(1)} s (the old rule: 503 for 300 s)\n`);

    const clean = await runMappa(['rebuild'], cliEnv(v.env));
    expect(clean.code).toBe(0);
    const afterClean = await runMappa(REPORT, cliEnv(v.env));
    expect(afterClean.code).toBe(0);
    const recovered = JSON.parse(next.stdout);
    // Not an empty answer: the history's level changes are counted (its offenders end in custody).
    expect(recovered.cells['level23InYear.level2.total']).toBeGreaterThan(0);
    expect(recovered).toEqual(JSON.parse(afterClean.stdout));
  }, 900_000);
}

describe('mappa rebuild killed mid-way (embedded store)', () => {
  killDuringRebuild(() => {
    const dataDir = path.join(os.tmpdir(), `mappa-rebuild-kill-${randomUUID().slice(0, 8)}`);
    return { env: { DATA_DIR: dataDir }, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('mappa rebuild killed mid-way (PostgreSQL store)', (url) => {
  killDuringRebuild(() => {
    const schema = uniqueSchemaName('rebuild_kill');
    const dataDir = path.join(os.tmpdir(), `mappa-rebuild-kill-pg-${randomUUID().slice(0, 8)}`);
    return {
      env: { EVENT_STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema, DATA_DIR: dataDir },
      async cleanup() {
        await dropSchema(url, schema);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
});
