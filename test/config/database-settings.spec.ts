import { databaseSettings, DEFAULT_DATABASE_SETTINGS, loadConfig, loadDatabaseSettings } from '../../src/config/app-config';
import { COMMAND_ACQUIRE_TIMEOUT_MS, poolSettings } from '../../src/app.module';

// The pool and its bounds are configuration (issue 18.3), read in one place that admission
// control (issue 17) also reads.

describe('database settings', () => {
  it('default to a pool of 10, a queue of 100, 1 s to get a connection and 3 s per statement', () => {
    expect(loadDatabaseSettings({})).toEqual({ poolSize: 10, poolQueue: 100, acquireTimeoutMs: 1000, statementTimeoutMs: 3000 });
    expect(DEFAULT_DATABASE_SETTINGS).toEqual(loadDatabaseSettings({}));
  });

  it('are read from DATABASE_POOL_SIZE, DATABASE_POOL_QUEUE, DATABASE_ACQUIRE_TIMEOUT_MS and DATABASE_STATEMENT_TIMEOUT_MS', () => {
    const env = { DATABASE_POOL_SIZE: '25', DATABASE_POOL_QUEUE: '0', DATABASE_ACQUIRE_TIMEOUT_MS: '250', DATABASE_STATEMENT_TIMEOUT_MS: '0' };
    expect(loadDatabaseSettings(env)).toEqual({ poolSize: 25, poolQueue: 0, acquireTimeoutMs: 250, statementTimeoutMs: 0 });
    expect(databaseSettings(loadConfig(env)).poolSize).toBe(25);
  });

  it('the effective pool size is the default when a configuration names none', () => {
    expect(databaseSettings({ database: undefined }).poolSize).toBe(10);
  });

  it.each([
    ['DATABASE_POOL_SIZE', '0', /at least 1/],
    ['DATABASE_POOL_SIZE', 'ten', /DATABASE_POOL_SIZE must be a whole number/],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-5', /DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds/],
    ['DATABASE_ACQUIRE_TIMEOUT_MS', '1.5', /DATABASE_ACQUIRE_TIMEOUT_MS must be a whole number/],
  ])('refuse %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadDatabaseSettings({ [name]: value })).toThrow(message);
  });
});

describe('the pool of a command and of the service', () => {
  it('the service keeps every bound; a command runs its statements unbounded and waits longer for a connection (an import on a busy machine waits, not fails)', () => {
    const config = loadConfig({});
    expect(poolSettings(config, true)).toEqual(DEFAULT_DATABASE_SETTINGS);
    expect(poolSettings(config, false)).toEqual({ ...DEFAULT_DATABASE_SETTINGS, statementTimeoutMs: 0, acquireTimeoutMs: COMMAND_ACQUIRE_TIMEOUT_MS });
    // An operator's longer wait is kept.
    expect(poolSettings(loadConfig({ DATABASE_ACQUIRE_TIMEOUT_MS: '60000' }), false).acquireTimeoutMs).toBe(60_000);
  });
});
