import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

// A PostgreSQL 15 cluster of a test's own, for faults the shared server must never see: kill -9,
// SIGSTOP, a restart. initdb into a temp folder, as user `postgres` when this process is root
// (PostgreSQL refuses to run as root), on a free port of 55410-55419, trust authentication on
// 127.0.0.1 only. Every signal goes to the postmaster and each of its children (backends,
// checkpointer...; each sits in a session of its own), as a crash or a frozen host would.
//
//   const pg = await startOwnPostgres();      // or describeWithOwnPostgres(name, (pg) => ...)
//   pg.url                                    // postgres://postgres@127.0.0.1:5541x/postgres
//   await pg.kill(); await pg.restart();      // crash, then start again on the same data
//   pg.freeze(); pg.thaw();                   // SIGSTOP / SIGCONT
//   await pg.cleanup();                       // stop and delete the folder

export const POSTGRES_BIN = process.env.OWN_POSTGRES_BIN || '/usr/lib/postgresql/15/bin';
/** Ports this helper may use (the db-faults range of the shared machine). */
export const OWN_POSTGRES_PORTS = { first: 55410, last: 55419 } as const;
export const SKIPPED_NO_OWN_POSTGRES = 'SKIPPED: cannot start a PostgreSQL of its own';

export interface OwnPostgres {
  /** Connection string for the superuser `postgres`, database `postgres`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** kill -9 of the postmaster and every backend; resolves when they are gone. */
  kill(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Starts the server again on the same data directory and port (after kill()); resolves when it accepts connections. */
  restart(): Promise<void>;
  /** Stops the server (if running) and deletes its folder. */
  cleanup(): Promise<void>;
}

/** Why this machine cannot run an own cluster, or null when it can. */
export function ownPostgresUnavailable(): string | null {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  for (const program of ['initdb', 'postgres']) {
    if (!existsSync(path.join(POSTGRES_BIN, program))) return `no ${path.join(POSTGRES_BIN, program)} (install postgresql-15 or set OWN_POSTGRES_BIN)`;
  }
  if (isRoot()) {
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser') && !existsSync('/usr/bin/runuser'))
      return 'running as root and no runuser to start PostgreSQL as user postgres';
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no user postgres to run PostgreSQL as';
    }
  }
  return null;
}

/**
 * `describe` with a cluster started before the suite and cleaned up after it, or `describe.skip`
 * saying plainly what was skipped and why (written past Jest's console capture).
 */
export function describeWithOwnPostgres(name: string, body: (pg: () => OwnPostgres) => void): void {
  const reason = ownPostgresUnavailable();
  if (reason) {
    process.stdout.write(`${SKIPPED_NO_OWN_POSTGRES} (${reason}): ${name}\n`);
    describe.skip(name, () => it('needs a PostgreSQL of its own', () => undefined));
    return;
  }
  describe(name, () => {
    let pg: OwnPostgres | undefined;
    beforeAll(async () => {
      pg = await startOwnPostgres();
    }, 120_000);
    afterAll(async () => {
      await pg?.cleanup();
    }, 60_000);
    body(() => {
      if (!pg) throw new Error('The own PostgreSQL did not start (see beforeAll).');
      return pg;
    });
  });
}

/** initdb into a new temp folder and start the server on a free port of OWN_POSTGRES_PORTS. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const reason = ownPostgresUnavailable();
  if (reason) throw new Error(`${SKIPPED_NO_OWN_POSTGRES}: ${reason}`);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mappa-own-pg-'));
  const dataDir = path.join(folder, 'data');
  try {
    if (isRoot()) {
      // The postgres user must reach the data directory through the temp folder.
      chmodSync(folder, 0o755);
      const { uid, gid } = postgresUser();
      chownSync(folder, uid, gid);
    }
    runAsPostgres(path.join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((error as { stderr?: unknown }).stderr ?? error)}`, { cause: error });
  }
  // Another test file may take the port between the probe and the bind: then the next one.
  for (let from: number = OWN_POSTGRES_PORTS.first; ;) {
    const port = await freePort(from);
    const server = new OwnPostgresServer(folder, dataDir, port);
    try {
      await server.restart();
      return server;
    } catch (error) {
      if (/could not bind|address already in use/i.test(String(error)) && port < OWN_POSTGRES_PORTS.last) {
        from = port + 1;
        continue;
      }
      await server.cleanup();
      throw error;
    }
  }
}

class OwnPostgresServer implements OwnPostgres {
  readonly url: string;
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    private readonly folder: string,
    readonly dataDir: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  async restart(): Promise<void> {
    if (this.child) throw new Error('The own PostgreSQL is already running.');
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-k',
      '',
      '-c',
      'listen_addresses=127.0.0.1',
      // A test cluster: a kill -9 of the server keeps what the OS has (fsync guards against a
      // machine crash, which no test here makes).
      '-c',
      'fsync=off',
      '-c',
      'max_connections=60',
      '-c',
      'shared_buffers=32MB',
    ];
    const [command, commandArgs] = asPostgres(path.join(POSTGRES_BIN, 'postgres'), args);
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.output = '';
    child.stdout?.on('data', (chunk: Buffer) => void (this.output = (this.output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => void (this.output = (this.output + chunk.toString()).slice(-4000)));
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    this.child = child;
    await this.waitUntilAccepting(60_000);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pids = this.serverPids();
    this.signal('SIGKILL');
    await exited;
    // Restart needs every backend gone (they hold the shared memory).
    await this.waitUntil(() => pids.every((pid) => !alive(pid)), 10_000);
    this.child = null;
  }

  freeze(): void {
    this.signal('SIGSTOP');
  }

  thaw(): void {
    this.signal('SIGCONT');
    // runuser stops itself when its child stops (util-linux su-common) and waits for a SIGCONT of its own.
    if (this.child?.pid && this.child.pid !== this.serverPids()[0]) process.kill(this.child.pid, 'SIGCONT');
  }

  async cleanup(): Promise<void> {
    if (this.child) {
      this.thaw();
      await this.kill();
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** The postmaster first (so it starts nothing new meanwhile), then its children; SIGCONT the other way round. */
  private signal(signal: NodeJS.Signals): void {
    const pids = this.serverPids();
    if (pids.length === 0) throw new Error('The own PostgreSQL is not running.');
    for (const pid of signal === 'SIGCONT' ? pids.reverse() : pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Gone meanwhile (a backend whose client disconnected).
      }
    }
  }

  /** The postmaster (from postmaster.pid, not runuser's pid) and its children, read from /proc. */
  private serverPids(): number[] {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!alive(postmaster)) return [];
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          // Field 4 of /proc/<pid>/stat is the parent; the name in field 2 may hold spaces: read after its ')'.
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  private async waitUntilAccepting(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
      }
      if (!this.child || Date.now() > deadline) {
        throw new Error(`The own PostgreSQL on port ${this.port} did not start: ${this.output.trim() || 'no output'}`);
      }
      await sleep(100);
    }
  }

  private async waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('The own PostgreSQL did not stop.');
      await sleep(50);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** The command line that runs `program` as user postgres when root, as this user otherwise. */
function asPostgres(program: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
}

function runAsPostgres(program: string, args: string[]): void {
  const [command, commandArgs] = asPostgres(program, args);
  execFileSync(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The first port of OWN_POSTGRES_PORTS nothing listens on (two test files may run at once). */
async function freePort(from: number): Promise<number> {
  for (let port = from; port <= OWN_POSTGRES_PORTS.last; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`No free port in ${OWN_POSTGRES_PORTS.first}-${OWN_POSTGRES_PORTS.last} for an own PostgreSQL.`);
}
