import { quoteIdentifier, quoteQualifiedName } from './sql-identifier';
import { toSqlText } from './sql-text-value';

/** PostgreSQL binds at most 65535 parameters per statement; stay well below. */
const MAX_PARAMS_PER_STATEMENT = 30_000;
const MAX_ROWS_PER_STATEMENT = 1_000;

type Query = (sql: string, params: readonly unknown[]) => Promise<unknown>;

/** Multi-row `INSERT ... VALUES`, chunked and bound as text (PostgreSQL coerces to each column): copyRows' portable fallback. */
export async function insertRows(query: Query, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (columns.length === 0 || rows.length === 0) return;
  const rowsPerStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length)));
  const head = `INSERT INTO ${quoteQualifiedName(table)} (${columns.map(quoteIdentifier).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      if (row.length !== columns.length) {
        throw new Error(`insertRows: a row of ${table} has ${row.length} values for ${columns.length} columns`);
      }
      const placeholders = row.map((value) => {
        params.push(toSqlText(value));
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await query(head + tuples.join(', '), params);
  }
}
