import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import * as path from 'node:path';

// The embedded store holds offender data, so only the service's OS user may read it; PGlite unpacks with 0666 and then follows the umask.

/** Owner only: folders 0700, files 0600. */
const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/** Files this process creates from now on are its user's only (umask 077): process-wide, as PGlite and `--out` files both write from here. */
export function createPrivateFilesFromNowOn(): void {
  process.umask(0o077);
}

/** Creates `folder` (and its parents) if missing and makes it 0700. */
export async function privateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER });
  await chmod(folder, PRIVATE_FOLDER);
}

/** Makes every folder under `root` (and itself) 0700 and every file 0600; symbolic links are left alone. */
export async function makeTreePrivate(root: string): Promise<void> {
  const info = await lstat(root).catch(gone);
  if (!info || info.isSymbolicLink()) return;
  if (!info.isDirectory()) {
    if ((info.mode & 0o777) !== PRIVATE_FILE) await chmod(root, PRIVATE_FILE).catch(gone);
    return;
  }
  if ((info.mode & 0o777) !== PRIVATE_FOLDER) await chmod(root, PRIVATE_FOLDER).catch(gone);
  for (const entry of (await readdir(root).catch(gone)) ?? []) await makeTreePrivate(path.join(root, entry));
}

/** A file PGlite removed while the tree was walked (a free-space map, seen under load) needs no mode. */
function gone(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}
