import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

// The `mappa` command exactly as a user runs it: `node bin/mappa.js`, on the compiled dist/.
// ensureCliBuilt() compiles once (tsconfig.build.json) and skips the build while dist/ is newer
// than every source; a lock keeps test files in parallel workers from compiling over each other.

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin/mappa.js');
const MAIN_JS = path.join(ROOT, 'dist/src/cli/main.js');
const BUILD_INPUTS = ['src', 'projections', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const key = createHash('sha1').update(ROOT).digest('hex').slice(0, 12);
const LOCK = path.join(os.tmpdir(), `mappa-test-build-${key}.lock`);
/** Holds the time the last successful build started. */
const STAMP = path.join(os.tmpdir(), `mappa-test-build-${key}.stamp`);

async function newestMtime(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const children = await readdir(entry);
  const times = await Promise.all(children.map((c) => newestMtime(path.join(entry, c))));
  return Math.max(info.mtimeMs, ...times);
}

async function upToDate(): Promise<boolean> {
  if (!existsSync(MAIN_JS)) return false;
  const builtAt = Number(await readFile(STAMP, 'utf8').catch(() => '0'));
  const sources = Math.max(...(await Promise.all(BUILD_INPUTS.map((p) => newestMtime(path.join(ROOT, p))))));
  return builtAt > sources;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed test run is stale after two minutes.
      const held = await stat(LOCK).catch(() => null);
      if (held && Date.now() - held.mtimeMs > 120_000) await rm(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the build lock ${LOCK}`, { cause: error });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

let built: Promise<void> | undefined;

/** Compiles the CLI into dist/ unless it is already newer than its sources (once per test file). */
export function ensureCliBuilt(): Promise<void> {
  built ??= build().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function build(): Promise<void> {
  await withLock(async () => {
    if (await upToDate()) return;
    const started = Date.now();
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    try {
      await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      await writeFile(STAMP, String(started));
    } catch (error) {
      // tsc still emits on type errors; a type error elsewhere in a tree being edited need not stop
      // the CLI from running, so carry on if the entry point was written by this build.
      const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
      const emitted = existsSync(MAIN_JS) && (await stat(MAIN_JS)).mtimeMs >= started - 1000;
      if (!emitted) throw new Error(`npx tsc -p tsconfig.build.json failed:\n${output}`, { cause: error });
      await writeFile(STAMP, String(started));
      process.stderr.write(`warning: tsc -p tsconfig.build.json reported errors (running the emitted CLI anyway):\n${output.slice(0, 2000)}\n`);
    }
  });
}

/** Settings of the test run itself (global-setup.js) that CLI processes keep: a new store unpacked from the template, not initdb. */
const TEST_RUN_SETTINGS = new Set(['MAPPA_EMBEDDED_TEMPLATE']);

/** This process's environment without any store, auth or port settings of the machine. */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(AUTH_|MAPPA_|DATABASE_|EVENT_STORE|DATA_DIR|RATE_LIMIT|PORT$|HOST$)/.test(name) && !TEST_RUN_SETTINGS.has(name)) delete env[name];
  }
  return { ...env, ...extra };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/mappa.js ARGS`; `stdin` (if given) is written to its standard input. */
export function startMappa(args: string[], env: NodeJS.ProcessEnv, stdin?: string): ChildProcess & { output(): { stdout: string; stderr: string }; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (stdin !== undefined) {
    child.stdin!.on('error', () => undefined); // EPIPE if the command exits before reading it all
    child.stdin!.end(stdin);
  }
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { output: () => ({ stdout, stderr }), done });
}

/** Runs `node bin/mappa.js ARGS` to the end. */
export const runMappa = (args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliRun> => startMappa(args, env, stdin).done;
