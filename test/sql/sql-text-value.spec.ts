import { insertRows } from '../../src/sql/insert-rows';
import { quoteQualifiedName } from '../../src/sql/sql-identifier';
import { encodeCsv, toSqlText } from '../../src/sql/sql-text-value';

describe('values as PostgreSQL text', () => {
  it('renders each JavaScript value in the form PostgreSQL reads', () => {
    expect(toSqlText(null)).toBeNull();
    expect(toSqlText(undefined)).toBeNull();
    expect(toSqlText('')).toBe('');
    expect(toSqlText(12345678901234567890n)).toBe('12345678901234567890');
    expect(toSqlText(false)).toBe('false');
    expect(toSqlText(new Date('2015-03-31T00:00:00Z'))).toBe('2015-03-31T00:00:00.000Z');
    expect(toSqlText({ a: [1] })).toBe('{"a":[1]}');
    expect(toSqlText(new Uint8Array([0, 255]))).toBe('\\x00ff');
  });

  it('encodes CSV with every value quoted, so null (empty) and empty text ("") differ', () => {
    expect(encodeCsv([[1, null, '', 'say "hi", then\nleave']])).toBe('"1",,"","say ""hi"", then\nleave"\n');
  });

  it('quotes identifiers, doubling embedded quotes', () => {
    expect(quoteQualifiedName('read_models.Odd"Name')).toBe('"read_models"."Odd""Name"');
  });

  it('inserts in chunks that stay under the parameter limit, binding every value', async () => {
    const statements: { sql: string; params: readonly unknown[] }[] = [];
    const rows = Array.from({ length: 2300 }, (_, i) => [i, `v${i}`]);
    await insertRows(async (sql, params) => statements.push({ sql, params }), 'schema.table', ['id', 'value'], rows);

    expect(statements.map((s) => s.params.length)).toEqual([2000, 2000, 600]);
    expect(statements[0].sql.startsWith('INSERT INTO "schema"."table" ("id", "value") VALUES ($1, $2), ($3, $4)')).toBe(true);
    expect(statements[2].params.slice(-2)).toEqual(['2299', 'v2299']);
  });
});
