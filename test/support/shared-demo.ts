import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { runDemo, type DemoResult } from '../../src/cli/demo.command';

// The demo store (`mappa demo`: the Greater Manchester history through the command path) is built
// once per test run, not once per file that reads it: the first file to ask builds it in the run's
// fixture folder (MAPPA_TEST_FIXTURES, global-setup.js) under a lock; every file then gets a copy
// of its own, since an embedded store is open in one process at a time and a file may write to it.

export interface SharedDemo {
  /** What runDemo returned, and the lines it logged, when the shared store was built (JSON: any bigint is its decimal string). */
  result: DemoResult;
  lines: string[];
  /** The caller's own copy of the demo store. */
  dataDir: string;
}

interface Built {
  result: DemoResult;
  lines: string[];
  seconds: number;
}

const BUILD_DEADLINE_MS = 30 * 60_000;

/** A copy of the run's demo store at `dataDir` (which must not exist yet), building the store first if no file has. */
export async function sharedDemo(dataDir: string): Promise<SharedDemo> {
  const fixtures = process.env.MAPPA_TEST_FIXTURES;
  // Run without the suite's globalSetup (another config): a demo of this file's own, beside the copy.
  const folder = fixtures ? path.join(fixtures, 'demo') : await mkdtemp(path.join(path.dirname(dataDir), 'demo-'));
  const built = await buildOnce(folder);
  await cp(path.join(folder, 'store'), dataDir, { recursive: true });
  return { result: built.result, lines: built.lines, dataDir };
}

async function buildOnce(folder: string): Promise<Built> {
  const done = path.join(folder, 'built.json');
  const lock = `${folder}.lock`;
  const deadline = Date.now() + BUILD_DEADLINE_MS;
  for (;;) {
    if (existsSync(done)) return JSON.parse(await readFile(done, 'utf8')) as Built;
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another test worker is building it.
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the shared demo store (${lock})`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (existsSync(done)) return JSON.parse(await readFile(done, 'utf8')) as Built;
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    const lines: string[] = [];
    const started = Date.now();
    const result = await runDemo({ dataDir: path.join(folder, 'store'), out: path.join(folder, 'report.html'), log: (line) => lines.push(line) });
    const built: Built = { result, lines, seconds: (Date.now() - started) / 1000 };
    // Written aside and renamed: a file waiting on the lock reads all of it or nothing.
    await writeFile(
      `${done}.partial`,
      JSON.stringify(built, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
    );
    await rename(`${done}.partial`, done);
    const size = await folderBytes(path.join(folder, 'store'));
    // Past Jest's console capture: the reporter's list charges these seconds to the file that asked first.
    process.stdout.write(`\nshared demo store built in ${built.seconds.toFixed(0)} s (${(size / 1e6).toFixed(0)} MB), once for this run: ${folder}\n`);
    return JSON.parse(await readFile(done, 'utf8')) as Built;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
