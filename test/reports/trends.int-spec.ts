import { ProjectionRunner } from '../../projections/projection-runner';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import type { PublishedFigures } from '../../src/reports/published-figures';
import { ReportService } from '../../src/reports/report.service';
import { REPORT_TABLES, tableCellIds } from '../../src/reports/tables';
import { TrendsService } from '../../src/reports/trends';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { randomHistory } from '../support/random-history';
import { appendEventByEvent } from '../support/append-event-by-event';

// Issue 14.4 on random histories: a trend is the per-year reports side by side (every table, every
// cell, several areas, now and as known earlier), with the change from the year before and the
// published figure beside the computed one where a publication holds it.

/** Greater Manchester published two years; the 2014-15 file holds one figure that differs from the events. */
const published: PublishedFigures = {
  publishedCells: async (area) =>
    new Map<string, Record<string, number>>(
      area === 'greater-manchester'
        ? [
            ['2013-14', { 'offendersOnSnapshot.total.total': 7 }],
            ['2014-15', { 'offendersOnSnapshot.total.total': 1234, 'sfoCharges.category1-level1.chargedInYear': 2 }],
          ]
        : [],
    ),
};

function describeTrends(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`trends on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;
    let events: RecordedOffenderEvent[];
    let reports: ReportService;
    let trends: TrendsService;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
      events = await appendEventByEvent(store, [...randomHistory({ seed: 143, offenders: 100, proposals: 35 }), ...randomHistory({ seed: 144, offenders: 100, proposals: 35 })]);
      const runner = new ProjectionRunner(store, db, undefined, 500);
      await runner.init();
      await runner.catchUp();
      reports = new ReportService(db, runner);
      trends = new TrendsService(reports, published);
    }, 120_000);
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it.each([['greater-manchester'], ['merseyside'], ['england-and-wales']])(
      '%s: every table trend equals the per-year reports, with the change from the year before',
      async (area) => {
        const years = [2012, 2013, 2014, 2015, 2016];
        const perYear = new Map<number, Record<string, number>>();
        for (const y of years) perYear.set(y, (await reports.report(area, y)).cells);
        for (const table of REPORT_TABLES) {
          const trend = await trends.trends(area, { table: table.id }, 2012, 2016);
          expect(trend.position).toBe(events[events.length - 1].position.toString());
          expect(trend.from).toBe('2012/13');
          // Every cell of the table in any year (divisions found), each with every year, in order.
          const expectedCells = new Set(years.flatMap((y) => tableCellIds(table, area, perYear.get(y))));
          expect(trend.cells.map((c) => c.cell).sort()).toEqual([...expectedCells].sort());
          for (const c of trend.cells) {
            expect(c.unit).toBe(table.unit);
            const values = years.map((y) => {
              const v = perYear.get(y)![c.cell] ?? 0;
              return Number.isFinite(v) ? v : null;
            });
            expect({ cell: c.cell, values: c.years.map((p) => p.value) }).toEqual({ cell: c.cell, values });
            expect(c.years.map((p) => p.year)).toEqual(['2012/13', '2013/14', '2014/15', '2015/16', '2016/17']);
            expect(c.years[0].change).toBeUndefined();
            for (let i = 1; i < years.length; i++) {
              if (values[i] !== null && values[i - 1] !== null) expect(c.years[i].change).toBe(values[i]! - values[i - 1]!);
            }
          }
        }
      },
      300_000,
    );

    it('as known at an earlier position, equals the per-year reports as known then', async () => {
      const atPosition = events[Math.floor(events.length * 0.4)].position;
      const cells = ['offendersOnSnapshot.total.category1', 'level23InYear.total.total', 'sfoOutcomes.category1-level1.outstandingAtEnd', 'rsoRate.per100k.value'];
      const trend = await trends.trends('greater-manchester', { cells }, 2013, 2015, { atPosition });
      expect(trend.position).toBe(atPosition.toString());
      expect(trend.cells.map((c) => c.cell)).toEqual(cells);
      for (const [i, year] of [2013, 2014, 2015].entries()) {
        const report = await reports.report('greater-manchester', year, { atPosition });
        for (const c of trend.cells) expect({ cell: c.cell, year, value: c.years[i].value }).toEqual({ cell: c.cell, year, value: report.cells[c.cell] });
      }
      expect(trend.cells.find((c) => c.cell === 'rsoRate.per100k.value')!.kind).toBe('snapshot');
      expect(trend.cells.find((c) => c.cell === 'level23InYear.total.total')!.kind).toBe('period');
    });

    it('shows the published figure beside the computed one where a publication holds it, and only there', async () => {
      const trend = await trends.trends('greater-manchester', { cells: ['offendersOnSnapshot.total.total', 'level23InYear.total.total'] }, 2012, 2015);
      const [snapshot, level23] = trend.cells;
      expect(snapshot.years.map((p) => p.published)).toEqual([undefined, 7, 1234, undefined]);
      expect(snapshot.years.map((p) => 'published' in p)).toEqual([false, true, true, false]);
      expect(level23.years.every((p) => !('published' in p))).toBe(true);
      const elsewhere = await trends.trends('merseyside', { table: 'offendersOnSnapshot' }, 2013, 2014);
      expect(elsewhere.cells.every((c) => c.years.every((p) => !('published' in p)))).toBe(true);
    });

    it('refuses unknown tables and cells (404), empty or reversed ranges (400), with the documented statuses', async () => {
      await expect(trends.trends('greater-manchester', { table: 'offendersOnSnapshots' }, 2013, 2014)).rejects.toMatchObject({
        status: 404,
        message: expect.stringContaining('offendersOnSnapshot'),
      });
      await expect(trends.trends('greater-manchester', { cells: ['offendersOnSnapshot.level9.category1'] }, 2013, 2014)).rejects.toMatchObject({ status: 404 });
      await expect(trends.trends('greater-manchester', { cells: ['nope'] }, 2013, 2014)).rejects.toMatchObject({ status: 404 });
      await expect(trends.trends('greater-manchester', { cells: [] }, 2013, 2014)).rejects.toMatchObject({ status: 400 });
      await expect(trends.trends('greater-manchester', { table: 'offendersOnSnapshot' }, 2015, 2014)).rejects.toMatchObject({ status: 400 });
      await expect(trends.trends('greater-manchester', { table: 'offendersOnSnapshot' }, 1990, 2060)).rejects.toMatchObject({ status: 400 });
      await expect(trends.trends('atlantis', { table: 'offendersOnSnapshot' }, 2013, 2014)).rejects.toMatchObject({ status: 404 });
    });
  });
}

describeOnEachDatabase('trends', describeTrends);
