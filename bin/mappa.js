#!/usr/bin/env -S node --max-semi-space-size=64
// The `mappa` command. Runs the compiled CLI (built by `npm ci` through the prepare script).
// A larger young generation (64 MB semi-spaces, several times V8's default): a rebuild and an import make
// short-lived objects by the million (rows read, parsed, encoded again), and with small semi-spaces
// many survive into the old generation and are collected there at far greater cost. Measured on
// 500,000 events on PostgreSQL: rebuild 33.2 -> 27.8 s. A flag of the process, so set here
// (`node bin/mappa.js` runs without it: the same, slower). bench/run-bench.ts runs its phases alike.
require('../dist/src/cli/main.js');
