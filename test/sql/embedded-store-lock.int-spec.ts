import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedStoreInUseError, lockDirOf, lockEmbeddedStore, type StoreLockHolder } from '../../src/sql/embedded-store-lock';

// Issue 18, item 1: one process per embedded store. Real processes hold and race for the lock
// (the lock module run by SWC in a child `node`); this process is the second one.

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/support/swc-register.js');
const LOCK_MODULE = path.join(ROOT, 'src/sql/embedded-store-lock.ts');

/**
 * A child that waits for a line on its standard input, then tries the lock and prints `locked` or
 * `refused <message>`; it keeps the lock until its standard input ends. Given 'slow', each look at
 * the lock folder (listing it, reading a holder) returns 200 ms late, so racers started together
 * all judge the same state before any of them acts on it: the race the lock must survive.
 */
const CONTENDER = `
if (process.argv[2] === 'slow') {
  const fsp = require('node:fs/promises');
  for (const name of ['readdir', 'readFile']) {
    const original = fsp[name];
    fsp[name] = (...args) => original(...args).then((r) => new Promise((resolve) => setTimeout(() => resolve(r), 200)));
  }
}
const { lockEmbeddedStore } = require(${JSON.stringify(LOCK_MODULE)});
const dir = process.argv[1];
process.stdin.setEncoding('utf8');
let started = false;
process.stdin.on('data', () => {
  if (started) return;
  started = true;
  lockEmbeddedStore(dir).then(() => console.log('locked'), (e) => { console.log('refused ' + e.message); process.exit(3); });
});
process.stdin.on('end', () => process.exit(0));
console.log('ready');
`;

interface Contender {
  child: ChildProcess;
  /** Resolves with `locked` or `refused …` once the child has tried. */
  outcome: Promise<string>;
  ready: Promise<void>;
}

function contender(storeDir: string, pace: 'slow' | 'normal' = 'normal'): Contender {
  const child = spawn(process.execPath, ['-r', REGISTER, '-e', CONTENDER, storeDir, pace], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.on('error', () => undefined); // EPIPE once a refused contender has exited
  let out = '';
  child.stdout!.setEncoding('utf8');
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('close', (code) => reject(new Error(`contender exited ${code} before it was ready: ${out}`)));
  });
  const outcome = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const line = out.split('\n')[1];
      if (out.split('\n').length > 2) resolve(line);
    });
    child.on('close', (code) => reject(new Error(`contender exited ${code} without an outcome: ${out}`)));
  });
  outcome.catch(() => undefined);
  ready.catch(() => undefined);
  return { child, ready, outcome };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('close', () => resolve())));

async function stop(children: ChildProcess[]): Promise<void> {
  for (const child of children) child.stdin?.end();
  await Promise.all(children.map(exited));
}

/** A PID that was just used and is no longer running. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await exited(child);
  return child.pid!;
}

async function holderFiles(storeDir: string): Promise<StoreLockHolder[]> {
  const lockDir = lockDirOf(storeDir);
  const generations = (await readdir(lockDir)).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
  return Promise.all(generations.map(async (g) => JSON.parse(await readFile(path.join(lockDir, g), 'utf8')) as StoreLockHolder));
}

/** Leaves a lock as a holder described by `holder` would have left it. */
async function leaveLock(storeDir: string, holder: Partial<StoreLockHolder>): Promise<void> {
  const [me] = await (async () => {
    const probe = `${storeDir}-probe`;
    const lock = await lockEmbeddedStore(probe);
    const files = await holderFiles(probe);
    await lock.release();
    return files;
  })();
  await mkdir(lockDirOf(storeDir), { recursive: true });
  await writeFile(path.join(lockDirOf(storeDir), '4'), JSON.stringify({ ...me, released: undefined, ...holder }));
}

