// Jest globalSetup: fixtures the whole run shares (docs/architecture.md, "Test fixtures and CI time").
// - A new, empty embedded store as a tarball (MAPPA_EMBEDDED_TEMPLATE): every store the tests create
//   is unpacked from it instead of running initdb. It depends on PGlite alone, so it is kept in the
//   temporary folder per PGlite version and made only when missing.
// - A folder for this run's shared fixtures (MAPPA_TEST_FIXTURES), such as the demo store
//   (test/support/shared-demo.ts), built there by the first test file that asks; removed at the end.
// Environment set here reaches every test file, and the CLI processes they start (cliEnv).
const { mkdtemp, mkdir, readdir, readFile, rename, rm, stat, writeFile } = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');

const TEMPLATE_VARIABLE = 'MAPPA_EMBEDDED_TEMPLATE';
const FIXTURES_VARIABLE = 'MAPPA_TEST_FIXTURES';
const RUN_PREFIX = 'mappa-test-run-';

module.exports = async function globalSetup() {
  // Set (even empty) by the caller: respected, so the suite can be timed on real initdb too.
  if (!(TEMPLATE_VARIABLE in process.env)) process.env[TEMPLATE_VARIABLE] = await emptyStoreTemplate();
  await removeFixturesOfEndedRuns();
  process.env[FIXTURES_VARIABLE] = await mkdtemp(path.join(os.tmpdir(), `${RUN_PREFIX}${process.pid}-`));
};

/** A run killed before its teardown leaves its folder (the demo store alone is about 180 MB): removed once its process is gone. */
async function removeFixturesOfEndedRuns() {
  for (const name of await readdir(os.tmpdir())) {
    const pid = Number(new RegExp(`^${RUN_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (pid && !isRunning(pid)) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function emptyStoreTemplate() {
  const entry = require.resolve('@electric-sql/pglite');
  const { version } = JSON.parse(await readFile(path.join(entry.slice(0, entry.lastIndexOf(`${path.sep}dist${path.sep}`)), 'package.json'), 'utf8'));
  const folder = path.join(os.tmpdir(), 'mappa-test-templates');
  const file = path.join(folder, `pglite-${version}-empty.tar`);
  if (await stat(file).catch(() => null)) return file;
  await mkdir(folder, { recursive: true });
  const { PGlite } = require('@electric-sql/pglite');
  const db = await PGlite.create();
  try {
    const tarball = await db.dumpDataDir('none');
    // Written aside and renamed: a run that stops half-way, or one beside it, never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, new Uint8Array(await tarball.arrayBuffer()));
    await rename(partial, file);
  } finally {
    await db.close();
  }
  return file;
}
