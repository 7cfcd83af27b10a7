import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';
import type { EventStoreConfig } from '../../src/event-store/open-event-store';
import { cliEnv, ensureCliBuilt, runMappa, startMappa } from '../support/built-cli';
import { bulkEvents, toNdjson } from '../support/bulk-ndjson';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';
import { readWholeStore } from '../support/read-whole-store';

// "A kill of the process during an import loses no acknowledged event": `mappa import --progress`
// prints "acknowledged through line N" only once the batch holding line N is durably appended.
// The test kills the process (SIGKILL: no shutdown hooks, no flush) after a few of those lines,
// then checks that every acknowledged line is in the store, that the store is consistent, and
// that importing the file again completes it with the earlier lines counted as duplicates.

const OFFENDERS = 2_500;
const EVENTS_PER_OFFENDER = 8;
const BATCH_SIZE = 500;
/** Acknowledgements to wait for before the kill (of 40 batches). */
const KILL_AFTER_ACKS = 4;
const ACK = /^acknowledged through line (\d+)$/gm;

const acknowledgedLines = (stdout: string): number[] => [...stdout.matchAll(ACK)].map((m) => Number(m[1]));

interface Variant {
  name: string;
  /** The environment of the command and the configuration to open its store with. */
  env: Record<string, string>;
  config: EventStoreConfig;
  cleanup(): Promise<void>;
}

/** Positions gapless 1..count, each eventId once, and each offender's revisions 0..k-1 in position order. */
function expectConsistent(stored: readonly RecordedOffenderEvent[]): void {
  const gaps = stored.filter((e, k) => e.position !== BigInt(k + 1));
  expect(gaps.slice(0, 3).map((e) => e.position)).toEqual([]);
  expect(new Set(stored.map((e) => e.eventId)).size).toBe(stored.length);
  const nextRevision = new Map<string, number>();
  const wrong: string[] = [];
  for (const e of stored) {
    const expected = nextRevision.get(e.offenderId) ?? 0;
    if (e.revision !== expected) wrong.push(`${e.offenderId} revision ${e.revision} at position ${e.position}, expected ${expected}`);
    nextRevision.set(e.offenderId, e.revision + 1);
  }
  expect(wrong.slice(0, 3)).toEqual([]);
}

function killDuringImport(variant: () => Variant) {
  let v: Variant;
  let workDir: string;
  let file: string;
  let events: NewOffenderEvent[];
  /** Line number (1-based) of each eventId in the file. */
  let lineOf: Map<string, number>;
  let acknowledgedThrough = 0;
  let storedAfterKill = 0;

  beforeAll(async () => {
    v = variant();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-kill-'));
    file = path.join(workDir, 'large.ndjson');
    events = bulkEvents({ offenders: OFFENDERS, eventsPerOffender: EVENTS_PER_OFFENDER, runId: randomUUID().slice(0, 8) });
    lineOf = new Map(events.map((e, k) => [e.eventId, k + 1]));
    await writeFile(file, toNdjson(events));
    await ensureCliBuilt();
  }, 180_000);

  afterAll(async () => {
    await v?.cleanup();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it(`SIGKILL during the import loses no acknowledged event and leaves the store consistent`, async () => {
    const child = startMappa(['import', file, '--progress', '--batch-size', String(BATCH_SIZE)], cliEnv(v.env));
    // Progress is written to a pipe, synchronously on Linux: a line read here was printed after its batch committed.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress from mappa import: ${JSON.stringify(child.output())}`)), 60_000);
      child.stdout!.on('data', () => {
        if (acknowledgedLines(child.output().stdout).length >= KILL_AFTER_ACKS) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.done.then((r) => reject(new Error(`mappa import ended before the kill: ${JSON.stringify(r)}`)), reject);
    });
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toMatch(/^imported /m);
    const acks = acknowledgedLines(killed.stdout);
    acknowledgedThrough = acks[acks.length - 1];
    expect(acks).toEqual(acks.map((_, k) => (k + 1) * BATCH_SIZE));
    expect(acknowledgedThrough).toBeLessThan(events.length);

    const stored = await readWholeStore(v.config);
    storedAfterKill = stored.length;
    // Every acknowledged line is there ...
    const storedIds = new Set(stored.map((e) => e.eventId));
    const lost = events.slice(0, acknowledgedThrough).filter((e) => !storedIds.has(e.eventId));
    expect(lost.map((e) => lineOf.get(e.eventId))).toEqual([]);
    // ... and nothing else but whole batches after it: each batch is one transaction.
    expect(stored.length % BATCH_SIZE).toBe(0);
    expect(stored.map((e) => lineOf.get(e.eventId)!).sort((a, b) => a - b)).toEqual(stored.map((_, k) => k + 1));
    expectConsistent(stored);
    process.stdout.write(`${v.name}: killed after line ${acknowledgedThrough} was acknowledged; the store held ${stored.length} events\n`);
  }, 120_000);

  it('importing the file again completes it, with the earlier lines counted as duplicates', async () => {
    expect(storedAfterKill).toBeGreaterThanOrEqual(acknowledgedThrough);
    expect(acknowledgedThrough).toBeGreaterThan(0);
    const result = await runMappa(['import', file, '--batch-size', String(BATCH_SIZE)], cliEnv(v.env));
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`: ${events.length - storedAfterKill} appended, ${storedAfterKill} duplicates, 0 refused`));

    const stored = await readWholeStore(v.config);
    expect(stored).toHaveLength(events.length);
    expectConsistent(stored);
    // Every line exactly once, and each offender's stream in the file's order.
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    const missing = events.filter((e) => !byId.has(e.eventId));
    expect(missing.map((e) => lineOf.get(e.eventId))).toEqual([]);
    const misplaced = events.filter((e, k) => byId.get(e.eventId)!.revision !== Math.floor(k / OFFENDERS));
    expect(misplaced.map((e) => lineOf.get(e.eventId))).toEqual([]);
  }, 120_000);
}

describe('mappa import killed mid-way (embedded store)', () => {
  killDuringImport(() => {
    const dataDir = path.join(os.tmpdir(), `mappa-kill-embedded-${randomUUID().slice(0, 8)}`);
    return {
      name: 'embedded',
      env: { DATA_DIR: dataDir },
      config: { eventStore: 'embedded', dataDir },
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  });
});

describeWithPostgres('mappa import killed mid-way (PostgreSQL store)', (url) => {
  killDuringImport(() => {
    const schema = uniqueSchemaName('import_kill');
    const dataDir = path.join(os.tmpdir(), `mappa-kill-postgres-${randomUUID().slice(0, 8)}`);
    return {
      name: 'postgres',
      env: { EVENT_STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema, DATA_DIR: dataDir },
      config: { eventStore: 'postgres', databaseUrl: url, schema, dataDir },
      async cleanup() {
        await dropSchema(url, schema);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
});
