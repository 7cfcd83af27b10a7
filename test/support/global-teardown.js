// Jest globalTeardown: removes this run's shared fixtures (global-setup.js); the store template stays for the next run.
const { rm } = require('node:fs/promises');

module.exports = async function globalTeardown() {
  const folder = process.env.MAPPA_TEST_FIXTURES;
  if (folder) await rm(folder, { recursive: true, force: true });
};
