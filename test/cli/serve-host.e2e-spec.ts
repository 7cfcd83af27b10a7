import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv } from '../support/built-cli';

// Issue 10, item 10: `mappa serve` listens on 127.0.0.1 unless HOST says otherwise, in every mode
// (it listened on every interface unless in development mode). Runs the TypeScript sources.

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/support/swc-register.js');

/** Starts `mappa serve`, resolving with the URL it prints once it listens. */
function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-r', REGISTER, path.join(ROOT, 'src/cli/main.ts'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mappa serve did not start: ${output}`)), 60_000);
    const seen = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => reject(new Error(`mappa serve exited ${code}: ${output}`)));
  });
}

describe('mappa serve listening address', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mappa-host-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const closed = new Promise((r) => child!.on('close', r));
      child.kill('SIGTERM');
      await closed;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('with a configured key (not development mode) and no HOST, listens on 127.0.0.1 only', async () => {
    const keyFile = path.join(dir, 'verify.pem');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await writeFile(keyFile, publicKey.export({ format: 'pem', type: 'spki' }));
    const started = await serve(
      cliEnv({ DATA_DIR: path.join(dir, 'data'), PORT: '0', AUTH_JWT_PUBLIC_KEY_FILE: keyFile, AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'mappa' }),
    );
    child = started.child;
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${started.url}/health`);
    expect(res.status).toBe(200);
  }, 90_000);
});
