import { OffenderIntervalsProjection } from '../../projections/offender-intervals/offender-intervals.projection';
import { INTERVAL_COLUMNS } from '../../projections/offender-intervals/interval-rows';
import { intervalsDuring, KNOWN_INTERVALS } from '../../src/reports/report-sql';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';

// intervalsDuring finds the rows holding on some day of [from, to] through the span classes of
// rm_intervals_area_span: for each class a bounded range of start dates. It must return exactly
// the rows the plain definition (known_intervals with covers/overlap) returns, for every length
// of interval, starting on each side of each bound asked about (powers of two and their
// neighbours, one day either side, are where an off-by-one would show), open rows,
// ends recorded after the report's position, rows superseded, and several areas.

const DAY = 86_400_000;
const dateOf = (day: number): string => new Date(Date.UTC(2000, 0, 1) + day * DAY).toISOString().slice(0, 10);

interface Row {
  id: number;
  area: string;
  from: number;
  to: number | null;
  toKnownAt: number | null;
  knownFrom: number;
  knownTo: number | null;
}

/** The days asked about: each test date, and each bound of each test period. */
const DAYS = [3100, 3511, 4023, 4999, 3400, 3765];

/**
 * For each day D asked about and each length L (0..300, and each power of two up to 2^13 with its
 * neighbours): rows that end the day before D, hold on D as their last day, start on D, start the
 * day after; in two areas, with their ends recorded at various positions, some rows known only
 * from position 50 and some superseded at 60; and open rows.
 */
function rows(): Row[] {
  const lengths = new Set<number>();
  for (let l = 0; l <= 300; l += 1) lengths.add(l);
  for (let k = 0; k <= 13; k++) for (const d of [-1, 0, 1]) lengths.add(2 ** k + d);
  const out: Row[] = [];
  let id = 1;
  for (const day of DAYS) {
    for (const length of lengths) {
      for (const from of [day - length, day - length + 1, day, day + 1]) {
        for (const area of ['north', 'south']) {
          out.push({ id: id, area, from, to: from + length, toKnownAt: 10 * (id % 10) + 1, knownFrom: id % 3 === 0 ? 50 : 1, knownTo: id % 7 === 0 ? 60 : null });
          id++;
        }
      }
    }
  }
  for (let i = 0; i < 200; i++) out.push({ id: id++, area: i % 2 ? 'north' : 'south', from: 2500 + i * 17, to: null, toKnownAt: null, knownFrom: 1 + (i % 90), knownTo: null });
  return out;
}

function describeIntervalsDuring(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`intervalsDuring on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      await db.exec(new OffenderIntervalsProjection(async () => new Map()).schemaSql);
      await db.copyRows(
        'rm_intervals',
        INTERVAL_COLUMNS,
        rows().map((r) => [
          r.id,
          `o${r.id}`,
          dateOf(r.from),
          r.to === null ? null : dateOf(r.to),
          r.toKnownAt,
          r.knownFrom,
          r.knownTo,
          r.area,
          null,
          1,
          1,
          false,
          1,
          1,
          1,
          1,
          1,
          1,
        ]),
      );
      await db.exec('ANALYZE rm_intervals');
    });
    afterAll(async () => cleanup());

    const ids = async (sql: string, params: unknown[]): Promise<number[]> => (await db.query<{ id: string }>(sql, params)).rows.map((r) => Number(r.id)).sort((a, b) => a - b);

    const cases: Array<[string, number, number, number, string[]]> = [];
    for (const position of [1, 25, 55, 100]) {
      for (const [from, to] of [
        [3100, 3100],
        [3511, 3511],
        [4023, 4023],
        [4999, 4999],
        [3400, 3765],
        [2600, 6000],
        [12000, 12000],
      ]) {
        cases.push([`${dateOf(from)}..${dateOf(to)} at position ${position}`, position, from, to, ['north']]);
      }
      cases.push([`both areas at position ${position}`, position, 3511, 4100, ['north', 'south']]);
    }

    it.each(cases)('returns exactly the rows of the plain definition: %s', async (_label, position, from, to, areas) => {
      const params = [areas, position, dateOf(from), dateOf(to), dateOf(from)];
      const expected = await ids(
        `WITH ${KNOWN_INTERVALS} SELECT r.id FROM known_intervals k JOIN rm_intervals r USING (offender_id, valid_from)
          WHERE k.area = ANY($1::text[]) AND k.valid_from <= $4::date AND (k.vto IS NULL OR k.vto > $3::date)`,
        params,
      );
      const found = await ids(`WITH ${KNOWN_INTERVALS} SELECT iv.id FROM ${intervalsDuring('$3::date', '$4::date')} iv`, params);
      expect(expected.length).toBeGreaterThan(0);
      expect(found).toEqual(expected);
    });

    it('tells the open rows apart as the plain definition does (vto)', async () => {
      const params = [['north', 'south'], 25, dateOf(3511), dateOf(3511), dateOf(3511)];
      const withEnd = (sql: string) => db.query<{ id: string; vto: unknown }>(sql, params).then((r) => r.rows.map((x) => `${x.id}:${x.vto === null ? 'open' : 'closed'}`).sort());
      const expected = await withEnd(
        `WITH ${KNOWN_INTERVALS} SELECT r.id, k.vto FROM known_intervals k JOIN rm_intervals r USING (offender_id, valid_from)
          WHERE k.area = ANY($1::text[]) AND k.valid_from <= $4::date AND (k.vto IS NULL OR k.vto > $3::date)`,
      );
      expect(expected.some((x) => x.endsWith('open'))).toBe(true);
      expect(await withEnd(`WITH ${KNOWN_INTERVALS} SELECT iv.id, iv.vto FROM ${intervalsDuring('$3::date', '$4::date')} iv`)).toEqual(expected);
    });
  });
}

describeOnEachDatabase('intervalsDuring', (name, open) => describeIntervalsDuring(name, open));
