import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { STORAGE, type Storage } from '../../src/app.module';
import { createHttpApp } from '../../src/http/create-http-app';
import { cliEnv, ensureCliBuilt, runMappa } from '../support/built-cli';
import { bulkEvents, toNdjson } from '../support/bulk-ndjson';
import { readWholeStore } from '../support/read-whole-store';

// Issue 18, item 5 and issue 11, item 3: a full or read-only disk under DATA_DIR, performed on a
// small tmpfs of its own. While serving: 503 with Retry-After and /health naming the cause and the
// path, reads still answered. During `mappa import`: a plain message naming the path and the cause,
// every acknowledged line kept, nothing half-written. At start on a read-only folder: the same,
// instead of PGlite's "ErrnoError { errno: 69 }". Before: posts answered 500, /health said ok.

/** A tmpfs can be mounted only as root (on Linux, with mount(8)): say so plainly otherwise. */
function mountable(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not root on Linux, so no tmpfs can be mounted';
  const probe = mkdtempSync(path.join(os.tmpdir(), 'mappa-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const cannotMount = mountable();
if (cannotMount) process.stdout.write(`SKIPPED: disk-fault tests: ${cannotMount}\n`);
const describeMounted = cannotMount ? describe.skip : describe;

/** Leaves about `freeKb` free on the mount by one file that takes the rest. */
function fill(mount: string, freeKb: number): void {
  const avail = Number(execFileSync('df', ['-k', '--output=avail', mount]).toString().trim().split('\n').pop());
  execFileSync('fallocate', ['-l', `${Math.max(avail - freeKb, 1)}k`, path.join(mount, 'filler')]);
}
const unfill = (mount: string) => rmSync(path.join(mount, 'filler'), { force: true });

describeMounted('a full or read-only disk under DATA_DIR', () => {
  let mount: string;
  let dataDir: string;
  let storeDir: string;

  beforeAll(async () => {
    mount = mkdtempSync(path.join(os.tmpdir(), 'mappa-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mount]);
    dataDir = path.join(mount, 'data');
    storeDir = path.join(dataDir, 'pglite');
    await ensureCliBuilt();
  }, 300_000);
  afterAll(async () => {
    if (!mount) return;
    execFileSync('umount', ['-l', mount]);
    await rm(mount, { recursive: true, force: true });
  });

  // PGlite sometimes spun at 100% CPU once the disk was full (2 of 4 runs), and while it ran on the
  // service's thread a spin in WebAssembly stopped jest's own timeouts: the whole suite hung. It runs
  // on a thread of its own now (src/sql/pglite-worker.ts): a spin costs a call its answer timeout
  // (EMBEDDED_ANSWER_TIMEOUT_MS, a 503), never the process, and close() stops the thread.
  describe('while serving', () => {
    let app: NestExpressApplication;
    const acknowledged = new Set<string>();
    const post = (events: ReturnType<typeof bulkEvents>) => request(app.getHttpServer()).post('/events').set('Content-Type', 'application/x-ndjson').send(toNdjson(events));

    beforeAll(async () => {
      app = await createHttpApp({ config: { eventStore: 'embedded', dataDir, databaseUrl: undefined, port: 0, schema: undefined }, rateLimit: false });
      app.useLogger(false);
      await app.init();
    }, 300_000);
    afterAll(async () => {
      unfill(mount);
      await app?.close();
    }, 60_000);

    it('answers posts 503 with Retry-After naming the path and the cause, /health says why, reads go on', async () => {
      const events = bulkEvents({ offenders: 2_000, eventsPerOffender: 40, runId: randomUUID().slice(0, 8) });
      const first = await post(events.slice(0, 1_000));
      expect(first.status).toBe(200);
      events.slice(0, 1_000).forEach((e) => acknowledged.add(e.eventId));
      fill(mount, 3_000);
      let refused: request.Response | undefined;
      for (let i = 1_000; i < events.length && !refused; i += 1_000) {
        const res = await post(events.slice(i, i + 1_000));
        if (res.status === 200) events.slice(i, i + 1_000).forEach((e) => acknowledged.add(e.eventId));
        else refused = res;
      }
      expect(refused?.status).toBe(503);
      expect(refused!.headers['retry-after']).toBe('60');
      expect(refused!.body.error).toBe('store-unavailable');
      expect(refused!.body.message).toContain(storeDir);
      expect(refused!.body.message).toMatch(/the disk is full \(no space left on device\)/);
      expect(refused!.body.details).toEqual([expect.objectContaining({ rule: 'disk-full' })]);

      const health = await request(app.getHttpServer()).get('/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
      expect(health.body.storage).toEqual([expect.objectContaining({ kind: 'disk-full', path: storeDir })]);
      const report = await request(app.getHttpServer()).get('/reports/greater-manchester/2014-15');
      expect(report.status).toBe(200);

      unfill(mount);
      const after = await post(bulkEvents({ offenders: 10, eventsPerOffender: 1, runId: randomUUID().slice(0, 8) }));
      expect(after.status).toBe(200);
      expect((await request(app.getHttpServer()).get('/health')).body).toMatchObject({ status: 'ok' });
      const stored = new Set((await app.get<Storage>(STORAGE).store.readAll(null, 1_000_000)).map((e) => e.eventId));
      expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    }, 300_000);
  });

  describe('mappa import', () => {
    const BATCH = 500;
    const ACK = /^acknowledged through line (\d+)$/gm;

    it('stops with the path and the cause in plain words, keeps every acknowledged line, and a re-import completes it', async () => {
      const events = bulkEvents({ offenders: 2_500, eventsPerOffender: 12, runId: randomUUID().slice(0, 8) });
      const file = path.join(os.tmpdir(), `mappa-disk-import-${randomUUID().slice(0, 8)}.ndjson`);
      await writeFile(file, toNdjson(events));
      try {
        const before = (await readWholeStore({ eventStore: 'embedded', dataDir })).length;
        fill(mount, 3_000);
        const run = await runMappa(['import', file, '--progress', '--batch-size', String(BATCH)], cliEnv({ DATA_DIR: dataDir }));
        unfill(mount);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(storeDir);
        expect(run.stderr).toMatch(/the disk is full \(no space left on device\)/);
        expect(run.stderr).not.toMatch(/ErrnoError| {4}at /);
        const acks = [...run.stdout.matchAll(ACK)].map((m) => Number(m[1]));
        const through = acks.length ? acks[acks.length - 1] : 0;
        expect(run.stderr).toContain(through > 0 ? `lines 1-${through} are stored` : 'no line is stored');

        const stored = await readWholeStore({ eventStore: 'embedded', dataDir });
        const ids = new Set(stored.map((e) => e.eventId));
        expect(events.slice(0, through).filter((e) => !ids.has(e.eventId)).length).toBe(0);
        // Nothing half-written: whole batches only (each is one transaction).
        expect((stored.length - before) % BATCH).toBe(0);
        expect(stored.length - before).toBeLessThan(events.length);

        const again = await runMappa(['import', file, '--batch-size', String(BATCH)], cliEnv({ DATA_DIR: dataDir }));
        expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
        expect((await readWholeStore({ eventStore: 'embedded', dataDir })).length).toBe(before + events.length);
      } finally {
        unfill(mount);
        await rm(file, { force: true });
      }
    }, 600_000);
  });

  describe('a read-only DATA_DIR', () => {
    let readOnly: string;
    beforeAll(async () => {
      readOnly = path.join(os.tmpdir(), `mappa-ro-${randomUUID().slice(0, 8)}`);
      await mkdir(readOnly);
      await mkdir(dataDir, { recursive: true }); // holding a store when the tests above ran, empty when run alone
      execFileSync('mount', ['--bind', dataDir, readOnly]);
      execFileSync('mount', ['-o', 'remount,bind,ro', readOnly]);
    });
    afterAll(async () => {
      if (!readOnly) return;
      execFileSync('umount', ['-l', readOnly]);
      await rm(readOnly, { recursive: true, force: true });
    });

    it('is refused at start with the path and the cause, not an errno', async () => {
      const run = await runMappa(['migrate'], cliEnv({ DATA_DIR: readOnly }));
      expect(run.code).toBe(2);
      // The last line is the command's own message (Nest's start-up log may dump the error above it).
      const said = run.stderr.trim().split('\n').pop();
      expect(said).toContain(`The store in ${readOnly} cannot be written: the file system is read-only.`);
      expect(run.stderr).not.toMatch(/ErrnoError|failed to initialize/);
    }, 300_000);
  });
});
