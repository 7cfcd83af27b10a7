#!/usr/bin/env -S node --max-semi-space-size=64
// The `mappa` command. Runs the compiled CLI (built by `npm ci` through the prepare script).
// A larger young generation (64 MB semi-spaces, several times V8's default): a rebuild and an import make
// short-lived objects by the million (rows read, parsed, encoded again), and with small semi-spaces
// many survive into the old generation and are collected there at far greater cost. Measured on
// 500,000 events on PostgreSQL: rebuild 33.2 -> 27.8 s. A flag of the process, so set here
// (`node bin/mappa.js` runs without it: the same, slower). bench/run-bench.ts runs its phases alike.
if (process.argv[2] === 'serve') serveEarly();
else require('../dist/src/cli/main.js');

/**
 * `mappa serve` listens before the rest of the service loads (about 2 s of CPU), then loads its
 * largest libraries one per turn of the event loop, so /health answers "starting" meanwhile
 * within a few hundred ms, not after the whole load (src/cli/early-listen.ts, issue 11 item 1).
 */
function serveEarly() {
  require('../dist/src/cli/early-listen.js').listenEarly();
  const libraries = [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    '@nestjs/swagger',
    'class-validator',
    '@eventstore/db-client',
    'pg',
    '@nestjs/cqrs',
    'jose',
    'pino',
    'prom-client',
  ];
  const loadNext = () => {
    const library = libraries.shift();
    if (library === undefined) return require('../dist/src/cli/main.js');
    require(library);
    setImmediate(loadNext);
  };
  setImmediate(loadNext);
}
