import { PgSqlClient } from '../../src/sql/pg-sql-client';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import type { SqlClient } from '../../src/sql/sql-client';
import { dropSchema, SKIPPED_NO_POSTGRES, testDatabaseUrl, uniqueSchemaName } from './postgres-test-database';

export interface OpenedDatabase {
  db: SqlClient;
  cleanup: () => Promise<void>;
}

/**
 * Defines a suite once per database the SQL runs on: an in-memory PGlite always, and PostgreSQL
 * in a schema of its own when TEST_DATABASE_URL is set (saying plainly that it skipped otherwise).
 */
export function describeOnEachDatabase(name: string, body: (databaseName: string, open: () => Promise<OpenedDatabase>) => void): void {
  body('PGlite', async () => {
    const db = await PgliteSqlClient.open();
    return { db, cleanup: () => db.close() };
  });
  const url = testDatabaseUrl;
  if (!url) {
    console.log(`${SKIPPED_NO_POSTGRES}: ${name} on PostgreSQL`);
    return;
  }
  body('PostgreSQL', async () => {
    const schema = uniqueSchemaName('t');
    const db = await PgSqlClient.connect({ connectionString: url, schema });
    return {
      db,
      cleanup: async () => {
        await db.close();
        await dropSchema(url, schema);
      },
    };
  });
}
