import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, ensureCliBuilt, runMappa, startMappa } from '../support/built-cli';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';

// Issue 11, item 4: several `mappa serve` against one PostgreSQL. Two real processes on one schema:
// both accept writes; exactly one projects (a session-level advisory lock, projections/projector-lease.ts)
// and says so in /health and /metrics; a read with minPosition on the other waits for the shared
// checkpoint; the access audit is one log whichever instance served the read; a rebuild asked of
// any instance is run by the projector alone, and `mappa rebuild` beside a projecting service is
// refused; a frozen projector (SIGSTOP) loses the lease, and after kill -9 of the projector the
// survivor takes over within a few seconds.

const GM = 'greater-manchester';
const REASON = 'two instances test';
/** How soon a follower must take over from a killed projector (it tries every second). */
const TAKEOVER_BOUND_MS = 5_000;
/** ... from a frozen one: the server ends its idle lease session after 10 s (sessionIdleTimeoutMs). */
const FROZEN_TAKEOVER_BOUND_MS = 15_000;

type Instance = ReturnType<typeof startMappa> & { url: string };

const registration = { type: 'OffenderRegistered', occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true } };

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, read field by field
type JsonBody = Record<string, any>;

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as JsonBody };
};

const post = async (instance: Instance, offenderId: string, body: object) => {
  const res = await fetch(`${instance.url}/offenders/${offenderId}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as JsonBody };
};

const isProjector = async (instance: Instance) => (await getJson(`${instance.url}/health`)).body.projector as boolean;

describeWithPostgres('two `mappa serve` on one PostgreSQL', (url) => {
  const schema = uniqueSchemaName('two_instances');
  const instances: Instance[] = [];
  let dataDir: string;
  let env: (name: string) => NodeJS.ProcessEnv;

  const serve = async (name: string): Promise<Instance> => {
    const child = startMappa(['serve', '--dev-auth'], env(name));
    const instance = child as Instance;
    instances.push(instance);
    const exited = child.done.then((run) => Promise.reject(new Error(`${name} exited (${run.code ?? run.signal}) before listening: ${run.stdout}${run.stderr}`)));
    exited.catch(() => undefined);
    instance.url = await Promise.race([
      exited,
      waitUntil(`${name} to listen`, async () => /listening on (http:\/\/\S+)/.exec(child.output().stdout)?.[1], 90_000).catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(child.output())}`);
      }),
    ]);
    return instance;
  };

  beforeAll(async () => {
    await ensureCliBuilt();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-two-instances-'));
    // Each instance its own DATA_DIR (only its development signing key lives there); the data is in PostgreSQL.
    env = (name) => cliEnv({ EVENT_STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema, DATA_DIR: path.join(dataDir, name), PORT: '0' });
  }, 180_000);
  afterAll(async () => {
    for (const instance of instances) {
      if (instance.exitCode === null && instance.signalCode === null) instance.kill('SIGKILL');
      await instance.done;
    }
    await dropSchema(url, schema);
    await rm(dataDir, { recursive: true, force: true });
  });

  let projector: Instance;
  let follower: Instance;
  const registered: string[] = [];

  it('starts two instances at once: both answer, exactly one projects, and /health and /metrics say which', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const roles = await waitUntil('exactly one projector', async () => {
      const seen = await Promise.all([isProjector(a), isProjector(b)]);
      return seen.filter(Boolean).length === 1 ? seen : undefined;
    });
    [projector, follower] = roles[0] ? [a, b] : [b, a];
    // Still one a few lease rounds later: the follower's attempts keep failing while the projector lives.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await Promise.all([isProjector(projector), isProjector(follower)])).toEqual([true, false]);
    const metrics = async (i: Instance) => /^mappa_projector (\d)$/m.exec(await (await fetch(`${i.url}/metrics`)).text())?.[1];
    expect([await metrics(projector), await metrics(follower)]).toEqual(['1', '0']);
  }, 180_000);

  it('accepts writes on both, and a read with minPosition on the follower reflects them all', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, k) => {
        const offenderId = `TI-${randomUUID().slice(0, 8)}`;
        registered.push(offenderId);
        return post(k % 2 === 0 ? projector : follower, offenderId, registration);
      }),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    const last = results.map((r) => BigInt(r.body.position)).reduce((a, b) => (a > b ? a : b));
    const report = await getJson(`${follower.url}/reports/${GM}/2014-15?minPosition=${last}`);
    expect(report.status).toBe(200);
    expect(BigInt(report.body.position)).toBeGreaterThanOrEqual(last);
    expect(report.body.cells['offendersOnSnapshot.total.total']).toBe(6);
  }, 60_000);

  it('keeps one access audit: reads served at once by both instances are all listed by each, oldest first in id order', async () => {
    const reads = registered.flatMap((offenderId, k) => [projector, follower].map((instance) => ({ instance, offenderId, reason: `${REASON} ${k}` })));
    const answers = await Promise.all(reads.map((r) => getJson(`${r.instance.url}/offenders/${r.offenderId}?reason=${encodeURIComponent(r.reason)}`)));
    expect(answers.map((a) => a.status)).toEqual(reads.map(() => 200));
    for (const instance of [projector, follower]) {
      const listed = await getJson(`${instance.url}/audit/access?reason=${encodeURIComponent(REASON)}`);
      expect(listed.status).toBe(200);
      const entries = listed.body.entries as Array<{ id: string; at: string; action: string; offenderId: string; reason: string }>;
      const stateReads = entries.filter((e) => e.action === 'offender-state').map((e) => `${e.offenderId} ${e.reason}`);
      expect(stateReads.sort()).toEqual(reads.map((r) => `${r.offenderId} ${r.reason}`).sort());
      // Appends are serialised in the database: ids commit in order, and times never go back along them.
      const ids = entries.map((e) => BigInt(e.id));
      expect(ids).toEqual([...ids].sort((x, y) => (x < y ? -1 : 1)));
      expect(new Set(ids).size).toBe(ids.length);
      const times = entries.map((e) => e.at);
      expect(times).toEqual([...times].sort());
    }
  }, 60_000);

  it('refuses `mappa rebuild` beside a projecting service, naming it; a rebuild asked of the follower is run by the projector', async () => {
    const before = await getJson(`${follower.url}/reports/${GM}/2014-15`);
    expect(before.status).toBe(200);

    const cli = await runMappa(['rebuild'], env('cli'));
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(new RegExp(`mappa serve pid ${projector.pid}\\b.*POST /admin/rebuild`, 's'));

    const asked = await fetch(`${follower.url}/admin/rebuild`, { method: 'POST' });
    expect({ status: asked.status, body: await asked.json() }).toEqual({ status: 202, body: expect.objectContaining({ status: 'rebuild-requested' }) });
    await waitUntil(
      'the projector to run the rebuild',
      async () => (/rebuilding the read models, as asked through another instance by development/.test(projector.output().stdout) ? true : undefined),
      10_000,
    );
    await waitUntil('the rebuild to end', async () => (/read models rebuilt to position \d+/.test(projector.output().stdout) ? true : undefined), 60_000);
    const after = await waitUntil('the report after the rebuild', async () => {
      const res = await getJson(`${follower.url}/reports/${GM}/2014-15`);
      return res.status === 200 ? res : undefined;
    });
    expect(after.body.cells).toEqual(before.body.cells);
    expect(follower.output().stdout).not.toMatch(/rebuilding the read models/);
  }, 120_000);

  it('a frozen projector (SIGSTOP) loses the lease to the follower; resumed, it follows', async () => {
    projector.kill('SIGSTOP');
    const frozenAt = Date.now();
    try {
      // The server ends the frozen holder's idle lease session (idle_session_timeout, 10 s).
      await waitUntil('the follower to take over', async () => ((await isProjector(follower)) ? true : undefined), FROZEN_TAKEOVER_BOUND_MS + 5_000);
      const takeoverMs = Date.now() - frozenAt;
      process.stdout.write(`projector takeover after SIGSTOP: ${takeoverMs} ms\n`);
      expect(takeoverMs).toBeLessThan(FROZEN_TAKEOVER_BOUND_MS);
      const offenderId = `TI-${randomUUID().slice(0, 8)}`;
      const written = await post(follower, offenderId, registration);
      expect(written.status).toBe(201);
      const report = await getJson(`${follower.url}/reports/${GM}/2014-15?minPosition=${written.body.position}`);
      expect(BigInt(report.body.position)).toBeGreaterThanOrEqual(BigInt(written.body.position));
      expect(report.body.cells['offendersOnSnapshot.total.total']).toBe(7);
    } finally {
      projector.kill('SIGCONT');
    }
    // Resumed, it finds its session ended and follows; roles swap for the next test.
    await waitUntil('the resumed instance to follow', async () => ((await isProjector(projector)) ? undefined : true), 10_000);
    expect(await isProjector(follower)).toBe(true);
    [projector, follower] = [follower, projector];
  }, 90_000);

  it('after kill -9 of the projector, the survivor takes over within a few seconds and serves minPosition', async () => {
    projector.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await projector.done).signal).toBe('SIGKILL');
    // Writes never depended on the projector.
    const offenderId = `TI-${randomUUID().slice(0, 8)}`;
    const written = await post(follower, offenderId, registration);
    expect(written.status).toBe(201);
    await waitUntil('the survivor to take over', async () => ((await isProjector(follower)) ? true : undefined), TAKEOVER_BOUND_MS + 5_000);
    const takeoverMs = Date.now() - killedAt;
    process.stdout.write(`projector takeover after kill -9: ${takeoverMs} ms\n`);
    expect(takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    const report = await getJson(`${follower.url}/reports/${GM}/2014-15?minPosition=${written.body.position}`);
    expect(report.status).toBe(200);
    expect(BigInt(report.body.position)).toBeGreaterThanOrEqual(BigInt(written.body.position));
    expect(report.body.cells['offendersOnSnapshot.total.total']).toBe(8);
  }, 60_000);
});
