import type { SqlClient } from './sql-client';
import { PgSqlClient, type PgSqlClientOptions } from './pg-sql-client';
import { PgliteSqlClient } from './pglite-sql-client';

export type SqlClientConfig =
  /** PGlite in this process; files in `dataDir`, or in memory when absent. */
  | { dialect: 'embedded'; dataDir?: string }
  /** A PostgreSQL server. */
  | ({ dialect: 'postgres' } & PgSqlClientOptions);

/** Opens the SqlClient the configuration names; the caller closes it. */
export async function openSqlClient(config: SqlClientConfig): Promise<SqlClient> {
  switch (config.dialect) {
    case 'embedded':
      return PgliteSqlClient.open(config.dataDir);
    case 'postgres': {
      const { dialect: _dialect, ...options } = config;
      return PgSqlClient.connect(options);
    }
  }
}
