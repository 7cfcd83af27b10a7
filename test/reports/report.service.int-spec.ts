import { ProjectionRunner } from '../../projections/projection-runner';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { computeReportByFolding, snapshotByFolding } from '../../src/reports/baseline/fold-report';
import { ReportService } from '../../src/reports/report.service';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { randomHistory } from '../support/random-history';
import { appendEventByEvent } from '../support/append-event-by-event';

// The SQL report over the read models equals the fold-per-query oracle (src/reports/baseline)
// on random valid histories, for several areas, years, snapshot dates and knowledge positions;
// and every traced cell lists exactly as many items as it counts, each citing stored events.

function describeReport(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`the report on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;
    let events: RecordedOffenderEvent[];
    let service: ReportService;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
      events = await appendEventByEvent(store, [...randomHistory({ seed: 101, offenders: 120, proposals: 35 }), ...randomHistory({ seed: 102, offenders: 120, proposals: 35 })]);
      const runner = new ProjectionRunner(store, db, undefined, 500);
      await runner.init();
      await runner.catchUp();
      service = new ReportService(db, runner);
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it.each([
      ['greater-manchester', 2013],
      ['greater-manchester', 2014],
      ['lancashire', 2014],
      ['merseyside', 2015],
      ['england-and-wales', 2014],
    ])('%s %i equals the fold of the events, cell for cell', async (area, year) => {
      const report = await service.report(area, year);
      expect(report.position).toBe(events[events.length - 1].position.toString());
      expect(report.cells).toEqual(computeReportByFolding(events, { area, year }));
    });

    it('as known at earlier positions, equals the fold of the events known then', async () => {
      for (const fraction of [0.25, 0.5, 0.8]) {
        const knownUpTo = events[Math.floor(events.length * fraction)].position;
        for (const area of ['greater-manchester', 'england-and-wales']) {
          const report = await service.report(area, 2014, { atPosition: knownUpTo });
          expect({ area, knownUpTo, cells: report.cells }).toEqual({ area, knownUpTo, cells: computeReportByFolding(events, { area, year: 2014, knownUpTo }) });
        }
      }
    });

    it('a snapshot for any date equals the fold', async () => {
      for (const date of ['2012-12-25', '2013-07-01', '2014-02-28', '2016-06-30']) {
        const snapshot = await service.snapshot('greater-manchester', date);
        expect(snapshot.cells).toEqual(snapshotByFolding(events, 'greater-manchester', date));
      }
    });

    it('every non-zero cell traces to as many items as it counts, each citing stored events', async () => {
      const report = await service.report('greater-manchester', 2014);
      const byPosition = new Map(events.map((e) => [e.position.toString(), e]));
      const cells = Object.entries(report.cells).filter(([id, v]) => v > 0 && !id.startsWith('rsoRate'));
      expect(cells.length).toBeGreaterThan(10);
      for (const [cell, value] of cells) {
        const trace = await service.trace('greater-manchester', 2014, cell);
        expect({ cell, items: trace.items.length }).toEqual({ cell, items: value });
        expect(trace.position).toBe(report.position);
        for (const item of trace.items) {
          for (const ref of [item.counted, ...Object.values(item.fixedBy)]) {
            const stored = byPosition.get(ref.position);
            expect(stored?.eventId).toBe(ref.eventId);
            expect(stored?.offenderId).toBe(item.offenderId);
            expect(stored?.revision).toBe(ref.revision);
          }
        }
      }
    });
  });
}

describeOnEachDatabase('the report', describeReport);
