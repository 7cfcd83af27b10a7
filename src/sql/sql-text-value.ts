/** A value in PostgreSQL's text input form, for COPY and text-bound INSERT values. */
export function toSqlText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  // Objects and arrays go to json/jsonb columns.
  return JSON.stringify(value);
}

/** CSV as `COPY ... WITH (FORMAT csv)` reads it: non-null values quoted, so an empty string stays one, and null an empty unquoted field. */
export function encodeCsv(rows: readonly (readonly unknown[])[]): string {
  // Plain loops and concatenation: this runs for every row a rebuild or an import writes.
  let csv = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) csv += ',';
      const text = toSqlText(row[i]);
      if (text !== null) csv += text.includes('"') ? `"${text.replace(QUOTES, '""')}"` : `"${text}"`;
    }
    csv += '\n';
  }
  return csv;
}

const QUOTES = /"/g;
