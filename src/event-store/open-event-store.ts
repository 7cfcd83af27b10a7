import * as path from 'node:path';
import { PgSqlClient } from '../sql/pg-sql-client';
import { PgliteSqlClient } from '../sql/pglite-sql-client';
import { privateFolder } from '../sql/private-files';
import { explainOpenFailure } from '../sql/storage-faults';
import type { SqlClient } from '../sql/sql-client';
import type { EventStore } from './event-store';
import { EventStoreDbEventStore, type EventStoreDbOptions } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';
import type { DatabaseSettings } from '../config/app-config';
import { parseEventStoreSetting } from './event-store-setting';

export interface EventStoreConfig {
  /** 'embedded' | 'postgres' | 'esdb://…' | 'esdb+discover://…' (INTERFACES.md, EVENT_STORE). */
  eventStore: string;
  /** Where the embedded database keeps its files (in `<dataDir>/pglite`). */
  dataDir: string;
  /** PostgreSQL for read models, and for events when eventStore is 'postgres'. */
  databaseUrl?: string;
  /** PostgreSQL schema for this service's tables (server only). */
  schema?: string;
  /** EventStoreDB adapter settings (its call timeout). */
  eventStoreDb?: EventStoreDbOptions;
  /** The PostgreSQL pool and its bounds (server only); absent: pg's pool of 10, 5 s to connect, no statement timeout. */
  database?: DatabaseSettings;
}

export interface OpenedEventStore {
  store: EventStore;
  /** The read-model database; for 'embedded' and 'postgres' the events' own client, so a projection commits its checkpoint with its rows. Close the store first. */
  sql?: SqlClient;
}

/** The directory, under DATA_DIR, of the embedded PostgreSQL. */
export const embeddedDataDir = (dataDir: string): string => path.join(dataDir, 'pglite');

/** Chooses and initialises the adapter the configuration names (INTERFACES.md): 'embedded', 'postgres' or 'esdb://…'. */
export async function openEventStore(config: EventStoreConfig): Promise<OpenedEventStore> {
  const { databaseUrl } = config;
  const setting = parseEventStoreSetting(config.eventStore, databaseUrl);
  const pool = config.database;
  const openServer = (url: string) =>
    PgSqlClient.connect({
      connectionString: url,
      schema: config.schema,
      ...(pool && { maxConnections: pool.poolSize, maxWaiting: pool.poolQueue, connectTimeoutMs: pool.acquireTimeoutMs, statementTimeoutMs: pool.statementTimeoutMs }),
    });
  const openEmbedded = async () => {
    // DATA_DIR holds the store and the development signing key: its owner's only.
    await privateFolder(config.dataDir).catch(async (error: unknown) => {
      throw await explainOpenFailure(error, config.dataDir);
    });
    return PgliteSqlClient.open(embeddedDataDir(config.dataDir));
  };

  if (setting.kind !== 'eventstoredb') {
    const eventsSql = setting.kind === 'postgres' ? await openServer(setting.databaseUrl) : await openEmbedded();
    let readModelSql: SqlClient | undefined;
    try {
      // Embedded events with read models on a server: the store is the embedded client's only user.
      readModelSql = setting.kind === 'embedded' && databaseUrl ? await openServer(databaseUrl) : eventsSql;
      const store = new PostgresEventStore(eventsSql, { ownsSqlClient: readModelSql !== eventsSql });
      await store.init();
      return { store, sql: readModelSql };
    } catch (error) {
      await Promise.allSettled([eventsSql.close(), readModelSql?.close()]);
      throw error;
    }
  }

  const store = EventStoreDbEventStore.fromConnectionString(setting.connectionString, config.eventStoreDb);
  try {
    await store.init();
    const sql = databaseUrl ? await openServer(databaseUrl) : await openEmbedded();
    return { store, sql };
  } catch (error) {
    await store.close();
    throw error;
  }
}
