import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

// One process per embedded store (issue 18, item 1): two PGlite instances on one directory corrupt it silently (docs/decisions.md, "One process per embedded store").

/** Who holds (or held) an embedded store: written once, before the file is visible. */
export interface StoreLockHolder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells the holder from a later process given the same PID. */
  startTime?: string;
  /** /proc/sys/kernel/random/boot_id: after a reboot no earlier process can be running. */
  bootId?: string;
  /** Where the PID means something: a PID is only checkable on the same host and PID namespace. */
  host: string;
  pidNamespace?: string;
  /** What the holder is, for the operator reading the refusal (`mappa serve`). */
  command: string;
  since: string;
  /** Set when the holder closed the store while its process kept running. */
  released?: boolean;
}

/** A second process (or a second open in this one) asked for a store that is held. */
export class EmbeddedStoreInUseError extends Error {
  constructor(
    readonly storeDir: string,
    readonly holder: StoreLockHolder,
    readonly checkable: boolean,
    lockDir: string,
  ) {
    super(inUseMessage(storeDir, holder, checkable, lockDir));
    this.name = 'EmbeddedStoreInUseError';
  }
}

/** An acquired lock; release() when the store is closed. */
export interface EmbeddedStoreLock {
  release(): Promise<void>;
}

/** Stores this process holds, so a second open here is refused like one from elsewhere. */
const heldHere = new Set<string>();

/** The lock folder sits beside the store (PGlite's directory stays its own), under the parent's real path so two spellings share one lock. */
export function lockDirOf(storeDir: string): string {
  const store = path.resolve(storeDir);
  return path.join(realpathSync(path.dirname(store)), `${path.basename(store)}.lock`);
}

/** Takes the lock of the store in `storeDir` or throws EmbeddedStoreInUseError; how exactly one of many starters wins: docs/decisions.md, "Moved from code comments". */
export async function lockEmbeddedStore(storeDir: string): Promise<EmbeddedStoreLock> {
  const lockDir = lockDirOf(storeDir);
  const me = thisProcess();
  // Claimed here before any await, so two opens in this process cannot both pass.
  if (heldHere.has(lockDir)) throw new EmbeddedStoreInUseError(storeDir, me, true, lockDir);
  heldHere.add(lockDir);
  try {
    await mkdir(lockDir, { recursive: true, mode: 0o700 });
    return await takeLock(storeDir, lockDir, me);
  } catch (error) {
    heldHere.delete(lockDir);
    throw error;
  }
}

async function takeLock(storeDir: string, lockDir: string, me: StoreLockHolder): Promise<EmbeddedStoreLock> {
  // Each round ends only because another process changed the folder; a bounded number of them means a storm of starters, which is refused rather than waited out.
  for (let round = 0; round < 50; round++) {
    const newest = await newestGeneration(lockDir);
    if (newest !== undefined) {
      const holder = await readHolder(lockDir, newest);
      if (holder === undefined) continue; // backed off or cleaned up meanwhile: look again
      const state = await holderState(holder, lockDir, newest);
      if (state !== 'gone') throw new EmbeddedStoreInUseError(storeDir, holder, state === 'running', lockDir);
    }
    const mine = (newest ?? -1) + 1;
    if (!(await createGeneration(lockDir, mine, me))) continue;
    const after = await newestGeneration(lockDir);
    if (after !== undefined && after > mine) {
      // Someone judged the same stale holder and went one further: theirs stands, ours goes.
      await unlink(path.join(lockDir, String(mine))).catch(() => undefined);
      continue;
    }
    await removeOlderThan(lockDir, mine);
    const answering = await answerAsHolder(lockDir, mine);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await new Promise<void>((resolve) => (answering ? answering.close(() => resolve()) : resolve()));
        await unlink(socketOf(lockDir, mine)).catch(() => undefined);
        await release(lockDir, mine, me);
      },
    };
  }
  throw new Error(`Could not lock the embedded store in ${storeDir}: other processes kept taking ${lockDir} over. Start one process at a time.`);
}

async function release(lockDir: string, generation: number, me: StoreLockHolder): Promise<void> {
  try {
    // Replaced, not deleted: the newest generation must never disappear (see lockEmbeddedStore).
    const temp = path.join(lockDir, `released-${process.pid}-${randomBytes(6).toString('hex')}`);
    await writeFile(temp, JSON.stringify({ ...me, released: true }), { mode: 0o600 });
    await rename(temp, path.join(lockDir, String(generation)));
  } finally {
    heldHere.delete(lockDir);
  }
}

/** 'running', 'unknown' (cannot be checked from here: treated as running), or 'gone'. */
async function holderState(holder: StoreLockHolder, lockDir: string, generation: number): Promise<'running' | 'unknown' | 'gone'> {
  if (holder.released) return 'gone';
  const me = thisProcess();
  if (holder.bootId && holder.bootId === me.bootId) {
    // The same kernel: it knows whether anyone listens on the holder's socket, whatever the PID.
    const socket = await knock(socketOf(lockDir, generation));
    if (socket !== 'absent') return socket === 'answered' ? 'running' : 'gone';
  }
  if (holder.host !== me.host || holder.pidNamespace !== me.pidNamespace) {
    // A process on another machine or in another container: its PID means nothing here.
    return 'unknown';
  }
  if (holder.bootId && me.bootId && holder.bootId !== me.bootId) return 'gone';
  // This process holding it now was refused on entry; this is an open it did not close cleanly.
  if (holder.pid === process.pid && holder.startTime === me.startTime) return 'gone';
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user, so it is running.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
  }
  const startTime = processStartTime(holder.pid);
  // The PID was given to another process after the holder died.
  if (holder.startTime && startTime && startTime !== holder.startTime) return 'gone';
  return 'running';
}

