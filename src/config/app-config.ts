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
}

/**
 * A whole-number setting from the environment (at most `maxDigits` digits), `fallback` when unset;
 * otherwise an error naming the variable and quoting at most 64 characters of its value.
 */
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
  };
}
