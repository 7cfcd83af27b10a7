import type { SqlClient } from '../../src/sql/sql-client';

/**
 * What every SqlClient does, embedded or server: the read models and the event store rely on
 * exactly this. `client` is opened by the caller's beforeAll; tables are made per test.
 */
export function describeSqlClientContract(name: string, client: () => SqlClient): void {
  describe(`${name} (SqlClient contract)`, () => {
    let table = 0;
    const newTable = async (columns = 'id int PRIMARY KEY, label text') => {
      const name = `contract_${++table}_${Date.now()}`;
      await client().exec(`DROP TABLE IF EXISTS ${name}; CREATE TABLE ${name} (${columns});`);
      return name;
    };

    it('binds parameters and returns rows', async () => {
      const { rows } = await client().query<{ sum: number; text: string; missing: null }>('SELECT $1::int + $2::int AS sum, $3::text AS text, $4::text AS missing', [
        2,
        3,
        "it's; DROP TABLE x",
        null,
      ]);
      expect(rows).toEqual([{ sum: 5, text: "it's; DROP TABLE x", missing: null }]);
    });

    it('runs several statements with exec', async () => {
      const t = await newTable();
      await client().exec(`INSERT INTO ${t} VALUES (1, 'a'); INSERT INTO ${t} VALUES (2, 'b');`);
      expect((await client().query(`SELECT count(*)::int AS n FROM ${t}`)).rows).toEqual([{ n: 2 }]);
    });

    it('commits a transaction whose function resolves, and answers its result', async () => {
      const t = await newTable();
      const result = await client().transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES ($1, $2)`, [1, 'kept']);
        return 'done';
      });
      expect(result).toBe('done');
      expect((await client().query(`SELECT label FROM ${t}`)).rows).toEqual([{ label: 'kept' }]);
    });

    it('rolls back a transaction whose function throws, and rethrows the error', async () => {
      const t = await newTable();
      const failure = new Error('decided against it');
      await expect(
        client().transaction(async (tx) => {
          await tx.query(`INSERT INTO ${t} VALUES ($1, $2)`, [1, 'lost']);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect((await client().query(`SELECT * FROM ${t}`)).rows).toEqual([]);
    });

    it('rolls back only the inner part of a nested transaction', async () => {
      const t = await newTable();
      await client().transaction(async (tx) => {
        await tx.query(`INSERT INTO ${t} VALUES (1, 'outer')`);
        await expect(
          tx.transaction(async (inner) => {
            await inner.query(`INSERT INTO ${t} VALUES (2, 'inner')`);
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
      });
      expect((await client().query(`SELECT label FROM ${t}`)).rows).toEqual([{ label: 'outer' }]);
    });

    it('bulk-loads rows with copyRows, keeping null apart from empty text and awkward characters intact', async () => {
      const t = await newTable('id bigint, label text, flag boolean, payload jsonb, on_date date, at timestamptz');
      const rows = [
        [1n, 'plain', true, { a: 1, nested: { list: [1, 'two'] } }, '2014-04-01', new Date('2015-03-31T12:00:00.000Z')],
        [2, '', false, [], '2014-04-02', '2015-03-31T12:00:00.000Z'],
        [3, null, null, null, null, null],
        [4, 'comma, "quote", newline\nand back\\slash, ünïcödé', true, { s: 'x"y' }, '2014-04-03', null],
      ];
      await client().copyRows(t, ['id', 'label', 'flag', 'payload', 'on_date', 'at'], rows);

      const { rows: read } = await client().query<Record<string, unknown>>(
        `SELECT id::int AS id, label, flag, payload, to_char(on_date, 'YYYY-MM-DD') AS on_date, at FROM ${t} ORDER BY id`,
      );
      expect(read.map((r) => r.label)).toEqual(['plain', '', null, 'comma, "quote", newline\nand back\\slash, ünïcödé']);
      expect(read.map((r) => r.flag)).toEqual([true, false, null, true]);
      expect(read.map((r) => r.payload)).toEqual([{ a: 1, nested: { list: [1, 'two'] } }, [], null, { s: 'x"y' }]);
      expect(read.map((r) => r.on_date)).toEqual(['2014-04-01', '2014-04-02', null, '2014-04-03']);
      expect(read.map((r) => (r.at === null ? null : new Date(r.at as string).toISOString()))).toEqual(['2015-03-31T12:00:00.000Z', '2015-03-31T12:00:00.000Z', null, null]);
    });

    it('bulk-loads many rows into a schema-qualified, quoted table name', async () => {
      const t = await newTable('id int, "Label Text" text');
      const rows = Array.from({ length: 2500 }, (_, i) => [i, `row ${i}`]);
      const {
        rows: [{ schema }],
      } = await client().query<{ schema: string }>('SELECT current_schema() AS schema');
      await client().copyRows(`${schema}.${t}`, ['id', 'Label Text'], rows);
      const {
        rows: [summary],
      } = await client().query<{ n: number; last: string }>(`SELECT count(*)::int AS n, max("Label Text") FILTER (WHERE id = 2499) AS last FROM ${t}`);
      expect(summary).toEqual({ n: 2500, last: 'row 2499' });
    });

    it('falls back to INSERT where COPY cannot go (a view with an INSTEAD OF trigger), inside and outside a transaction', async () => {
      const t = await newTable();
      const view = `${t}_view`;
      await client().exec(`
        CREATE VIEW ${view} AS SELECT id, label FROM ${t};
        CREATE FUNCTION ${view}_insert() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN INSERT INTO ${t} VALUES (NEW.id, NEW.label); RETURN NEW; END $$;
        CREATE TRIGGER ${view}_insert INSTEAD OF INSERT ON ${view} FOR EACH ROW EXECUTE FUNCTION ${view}_insert();
      `);
      await client().copyRows(view, ['id', 'label'], [[1, 'outside']]);
      await client().transaction(async (tx) => {
        await tx.copyRows(view, ['id', 'label'], [[2, 'inside']]);
        await tx.query(`INSERT INTO ${t} VALUES (3, 'after')`);
      });
      expect((await client().query(`SELECT label FROM ${t} ORDER BY id`)).rows).toEqual([{ label: 'outside' }, { label: 'inside' }, { label: 'after' }]);
    });

    it('rolls copied rows back with their transaction', async () => {
      const t = await newTable();
      await expect(
        client().transaction(async (tx) => {
          await tx.copyRows(
            t,
            ['id', 'label'],
            [
              [1, 'a'],
              [2, 'b'],
            ],
          );
          throw new Error('abandon');
        }),
      ).rejects.toThrow('abandon');
      expect((await client().query(`SELECT * FROM ${t}`)).rows).toEqual([]);
    });

    it('reports a wrong statement as the database error it is, not as unavailability', async () => {
      await expect(client().query('SELECT * FROM no_such_table_anywhere')).rejects.toMatchObject({ code: '42P01' });
    });
  });
}
