import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, ensureCliBuilt, runMappa, startMappa } from '../support/built-cli';

// Issue 11, items 1 and 5, on `mappa serve` as a user runs it: it answers /health while the store
// is still opening ("starting"; ready says 503), and says "listening on" only once it serves; on
// SIGTERM it refuses new connections, finishes the request in flight, and exits 0.

const GM = 'greater-manchester';
const line = (offenderId: string) =>
  `${JSON.stringify({ type: 'OffenderRegistered', offenderId, occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true } })}\n`;

async function ask(url: string): Promise<{ status: number; body: Record<string, unknown> } | 'refused'> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('mappa serve: start-up and graceful shutdown', () => {
  let dataDir: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-serve-life-'));
  }, 180_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('answers "starting" before the store is open, then serves; on SIGTERM finishes the request in flight and exits 0', async () => {
    const serve = startMappa(['serve', '--dev-auth'], cliEnv({ DATA_DIR: dataDir, PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info' }));
    try {
      const base = await until('the first listening line', () => /accepting connections on (http:\/\/[\d.]+:\d+)/.exec(serve.output().stdout)?.[1]);
      // The store of a new DATA_DIR takes seconds to create: the answers meanwhile.
      const live = await ask(`${base}/health/live`);
      const health = await ask(`${base}/health`);
      const ready = await ask(`${base}/health/ready`);
      const write = await ask(`${base}/offenders/X-1`);
      expect(serve.output().stdout).not.toMatch(/listening on/);
      expect(live).toEqual({ status: 200, body: { status: 'starting' } });
      expect(health).toEqual({ status: 200, body: { status: 'starting', eventStore: 'embedded', lastPosition: null } });
      expect(ready).toMatchObject({ status: 503, body: { status: 'starting' } });
      expect(write).toMatchObject({ status: 503, body: { error: 'store-unavailable' } });

      await until('"listening on"', () => (/listening on http/.test(serve.output().stdout) ? true : undefined));
      expect(await ask(`${base}/health`)).toEqual({
        status: 200,
        body: { status: 'ok', eventStore: 'embedded', lastPosition: null, projector: true, rebuild: expect.objectContaining({ state: 'idle' }) },
      });
      expect(await ask(`${base}/health/ready`)).toMatchObject({ status: 200, body: { status: 'ready' } });

      // A slow batch: its first line is sent, then SIGTERM, then the rest.
      const { port } = new URL(base);
      let answer!: Promise<{ status: number; body: string }>;
      const post = httpRequest(
        { host: '127.0.0.1', port, path: '/events', method: 'POST', agent: false, headers: { 'Content-Type': 'application/x-ndjson' } },
        (res: IncomingMessage) => {
          answer = new Promise((resolve) => {
            let body = '';
            res
              .setEncoding('utf8')
              .on('data', (d: string) => (body += d))
              .on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
        },
      );
      post.write(line('SLOW-1'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      serve.kill('SIGTERM');
      await until('the shutdown to begin', () => (/SIGTERM: accepting no new connections/.test(serve.output().stdout) ? true : undefined));
      expect(await ask(`${base}/health/live`)).toBe('refused');
      post.end(line('SLOW-2'));
      await until('the answer', () => answer);
      const finished = await answer;
      expect(finished.status).toBe(200);
      expect(JSON.parse(finished.body)).toMatchObject({ appended: 2, refused: 0 });
      const exit = await serve.done;
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
      expect(exit.stdout).toMatch(/"msg":"stopped"/);
    } finally {
      if (serve.exitCode === null) serve.kill('SIGKILL');
      await serve.done;
    }
    // What was acknowledged is in the store.
    const migrate = await runMappa(['migrate'], cliEnv({ DATA_DIR: dataDir }));
    // (The read models may be behind: a stop does not start another batch; the next start catches up.)
    expect(migrate.stdout).toMatch(/event store embedded at position 2,/);
  }, 300_000);
});
