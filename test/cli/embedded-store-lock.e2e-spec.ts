import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';
import { openEventStore } from '../../src/event-store/open-event-store';
import { BIN, ROOT, cliEnv, ensureCliBuilt, runMappa } from '../support/built-cli';
import { bulkEvents, toNdjson } from '../support/bulk-ndjson';

// Issue 18, item 1: `mappa import` beside `mappa serve` on one DATA_DIR appended into the same
// embedded store from two processes and corrupted it. The second process must be refused at
// once, naming the first; a killed holder must not lock the store for ever; of two processes
// starting on a new store, exactly one opens it.

/** A running `mappa` whose standard input stays open until end() (stdin of `import -`). */
interface Running {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<void>;
  end(input?: string): void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => undefined); // EPIPE if it was refused and exited
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    output: () => stdout + stderr,
    end: (input) => child.stdin!.end(input),
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => pattern.test(stdout + stderr) && resolve();
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        check();
        done.then((r) => reject(new Error(`mappa ${args.join(' ')} ended before ${pattern}: ${JSON.stringify(r)}`)));
      }),
  };
}

async function readWholeStore(dataDir: string): Promise<RecordedOffenderEvent[]> {
  const { store, sql } = await openEventStore({ eventStore: 'embedded', dataDir });
  try {
    return await store.readAll(null, 1_000_000);
  } finally {
    await store.close();
    await sql?.close();
  }
}

/** Positions 1..n without a gap, and every event once. */
function expectIntact(stored: readonly RecordedOffenderEvent[], expected: readonly NewOffenderEvent[]): void {
  expect(stored.map((e) => e.position)).toEqual(stored.map((_, k) => BigInt(k + 1)));
  expect(stored.map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
}

const refusalNaming = (pid: number | undefined) => new RegExp(`embedded store in .* is in use by process ${pid} \\(mappa .*stop that process.*HTTP API.*PostgreSQL`, 's');

describe('one process per embedded store (mappa command line)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const running: Running[] = [];
  const events = (n: number) => bulkEvents({ offenders: n, eventsPerOffender: 2, runId: randomUUID().slice(0, 8) });

  beforeAll(() => ensureCliBuilt(), 180_000);
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-one-process-'));
    env = cliEnv({ DATA_DIR: dataDir, PORT: '0' });
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.child.kill('SIGKILL');
      await r.done;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses `mappa import` and `mappa report` beside `mappa serve`, naming its PID, and leaves the store as it was', async () => {
    const before = events(3);
    expect((await runMappa(['import', '-'], env, toNdjson(before))).code).toBe(0);
    const serve = start(['serve', '--dev-auth'], env);
    running.push(serve);
    await serve.waitFor(/listening on http/);

    const imported = await runMappa(['import', '-'], env, toNdjson(events(3)));
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(refusalNaming(serve.child.pid));
    expect(imported.stdout).not.toMatch(/appended/);
    const report = await runMappa(['report', '--area', 'greater-manchester', '--year', '2005-06'], env);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(refusalNaming(serve.child.pid));

    serve.child.kill('SIGTERM');
    await serve.done;
    expectIntact(await readWholeStore(dataDir), before);
  }, 120_000);

  it('takes over the store of a `mappa import` killed with SIGKILL, keeping what it acknowledged', async () => {
    const first = events(2);
    const killed = start(['import', '-', '--progress', '--batch-size', '1'], env);
    running.push(killed);
    killed.child.stdin!.write(toNdjson(first));
    await killed.waitFor(new RegExp(`acknowledged through line ${first.length}$`, 'm'));
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');

    const second = events(2);
    const next = await runMappa(['import', '-'], env, toNdjson(second));
    expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
    expect(next.stdout).toMatch(new RegExp(`: ${second.length} appended, 0 duplicates, 0 refused`));
    expectIntact(await readWholeStore(dataDir), [...first, ...second]);
  }, 120_000);

  it('of two `mappa import` starting at once on a new store, opens it in exactly one and refuses the other', async () => {
    const racers = [start(['import', '-'], env), start(['import', '-'], env)];
    running.push(...racers);
    // The loser exits on its own; the winner waits for its input, which is only sent afterwards.
    const loser = await Promise.race(racers.map((r) => r.done.then(() => r)));
    const winner = racers.find((r) => r !== loser)!;
    const refused = await loser.done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(refusalNaming(winner.child.pid));

    const sent = events(2);
    winner.end(toNdjson(sent));
    const won = await winner.done;
    expect({ code: won.code, stderr: won.stderr }).toEqual({ code: 0, stderr: '' });
    expectIntact(await readWholeStore(dataDir), sent);
  }, 120_000);
});
