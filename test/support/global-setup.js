// Jest globalSetup: fixtures the whole run shares (docs/architecture.md, "Test fixtures and CI time").
// - A new, empty embedded store as a tarball (MAPPA_EMBEDDED_TEMPLATE): every store the tests create
//   is unpacked from it instead of running initdb. It depends on PGlite alone, so it is kept in the
//   temporary folder per PGlite version and made only when missing.
// - A folder for this run's shared fixtures (MAPPA_TEST_FIXTURES), such as the demo store
//   (test/support/shared-demo.ts), built there by the first test file that asks; removed at the end.
// Environment set here reaches every test file, and the CLI processes they start (cliEnv).
const { mkdtemp, mkdir, readFile, rename, stat, writeFile } = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');

const TEMPLATE_VARIABLE = 'MAPPA_EMBEDDED_TEMPLATE';
const FIXTURES_VARIABLE = 'MAPPA_TEST_FIXTURES';

module.exports = async function globalSetup() {
  // Set (even empty) by the caller: respected, so the suite can be timed on real initdb too.
  if (!(TEMPLATE_VARIABLE in process.env)) process.env[TEMPLATE_VARIABLE] = await emptyStoreTemplate();
  process.env[FIXTURES_VARIABLE] = await mkdtemp(path.join(os.tmpdir(), 'mappa-test-run-'));
};

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
