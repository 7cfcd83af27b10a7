import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';

// The `mappa` command as a user runs it: a child node process on the TypeScript sources.

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const REGISTER = path.join(ROOT, 'test/support/swc-register.js');

/** This process's environment without any auth, store or port settings of the machine. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(AUTH_|MAPPA_|DATABASE_|EVENT_STORE|RATE_LIMIT|PORT$|HOST$)/.test(key)) delete env[key];
  }
  return { ...env, PORT: '0', ...extra };
}

function mappa(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['-r', REGISTER, MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = mappa(args, env);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, ...child.output() };
}

/** Starts `mappa serve`, resolving with its URL once it listens. */
async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = mappa(['serve', ...args], env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mappa serve did not start: ${JSON.stringify(child.output())}`)), 50_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(child.output().stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('close', (code) => reject(new Error(`mappa serve exited ${code}: ${JSON.stringify(child.output())}`)));
  });
  return { child, url, stderr: () => child.output().stderr };
}

const stop = (child: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.on('close', () => resolve());
    child.kill('SIGTERM');
  });

/** The issuer and audience a deployed server requires, and `mappa token` copies into its tokens. */
const CLAIMS = { AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'mappa' };

describe('mappa serve and mappa token', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mappa-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('mappa serve without AUTH configuration exits with a clear message', async () => {
    const result = await run(['serve'], cleanEnv({ DATA_DIR: await tempDir() }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mappa serve will not start without a way to verify bearer tokens/);
    expect(result.stderr).toMatch(/AUTH_JWT_PUBLIC_KEY/);
    expect(result.stderr).toMatch(/--dev-auth/);
    expect(result.stdout).not.toMatch(/listening/);
  });

  it('mappa token refuses unknown roles with a message and a non-zero exit', async () => {
    const result = await run(['token', '--role', 'root', '--agency', 'police', '--areas', 'kent'], cleanEnv({ DATA_DIR: await tempDir() }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--role must be one or more of recorder, analyst, auditor, admin/);
  });

  it('--dev-auth warns loudly; tokens from mappa token are verified; a configured key serves without the warning', async () => {
    const devDir = await tempDir();
    const keyedDir = await tempDir();
    // The public half of a development key, configured as a deployed server would be.
    const publicKey = await run(['token', '--public-key'], cleanEnv({ DATA_DIR: keyedDir }));
    const keyFile = path.join(keyedDir, 'verify.pem');
    await writeFile(keyFile, publicKey.stdout);

    const [dev, keyed] = await Promise.all([
      serve(['--dev-auth'], cleanEnv({ DATA_DIR: devDir })),
      serve([], cleanEnv({ DATA_DIR: path.join(keyedDir, 'store'), AUTH_JWT_PUBLIC_KEY_FILE: keyFile, ...CLAIMS })),
    ]);
    children.push(dev.child, keyed.child);

    expect(dev.stderr()).toMatch(/DEVELOPMENT AUTHENTICATION MODE/);
    expect(dev.stderr()).toMatch(/NEVER run a deployed server like this/);
    expect(dev.url).toMatch(/^http:\/\/127\.0\.0\.1:/); // development mode listens on this machine only
    expect(keyed.stderr()).not.toMatch(/DEVELOPMENT/);

    // Development mode: no token acts as the development principal; a sent token is still verified.
    await request(dev.url).get('/audit/access').expect(200);
    await request(dev.url).get('/audit/access').set('Authorization', 'Bearer forged.token.here').expect(401);
    const devAnalyst = await run(['token', '--role', 'analyst', '--agency', 'probation', '--areas', 'kent'], cleanEnv({ DATA_DIR: devDir }));
    expect(devAnalyst.code).toBe(0);
    await request(dev.url).get('/audit/access').set('Authorization', `Bearer ${devAnalyst.stdout.trim()}`).expect(403);

    // A configured key: no token is a 401; a token signed by the matching private key works.
    await request(keyed.url).get('/audit/access').expect(401);
    const auditor = await run(['token', '--role', 'auditor', '--agency', 'police', '--areas', 'kent', '--ttl', '10m'], cleanEnv({ DATA_DIR: keyedDir, ...CLAIMS }));
    await request(keyed.url).get('/audit/access').set('Authorization', `Bearer ${auditor.stdout.trim()}`).expect(200);
    await request(keyed.url).get('/health').expect(200);
  });
});
