import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { StorageFaultError, type StorageFaultKind } from '../errors';

// A full or read-only disk under the store (issue 18, item 5), told apart from a broken statement, named with its path, remembered for /health.

/** PGlite's file system errors carry Emscripten's errno numbers, not Node's codes. */
const EMSCRIPTEN_ERRNO: Record<number, StorageFaultKind> = { 51: 'disk-full', 19: 'disk-full', 69: 'read-only', 2: 'not-writable', 63: 'not-writable', 29: 'io-error' };
const NODE_CODE: Record<string, StorageFaultKind> = {
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EROFS: 'read-only',
  EACCES: 'not-writable',
  EPERM: 'not-writable',
  EIO: 'io-error',
};
/** SQLSTATE 53100 disk_full (a server, or PGlite's PostgreSQL, failing to extend a file). */
const SQLSTATE: Record<string, StorageFaultKind> = { '53100': 'disk-full' };
const MESSAGES: Array<[RegExp, StorageFaultKind]> = [
  [/no space left on device|disk quota exceeded/i, 'disk-full'],
  [/read-only file system/i, 'read-only'],
  // Only a file operation's (PostgreSQL: 'could not open file "…": Permission denied'), not a table grant's.
  [/could not [^:]+: permission denied/i, 'not-writable'],
];

/** The storage fault `error` is, if it is one (duck-typed: PGlite's errors are rebuilt from their fields after crossing from its thread). */
export function storageFaultKind(error: unknown): StorageFaultKind | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, errno, name, message } = error as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && (NODE_CODE[code] ?? SQLSTATE[code])) return NODE_CODE[code] ?? SQLSTATE[code];
  if (name === 'ErrnoError' && typeof errno === 'number' && EMSCRIPTEN_ERRNO[errno]) return EMSCRIPTEN_ERRNO[errno];
  if (typeof message === 'string') for (const [pattern, kind] of MESSAGES) if (pattern.test(message)) return kind;
  return null;
}

const CAUSES: Record<StorageFaultKind, string> = {
  'disk-full': 'the disk is full (no space left on device)',
  'read-only': 'the file system is read-only',
  'not-writable': 'this process may not write there (permission denied)',
  'io-error': 'the disk reported an input/output error',
};

const REMEDIES: Record<StorageFaultKind, string> = {
  'disk-full': 'free space there (or move DATA_DIR to a larger disk)',
  'read-only': 'remount it read-write (or point DATA_DIR at a writable folder)',
  'not-writable': "give the service's user write access to it",
  'io-error': 'check the disk',
};

/** Seconds a client waits before trying a write again: an operator has to act first. */
export const STORAGE_FAULT_RETRY_AFTER_SECONDS = 60;

export function storageFault(kind: StorageFaultKind, where: string, cause?: unknown): StorageFaultError {
  const error = new StorageFaultError(
    `The store in ${where} cannot be written: ${CAUSES[kind]}. Nothing was half-written; what was acknowledged is kept. To go on, ${REMEDIES[kind]}, then try again.`,
    kind,
    where,
    STORAGE_FAULT_RETRY_AFTER_SECONDS,
  );
  error.cause = cause;
  return error;
}

export interface StorageCondition {
  kind: StorageFaultKind;
  path: string;
  since: string;
  message: string;
}

/** The latest storage fault of each store path in this process, until a write there succeeds again. */
const faults = new Map<string, StorageCondition>();

/** Re-throws a storage fault as StorageFaultError naming `where` (and remembers it); anything else unchanged. */
export function rethrowStorageFault(error: unknown, where: string): void {
  const kind = error instanceof StorageFaultError ? error.kind : storageFaultKind(error);
  if (!kind) return;
  const fault = error instanceof StorageFaultError ? error : storageFault(kind, where, error);
  if (!faults.has(where)) faults.set(where, { kind, path: where, since: new Date().toISOString(), message: fault.message });
  throw fault;
}

/** A write to `where` committed: whatever stopped it before is over. */
export const storageRecovered = (where: string): void => void faults.delete(where);

/** Folders of the stores this process has open, looked at by storageConditions(). */
const watched = new Set<string>();
export const watchStoreFolder = (folder: string): void => void watched.add(folder);
export const unwatchStoreFolder = (folder: string): void => void watched.delete(folder);

/** For /health, without asking the database: the faults writes met and not yet recovered, and what the stores' folders say now. */
export async function storageConditions(): Promise<Array<StorageCondition & { freeBytes?: number | null }>> {
  const conditions = new Map<string, StorageCondition & { freeBytes?: number | null }>(faults);
  for (const folder of watched) {
    if (conditions.has(folder)) continue;
    const probed = await probeFolder(folder).catch(() => null);
    if (probed)
      conditions.set(folder, { kind: probed.kind, path: folder, since: new Date().toISOString(), message: storageFault(probed.kind, folder).message, freeBytes: probed.freeBytes });
  }
  return [...conditions.values()];
}

/** Whether `folder` is read-only, not writable (access W_OK answers EROFS even for root) or short of `minFreeBytes`; null when writable. */
export async function probeFolder(folder: string, minFreeBytes = 1024 * 1024): Promise<{ kind: StorageFaultKind; freeBytes: number | null } | null> {
  let freeBytes: number | null = null;
  try {
    const fs = await statfs(folder);
    freeBytes = Number(fs.bavail) * Number(fs.bsize);
  } catch {
    // No statfs here (or no folder yet): judged by access alone.
  }
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    const kind = storageFaultKind(error);
    if (kind) return { kind, freeBytes };
  }
  return freeBytes !== null && freeBytes < minFreeBytes ? { kind: 'disk-full', freeBytes } : null;
}

/** Why the store could not be opened, in plain words, when its disk explains it: PGlite says only "failed to initialize properly". */
export async function explainOpenFailure(error: unknown, folder: string): Promise<unknown> {
  const kind = storageFaultKind(error) ?? (await probeFolder(folder).catch(() => null))?.kind;
  return kind ? storageFault(kind, folder, error) : error;
}