describe('the embedded store lock', () => {
  let dir: string;
  let store: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mappa-lock-'));
    store = path.join(dir, 'pglite');
  });
  afterEach(async () => {
    await stop(children.splice(0));
    await rm(dir, { recursive: true, force: true });
  });

  async function holdInAnotherProcess(): Promise<ChildProcess> {
    const holder = contender(store);
    children.push(holder.child);
    await holder.ready;
    holder.child.stdin!.write('go\n');
    expect(await holder.outcome).toBe('locked');
    return holder.child;
  }

  it('refuses a second process at once, naming the holder and what to do instead', async () => {
    const holder = await holdInAnotherProcess();
    const refusal = await lockEmbeddedStore(store).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(EmbeddedStoreInUseError);
    const message = (refusal as Error).message;
    expect(message).toContain(`in use by process ${holder.pid} (`);
    expect(message).toMatch(/stop that process/);
    expect(message).toMatch(/HTTP API/);
    expect(message).toMatch(/PostgreSQL \(EVENT_STORE=postgres/);
  });

  it('takes over the lock of a holder that was killed (SIGKILL: no chance to let go)', async () => {
    const holder = await holdInAnotherProcess();
    holder.kill('SIGKILL');
    await exited(holder);

    const lock = await lockEmbeddedStore(store);
    expect((await holderFiles(store)).map((h) => h.pid)).toEqual([process.pid]);
    await lock.release();
  });

  it('lets the next process in once the holder has closed the store, even while the holder runs on', async () => {
    const first = await lockEmbeddedStore(store);
    await first.release();
    const again = contender(store);
    children.push(again.child);
    await again.ready;
    again.child.stdin!.write('go\n');
    expect(await again.outcome).toBe('locked');
  });

  it('refuses a second open in this same process, and allows it after release', async () => {
    const lock = await lockEmbeddedStore(store);
    await expect(lockEmbeddedStore(path.join(dir, '.', 'pglite'))).rejects.toThrow(`in use by process ${process.pid} (`);
    await lock.release();
    const reopened = await lockEmbeddedStore(store);
    await reopened.release();
  });

  it('takes over a lock whose PID is no longer running', async () => {
    await leaveLock(store, { pid: await deadPid() });
    const lock = await lockEmbeddedStore(store);
    expect((await holderFiles(store)).map((h) => h.pid)).toEqual([process.pid]);
    await lock.release();
  });

  it('takes over a lock whose PID now belongs to another process (a recycled PID: another start time)', async () => {
    const unrelated = await holdInAnotherProcess(); // any running process will do; it locks another store
    await leaveLock(path.join(dir, 'recycled'), { pid: unrelated.pid, startTime: '1' });
    const lock = await lockEmbeddedStore(path.join(dir, 'recycled'));
    expect((await holderFiles(path.join(dir, 'recycled'))).map((h) => h.pid)).toEqual([process.pid]);
    await lock.release();
  });

  it('takes over a lock written before the machine last started (another boot id)', async () => {
    await leaveLock(store, { pid: process.ppid, startTime: undefined, bootId: 'a-boot-before-this-one' });
    const lock = await lockEmbeddedStore(store);
    await lock.release();
  });

  it('does not take over a lock from another host or container, whose PID means nothing here', async () => {
    await leaveLock(store, { pid: await deadPid(), host: 'another-container' });
    await expect(lockEmbeddedStore(store)).rejects.toThrow(/cannot see whether it is still running.*delete .*pglite\.lock/s);
  });

  describe('a holder in another container on this machine (same kernel, its PID not checkable here)', () => {
    const elsewhere = async () => ({ pid: await deadPid(), host: 'another-container', pidNamespace: 'pid:[1]' });

    it('is running while the kernel finds a listener on its socket', async () => {
      await leaveLock(store, await elsewhere());
      const listener = net.createServer((c) => c.destroy());
      await new Promise<void>((resolve) => listener.listen(path.join(lockDirOf(store), '4.sock'), resolve));
      try {
        await expect(lockEmbeddedStore(store)).rejects.toBeInstanceOf(EmbeddedStoreInUseError);
      } finally {
        await new Promise((resolve) => listener.close(resolve));
      }
    });

    it('is gone once nobody listens on its socket (a container restarted after a crash), and is taken over', async () => {
      await leaveLock(store, await elsewhere());
      const socket = path.join(lockDirOf(store), '4.sock');
      const killed = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => console.log('listening'))`]);
      await new Promise((resolve) => killed.stdout.once('data', resolve));
      killed.kill('SIGKILL');
      await exited(killed);
      expect((await readdir(lockDirOf(store))).sort()).toEqual(['4', '4.sock']); // left behind, as by a crash

      const lock = await lockEmbeddedStore(store);
      expect((await holderFiles(store)).map((h) => h.pid)).toEqual([process.pid]);
      await lock.release();
    });
  });

  it.each([
    ['a new store', async () => undefined],
    ['a store whose holder died', async (storeDir: string) => leaveLock(storeDir, { pid: 999_999_999 })],
  ])('lets exactly one of several processes racing for %s hold it', async (_name, prepare) => {
    await prepare(store);
    const racers = Array.from({ length: 6 }, () => contender(store, 'slow'));
    children.push(...racers.map((r) => r.child));
    await Promise.all(racers.map((r) => r.ready));
    for (const racer of racers) racer.child.stdin!.write('go\n');
    const outcomes = await Promise.all(racers.map((r) => r.outcome));

    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(1);
    const winner = racers[outcomes.indexOf('locked')].child.pid;
    for (const refused of outcomes.filter((o) => o !== 'locked')) expect(refused).toContain(`in use by process ${winner} (`);
    expect((await holderFiles(store)).map((h) => h.pid)).toEqual([winner]);
  });
});
