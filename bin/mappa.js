#!/usr/bin/env node
// The `mappa` command. Runs the compiled CLI (built by `npm ci` through the prepare script).
require('../dist/src/cli/main.js');
