import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { embeddedDataDir } from '../../src/event-store/open-event-store';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import { cliEnv } from '../support/built-cli';

// Issue 10, item 10 and DPA 2018 s.62: `mappa trace` names offenders, so it is recorded in the
// access audit with its reason, and the actor is the operating-system user, not whatever $USER says.

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/support/swc-register.js');

function mappa(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', REGISTER, path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const registered = (offenderId: string) =>
  JSON.stringify({
    type: 'OffenderRegistered',
    offenderId,
    occurredOn: '2014-05-01',
    data: { area: 'kent', category: 2, level: 2, inCustody: false, underSupervision: true, onLicence: false },
  });

describe('mappa trace', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const trace = ['trace', '--area', 'kent', '--year', '2014-15', '--cell', 'offendersOnSnapshot.total.total'];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-trace-audit-'));
    // $USER claims someone else: the audit must not believe it.
    env = cliEnv({ DATA_DIR: dataDir, USER: 'someone-else', LOGNAME: 'someone-else' });
    const imported = await mappa(['import', '-'], env, `${registered('TR-1')}\n${registered('TR-2')}\n`);
    expect(imported.code).toBe(0);
  }, 120_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('needs a --reason that shows what it says, and reads nothing without one', async () => {
    const missing = await mappa(trace, env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--reason/);
    expect(missing.stdout).not.toMatch(/TR-1/);
    const blank = await mappa([...trace, '--reason', '  \u202e '], env);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/reason must be printable text/);
    expect(blank.stdout).not.toMatch(/TR-1/);
  }, 120_000);

  it('is recorded in the access audit with the reason, the knowledge moment, and the operating-system user as actor', async () => {
    const run = await mappa([...trace, '--reason', 'SCR 2015-07', '--as-known-at', '2030-01-01T00:00:00Z'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).items.map((i: { offenderId: string }) => i.offenderId)).toEqual(['TR-1', 'TR-2']);

    const db = await PgliteSqlClient.open(embeddedDataDir(dataDir));
    try {
      const { rows } = await db.query<Record<string, unknown>>('SELECT actor, agency, action, target, areas, reason, outcome FROM access_audit ORDER BY id');
      expect(rows).toEqual([
        {
          actor: `local-operator:${os.userInfo().username}`,
          agency: 'moj',
          action: 'trace',
          target: 'kent 2014-15 offendersOnSnapshot.total.total asKnownAt=2030-01-01T00:00:00.000Z (command line)',
          areas: ['kent'],
          reason: 'SCR 2015-07',
          outcome: 'allowed',
        },
      ]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
