import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { withoutCredentials } from '../errors';
import { rethrowUnavailable } from '../sql/connection-errors';
import { assertPlainIdentifier, quoteIdentifier } from '../sql/sql-identifier';
import { embeddedDataDir, type EventStoreConfig } from './open-event-store';

// Whether the configured store exists, found without creating it: a read on a store just created answers zeros that look like figures.

export interface EventStorePresence {
  /** False only when it is certain that no store is there. */
  present: boolean;
  /** Where the store was looked for, in words a user can check. */
  where: string;
}

/** The file PostgreSQL (and so PGlite) writes first into a data directory it has initialised. */
const INITIALISED_MARK = 'PG_VERSION';

export async function findEventStore(config: EventStoreConfig): Promise<EventStorePresence> {
  if (config.eventStore === 'embedded') {
    const dir = embeddedDataDir(config.dataDir);
    return { present: existsSync(path.join(dir, INITIALISED_MARK)), where: `the embedded store in ${dir}` };
  }
  if (config.eventStore === 'postgres' && config.databaseUrl) {
    const where = `the PostgreSQL database ${withoutCredentials(config.databaseUrl)}${config.schema ? `, schema ${config.schema}` : ''}`;
    return { present: await eventsTableExists(config.databaseUrl, config.schema), where };
  }
  // An EventStoreDB is a server someone set up; its streams cannot be told apart from an empty store here.
  return { present: true, where: config.eventStore };
}

async function eventsTableExists(databaseUrl: string, schema?: string): Promise<boolean> {
  if (schema !== undefined) assertPlainIdentifier(schema, 'PostgreSQL schema');
  const client = new Client({ connectionString: databaseUrl });
  // A server that goes away emits 'error' on the client; unheard, it would end the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const table = schema ? `${quoteIdentifier(schema)}.events` : 'events';
    const { rows } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
    return rows[0].present;
  } catch (error) {
    rethrowUnavailable(error, 'The PostgreSQL database');
  } finally {
    await client.end().catch(() => undefined);
  }
}
