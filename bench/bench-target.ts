import { rm } from 'node:fs/promises';
import { Client } from 'pg';
import { ProjectionRunner } from '../projections/projection-runner';
import type { AppConfig } from '../src/config/app-config';
import { embeddedDataDir, openEventStore, type OpenedEventStore } from '../src/event-store/open-event-store';

// The stores the benchmark runs on: PostgreSQL (a server, in a schema of its own) and PGlite
// (embedded, in a directory of its own). Each phase opens the store afresh in its own process.

export type BenchTarget = { kind: 'postgres'; url: string; schema: string } | { kind: 'embedded'; dataDir: string };

export const targetName = (t: BenchTarget): string => (t.kind === 'postgres' ? 'PostgreSQL' : 'PGlite');

/** The service configuration that puts events and read models in the target. */
export function targetConfig(t: BenchTarget): AppConfig {
  return t.kind === 'postgres'
    ? { eventStore: 'postgres', databaseUrl: t.url, dataDir: '/nonexistent', port: 0, schema: t.schema }
    : { eventStore: 'embedded', databaseUrl: undefined, dataDir: t.dataDir, port: 0, schema: undefined };
}

export async function openTarget(t: BenchTarget): Promise<OpenedEventStore & { close(): Promise<void> }> {
  const config = targetConfig(t);
  const opened = await openEventStore({ eventStore: config.eventStore, dataDir: config.dataDir, databaseUrl: config.databaseUrl, schema: config.schema });
  return {
    ...opened,
    close: async () => {
      await opened.store.close();
      await opened.sql?.close();
    },
  };
}

/** The read models as far as the store: a service started on the target would otherwise catch up while it is measured. */
export async function catchUpReadModels(target: BenchTarget): Promise<void> {
  const opened = await openTarget(target);
  try {
    const runner = new ProjectionRunner(opened.store, opened.sql!);
    await runner.init();
    await runner.catchUp();
  } finally {
    await opened.close();
  }
}

/** Removes everything the benchmark left in the target. */
export async function dropTarget(t: BenchTarget): Promise<void> {
  if (t.kind === 'embedded') {
    await rm(t.dataDir, { recursive: true, force: true });
    return;
  }
  const client = new Client({ connectionString: t.url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${t.schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers at `url` (and its version), within a few seconds. */
export async function probePostgres(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export { embeddedDataDir };