/** The socket the holder of `generation` listens on while it holds the store. */
const socketOf = (lockDir: string, generation: number): string => path.join(lockDir, `${generation}.sock`);

/** Longest socket path Linux accepts (sun_path is 108 bytes with its terminating zero). */
const MAX_SOCKET_PATH = 107;

/** Listens on the generation's socket until release, bound privately and renamed once listening; where no socket can be made the PID alone judges. */
async function answerAsHolder(lockDir: string, generation: number): Promise<net.Server | undefined> {
  const temp = path.join(lockDir, `sock-${process.pid}-${randomBytes(6).toString('hex')}`);
  if (Buffer.byteLength(socketOf(lockDir, generation)) > MAX_SOCKET_PATH || Buffer.byteLength(temp) > MAX_SOCKET_PATH) return undefined;
  const server = net.createServer((connection) => connection.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(temp, () => resolve());
    });
    server.unref(); // the lock never keeps a finished command alive
    await rename(temp, socketOf(lockDir, generation));
    return server;
  } catch {
    server.close();
    await unlink(temp).catch(() => undefined);
    return undefined;
  }
}

/** 'answered': someone listens; 'refused': the socket is there and nobody listens; 'absent'. */
function knock(socketPath: string): Promise<'answered' | 'refused' | 'absent'> {
  return new Promise((resolve) => {
    const connection = net.connect(socketPath);
    connection.once('connect', () => {
      connection.destroy();
      resolve('answered');
    });
    connection.once('error', (error: NodeJS.ErrnoException) => {
      // Anything but these two (a full backlog of a stopped holder: EAGAIN) counts as alive.
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ENOENT' ? 'absent' : 'answered');
    });
  });
}

/** Writes the whole record under a private name first, so a reader never sees half of it. */
async function createGeneration(lockDir: string, generation: number, me: StoreLockHolder): Promise<boolean> {
  const temp = path.join(lockDir, `new-${process.pid}-${randomBytes(6).toString('hex')}`);
  await writeFile(temp, JSON.stringify(me), { mode: 0o600 });
  try {
    await link(temp, path.join(lockDir, String(generation)));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function newestGeneration(lockDir: string): Promise<number | undefined> {
  const generations = (await readdir(lockDir)).filter((name) => /^\d{1,15}$/.test(name)).map(Number);
  return generations.length > 0 ? Math.max(...generations) : undefined;
}

async function readHolder(lockDir: string, generation: number): Promise<StoreLockHolder | undefined> {
  const file = path.join(lockDir, String(generation));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const holder = JSON.parse(text) as StoreLockHolder;
    if (Number.isInteger(holder.pid) && typeof holder.host === 'string') return holder;
  } catch {
    // fall through: the file was not written by this code
  }
  throw new Error(`The embedded store's lock ${file} is not one this service wrote. If no other process is using the store, delete ${lockDir} and start again.`);
}

/** Older generations are history; a starter still judging one of them looks again and finds ours. */
async function removeOlderThan(lockDir: string, generation: number): Promise<void> {
  for (const name of await readdir(lockDir)) {
    // Temporary files whose writer was killed between writing and linking them.
    const writer = /^(?:new|released|sock)-(\d+)-/.exec(name)?.[1];
    const older = /^(\d{1,15})(?:\.sock)?$/.exec(name)?.[1];
    const stray = older !== undefined ? Number(older) < generation : writer !== undefined && !isRunning(Number(writer));
    if (stray) await unlink(path.join(lockDir, name)).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let self: StoreLockHolder | undefined;

function thisProcess(): StoreLockHolder {
  self ??= {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    bootId: readOptional('/proc/sys/kernel/random/boot_id'),
    host: os.hostname(),
    pidNamespace: linkOptional('/proc/self/ns/pid'),
    command: commandLine(),
    since: new Date().toISOString(),
  };
  return self;
}

/** `mappa serve`, `mappa import -`: what an operator recognises in `ps`. */
function commandLine(): string {
  const [, script, ...args] = process.argv;
  const name = script && /mappa(\.js)?$/.test(script) ? 'mappa' : path.basename(script ?? 'node');
  return [name, ...args].join(' ').slice(0, 200);
}

/** Clock ticks since boot at which `pid` started (Linux); undefined where /proc is absent. */
function processStartTime(pid: number): string | undefined {
  const stat = readOptional(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function linkOptional(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

function inUseMessage(storeDir: string, holder: StoreLockHolder, checkable: boolean, lockDir: string): string {
  const who = `process ${holder.pid} (${holder.command}, since ${holder.since}${checkable ? '' : `, on ${holder.host}`})`;
  const unsure = checkable
    ? ''
    : ` This process cannot see whether it is still running (another machine or container); if it is certainly stopped, delete ${lockDir} and start again.`;
  return (
    `The embedded store in ${storeDir} is in use by ${who}.${unsure} ` +
    'Only one process may open an embedded store at a time: stop that process first; ' +
    'or, if it is the running service (mappa serve), send events and read reports through its HTTP API; ' +
    'or, for several processes at once, keep the store in PostgreSQL (EVENT_STORE=postgres with DATABASE_URL).'
  );
}
