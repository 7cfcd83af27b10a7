import * as path from 'node:path';
import { echo } from '../errors';
import { parseEventStoreSetting } from '../event-store/event-store-setting';

// Configuration from the environment (INTERFACES.md, "Configuration"). Read once, passed down.

export interface AppConfig {
  /** 'embedded', 'postgres', or an EventStoreDB connection string (esdb://…, esdb+discover://…). */
  eventStore: string;
  /** PostgreSQL for read models (and for events when eventStore is 'postgres'); absent: embedded. */
  databaseUrl: string | undefined;
  /** Where the embedded store keeps its files. */
  dataDir: string;
  port: number;
  /** PostgreSQL schema for this service's tables (lets tests and several services share one database). */
  schema: string | undefined;
  /** The PostgreSQL pool and its bounds; absent: DEFAULT_DATABASE_SETTINGS. */
  database?: DatabaseSettings;
}

/** The pool and its waits (docs/operations.md, "Database faults"): a lost database answers 503 within acquire + statement timeout + STATEMENT_ANSWER_GRACE_MS. */
export interface DatabaseSettings {
  /** Connections in the pool (DATABASE_POOL_SIZE). Admission control sizes its budget from it: read it with databaseSettings(). */
  poolSize: number;
  /** Callers that may wait for a connection (DATABASE_POOL_QUEUE); past it a caller is told "busy" at once. */
  poolQueue: number;
  /** Longest wait for a connection, new or from a busy pool, in ms (DATABASE_ACQUIRE_TIMEOUT_MS). */
  acquireTimeoutMs: number;
  /** Longest one statement of the service may run, in ms (DATABASE_STATEMENT_TIMEOUT_MS; 0: none). Reports have their own (REPORT_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs: number;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = { poolSize: 10, poolQueue: 100, acquireTimeoutMs: 1000, statementTimeoutMs: 3000 };

/** How long after its statement timeout the service stops waiting for a server that does not answer at all (frozen, or a network gone silent). */
export const STATEMENT_ANSWER_GRACE_MS = 1000;

/** The one place the effective pool settings are read (admission control reads poolSize here). */
export const databaseSettings = (config: Pick<AppConfig, 'database'>): DatabaseSettings => config.database ?? DEFAULT_DATABASE_SETTINGS;

/** DATABASE_POOL_SIZE, DATABASE_POOL_QUEUE, DATABASE_ACQUIRE_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS; defaults where unset. */
export function loadDatabaseSettings(env: NodeJS.ProcessEnv = process.env): DatabaseSettings {
  const d = DEFAULT_DATABASE_SETTINGS;
  const poolSize = wholeNumberSetting('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, d.poolSize, { maxDigits: 4 });
  if (poolSize < 1) throw new Error('DATABASE_POOL_SIZE must be at least 1.');
  return {
    poolSize,
    poolQueue: wholeNumberSetting('DATABASE_POOL_QUEUE', env.DATABASE_POOL_QUEUE, d.poolQueue, { maxDigits: 6 }),
    acquireTimeoutMs: Math.max(1, wholeNumberSetting('DATABASE_ACQUIRE_TIMEOUT_MS', env.DATABASE_ACQUIRE_TIMEOUT_MS, d.acquireTimeoutMs, { unit: 'milliseconds' })),
    statementTimeoutMs: wholeNumberSetting('DATABASE_STATEMENT_TIMEOUT_MS', env.DATABASE_STATEMENT_TIMEOUT_MS, d.statementTimeoutMs, { unit: 'milliseconds' }),
  };
}

/** A whole-number setting from the environment (`fallback` when unset); a bad value is an error quoting at most 64 of its characters. */
export function wholeNumberSetting(name: string, value: string | undefined, fallback: number, options: { maxDigits?: number; unit?: string } = {}): number {
  const text = value?.trim();
  if (text === undefined || text === '') return fallback;
  if (!new RegExp(`^\\d{1,${options.maxDigits ?? 9}}$`).test(text)) {
    throw new Error(`${name} must be a whole number${options.unit ? ` of ${options.unit}` : ''}, not '${echo(value)}'.`);
  }
  return Number(text);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const eventStore = env.EVENT_STORE?.trim() || 'embedded';
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  parseEventStoreSetting(eventStore, databaseUrl); // refused here, at start-up, rather than when the store opens
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not '${echo(env.PORT)}'.`);
  return {
    eventStore,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    port,
    schema: env.DATABASE_SCHEMA?.trim() || undefined,
    database: loadDatabaseSettings(env),
  };
}
