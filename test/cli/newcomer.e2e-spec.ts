import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BIN, cliEnv, ensureCliBuilt, ROOT, type CliRun } from '../support/built-cli';

// The first hour of a new user (issue 16), run as they would type it in a folder where mappa is
// installed: `npx mappa` alone, a report before any store exists, `npx mappa demo`, then every
// command the demo suggests, copied verbatim from its output, then a report with a typo. The
// README's opening section must be these same commands.

/** Runs one command line in `folder` through the shell, exactly as pasted into a terminal. */
function shell(line: string, folder: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = cliEnv({ npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false' });
    execFile('/bin/sh', ['-c', line], { cwd: folder, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, signal: null, stdout, stderr });
    });
  });
}

/** A folder where `npx mappa` runs this checkout's compiled CLI, as after installing it. */
async function folderWithMappa(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'mappa-newcomer-'));
  await mkdir(path.join(folder, 'node_modules/.bin'), { recursive: true });
  await symlink(BIN, path.join(folder, 'node_modules/.bin/mappa'));
  return folder;
}

/** The lines a command's output offers to copy: the indented block right after `heading` (what follows it, such as `mappa serve`, is another matter). */
function suggestedCommands(output: string, heading: string): string[] {
  const after = output.slice(output.indexOf(heading) + heading.length).split('\n');
  const block: string[] = [];
  for (const line of after) {
    if (/^ {2}\S/.test(line)) block.push(line.trim());
    else if (block.length > 0) break;
  }
  return block;
}

describe('the first hour of a new user', () => {
  let folder: string;
  let tour: CliRun;
  let beforeAnyStore: CliRun;
  let demo: CliRun;
  let next: string[];
  const ran = new Map<string, CliRun>();

  beforeAll(async () => {
    await ensureCliBuilt();
    folder = await folderWithMappa();
    tour = await shell('npx mappa', folder);
    beforeAnyStore = await shell('npx mappa report --area greater-manchester --year 2014-15', folder);
    demo = await shell('npx mappa demo', folder);
    next = suggestedCommands(demo.stdout, 'Next, in this folder, copy and paste:');
    for (const line of next) ran.set(line, await shell(line, folder));
  }, 480_000);
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('`npx mappa` alone prints a short tour: what the service is and the commands to try in order', () => {
    expect(tour.code).toBe(0);
    expect(tour.stdout).toContain('MAPPA annual report');
    const steps = suggestedCommands(tour.stdout, 'Try, in order').map((line) => line.replace(/^\d\. /, '').split(/ {2,}/)[0]);
    expect(steps).toEqual([
      'npx mappa demo',
      'npx mappa report --area greater-manchester --year 2014-15 --format text',
      'npx mappa snapshot --area greater-manchester --date 2015-03-31',
      expect.stringMatching(/^npx mappa trace --area greater-manchester --year 2014-15 --cell \S+ --reason "/),
      'npx mappa serve --dev-auth',
    ]);
  });

  it('a report before any store exists says where it looked and how to make one, exits non-zero, and creates nothing', () => {
    expect(beforeAnyStore.code).not.toBe(0);
    expect(beforeAnyStore.stdout).toBe('');
    expect(beforeAnyStore.stderr).toContain(`No event store found: looked for the embedded store in ${path.join(folder, 'data', 'pglite')}`);
    expect(beforeAnyStore.stderr).toContain('npx mappa demo');
    expect(beforeAnyStore.stderr).toContain('npx mappa import FILE.ndjson');
    // The demo ran after it: had the report made a store in ./data, reads would no longer find the demo's.
    expect(existsSync(path.join(folder, 'data', 'pglite'))).toBe(false);
  });

  it('`npx mappa demo` reproduces the publication, exits 0 and suggests what to run next', () => {
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/Every one of the \d+ published cells is reproduced/);
    expect(demo.stdout).toMatch(/(\d+) of \1 reconciliation checks pass\./);
    expect(existsSync(path.join(folder, 'mappa-demo-greater-manchester-2014-15.html'))).toBe(true);
    expect(next.map((line) => line.split(' --')[0])).toEqual(['npx mappa report', 'npx mappa snapshot', 'npx mappa trace']);
  });

  it('every command the demo suggests works as printed, in the same folder, on the demo store', () => {
    for (const [line, run] of ran) {
      expect({ line, code: run.code, stderr: run.stderr }).toEqual({ line, code: 0, stderr: expect.stringContaining('Reading the demonstration store in ./data/demo') });
      expect({ line, warning: run.stdout.includes('WARNING') || run.stderr.includes('WARNING') }).toEqual({ line, warning: false });
    }
    const [report, snapshot, trace] = next.map((line) => ran.get(line)!.stdout);
    expect(report).toContain('6.1 MAPPA-eligible offenders in the community on 31 March (a snapshot)');
    expect(report).toMatch(/position [1-9]\d*/);
    expect(snapshot).toContain('Level 3');
    const traced = JSON.parse(trace) as { value: number; items: unknown[] };
    expect(traced.value).toBeGreaterThan(0);
    expect(traced.items).toHaveLength(traced.value);
  });

  it('mistakes are answered with the nearest valid value', async () => {
    const area = await shell('npx mappa report --area greater-manchster --year 2014-15', folder);
    expect(area.code).not.toBe(0);
    expect(area.stderr).toContain('greater-manchster is not one of the 42 MAPPA areas or england-and-wales. Did you mean greater-manchester?');
    const year = await shell('npx mappa report --area greater-manchester --year 2014', folder);
    expect(year.code).not.toBe(0);
    expect(year.stderr).toContain('Did you mean 2014-15?');
    const cell = await shell('npx mappa trace --area greater-manchester --year 2014-15 --cell offendersOnSnapshot.level2.categry1 --reason "a typo"', folder);
    expect(cell.code).not.toBe(0);
    expect(cell.stderr).toContain('Did you mean offendersOnSnapshot.level2.category1?');
  });

  it("the README's opening section is this path: the demo, then the commands it suggests", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    // The first two shell blocks: `npm ci && npx mappa demo` with `npm test`, then what the demo suggests.
    const opening = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
      .slice(0, 2)
      .map((block) => block[1])
      .join('');
    const mappaLines = opening
      .split('\n')
      .map((line) =>
        line
          .replace(/\s+#.*$/, '')
          .trim()
          .replace(/^npm ci && /, ''),
      )
      .filter((line) => line.startsWith('npx mappa'));
    expect(mappaLines).toEqual(['npx mappa demo', ...next]);
  });
});

describe('a store with no events', () => {
  let folder: string;
  let migrate: CliRun;
  let text: CliRun;
  let json: CliRun;

  beforeAll(async () => {
    await ensureCliBuilt();
    folder = await folderWithMappa();
    migrate = await shell('npx mappa migrate', folder);
    text = await shell('npx mappa report --area greater-manchester --year 2014-15 --format text', folder);
    json = await shell('npx mappa snapshot --area greater-manchester --date 2015-03-31 --format json', folder);
  }, 240_000);
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('says so plainly above the figures, and in a field a script can test', () => {
    expect(migrate.code).toBe(0);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe('WARNING: The event store holds no events: every figure is zero because nothing has been recorded, not because nothing happened.');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ position: '0', empty: true, warnings: [expect.stringContaining('holds no events')] });
    expect(json.stderr).toContain('WARNING: The event store holds no events');
  });
});
