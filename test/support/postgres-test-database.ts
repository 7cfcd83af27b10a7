import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server tests may use, if any. */
export const testDatabaseUrl: string | undefined = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

export const SKIPPED_NO_POSTGRES = 'SKIPPED: no PostgreSQL (set TEST_DATABASE_URL)';

/** `describe`, or `describe.skip` with a clear message when no server is configured. */
export function describeWithPostgres(name: string, body: (url: string) => void): void {
  const url = testDatabaseUrl;
  if (!url) {
    // Written past Jest's console capture, which hides the output of fully skipped files.
    process.stdout.write(`${SKIPPED_NO_POSTGRES}: ${name}\n`);
    describe.skip(name, () => it('needs PostgreSQL', () => undefined));
    return;
  }
  describe(name, () => body(url));
}

/** A schema name no other test file uses. */
export const uniqueSchemaName = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
