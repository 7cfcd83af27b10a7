import { ProjectionRunner } from '../../projections/projection-runner';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { TRACE_CSV_HEADER, traceItemsToCsv } from '../../src/reports/render/trace-csv';
import { ReportService, type TraceItem, type TracePage } from '../../src/reports/report.service';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { randomHistory } from '../support/random-history';
import { appendEventByEvent } from '../support/append-event-by-event';

// Issue 14.1 on random histories: a trace read page by page is exactly the unpaged trace (same
// items, same order, none twice, none missing), the summary counts the cell, and pages read while
// new events arrive stay at the position of the first page.

/** Every page of a trace from the first, following `next`. */
async function allPages(read: (after?: string) => Promise<TracePage>): Promise<TracePage[]> {
  const pages = [await read()];
  while (pages[pages.length - 1].next !== null) {
    pages.push(await read(pages[pages.length - 1].next!));
    if (pages.length > 10_000) throw new Error('paging does not end');
  }
  return pages;
}

function describePagedTrace(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`paged traces on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;
    let runner: ProjectionRunner;
    let service: ReportService;
    const revisions = new Map<string, number>();

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
      await appendEventByEvent(store, [...randomHistory({ seed: 141, offenders: 120, proposals: 35 }), ...randomHistory({ seed: 142, offenders: 120, proposals: 35 })], {
        revisions,
      });
      runner = new ProjectionRunner(store, db, undefined, 500);
      await runner.init();
      await runner.catchUp();
      service = new ReportService(db, runner);
    }, 120_000);
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it.each([
      ['greater-manchester', 2014, 3],
      ['lancashire', 2013, 7],
      ['england-and-wales', 2014, 5],
    ])(
      '%s %i: the pages of every non-zero cell (limit %i) are the unpaged trace, and the summary counts the cell',
      async (area, year, limit) => {
        const report = await service.report(area, year);
        const cells = Object.entries(report.cells).filter(([, v]) => v > 0);
        expect(cells.length).toBeGreaterThan(10);
        for (const [cell, value] of cells) {
          const whole = await service.trace(area, year, cell);
          const pages = await allPages((after) => service.tracePage(area, year, cell, { limit, after }));
          const paged = pages.flatMap((p) => p.items);
          expect({ cell, items: paged }).toEqual({ cell, items: whole.items });
          expect(new Set(paged.map((i) => JSON.stringify(i))).size).toBe(paged.length);
          expect(pages.every((p, i) => p.items.length === (i < pages.length - 1 ? limit : p.items.length) && p.position === whole.position)).toBe(true);
          expect(pages[pages.length - 1].items.length).toBeGreaterThan(0);
          const summary = pages[0].summary!;
          expect(pages.slice(1).some((p) => p.summary)).toBe(false);
          // The summary counts the cell (rsoRate: the category 1 offenders it divides by the population).
          const counted = cell.startsWith('rsoRate.') ? report.cells['offendersOnSnapshot.total.category1'] : value;
          expect({ cell, items: summary.items }).toEqual({ cell, items: counted });
          expect(summary.byArea).toEqual(countBy(whole.items, (i) => i.area));
          expect(summary.byCountedType).toEqual(countBy(whole.items, (i) => i.counted.type));
        }
      },
      300_000,
    );

    it('limit 0 gives the summary alone, with a cursor to the first item; an empty cell has no next', async () => {
      const report = await service.report('greater-manchester', 2014);
      const [cell, value] = Object.entries(report.cells).find(([id, v]) => v > 1 && !id.startsWith('rsoRate'))!;
      const head = await service.tracePage('greater-manchester', 2014, cell, { limit: 0 });
      expect(head.items).toEqual([]);
      expect(head.summary!.items).toBe(value);
      const rest = await service.tracePage('greater-manchester', 2014, cell, { limit: 1000, after: head.next! });
      expect(rest.items).toEqual((await service.trace('greater-manchester', 2014, cell)).items);
      expect(rest.next).toBeNull();
      const [zero] = Object.entries(report.cells).find(([id, v]) => v === 0 && !id.startsWith('rsoRate'))!;
      const empty = await service.tracePage('greater-manchester', 2014, zero, { limit: 0 });
      expect({ items: empty.summary!.items, next: empty.next }).toEqual({ items: 0, next: null });
    });

    it('the whole trace in pages for the CSV export is the unpaged trace', async () => {
      const cell = 'offendersOnSnapshot.total.total';
      const whole = await service.trace('england-and-wales', 2014, cell);
      const exported = await service.traceInPages('england-and-wales', 2014, cell, {}, 4);
      const items: TraceItem[] = [];
      for await (const page of exported.pages) items.push(...page);
      expect(items).toEqual(whole.items);
      expect(exported.summary.items).toBe(whole.value);
      expect(traceItemsToCsv(items).split('\n').length - 1).toBe(whole.value);
      expect(TRACE_CSV_HEADER.split(',')).toHaveLength(traceItemsToCsv(items.slice(0, 1)).split(',').length);
    });

    it('pages read while events arrive stay at the first page position, and equal the trace as known there', async () => {
      const area = 'greater-manchester';
      const cell = 'offendersOnSnapshot.total.total';
      const before = await service.trace(area, 2014, cell);
      const first = await service.tracePage(area, 2014, cell, { limit: 4 });
      // New offenders in the area while the caller reads on (they would sort among the items).
      const arriving = Array.from(
        { length: 6 },
        (_, i): NewOffenderEvent =>
          ({
            eventId: `00000000-0000-4000-8000-${String(900000 + i).padStart(12, '0')}`,
            type: 'OffenderRegistered',
            offenderId: `R141-${i}A`,
            occurredOn: '2014-05-01',
            data: { area, category: 1, level: 1, inCustody: false, underSupervision: true },
          }) as NewOffenderEvent,
      );
      await appendEventByEvent(store, arriving, { revisions });
      await runner.catchUp();
      expect((await service.report(area, 2014)).cells[cell]).toBe(before.value + 6);
      const pages = [first];
      while (pages[pages.length - 1].next !== null) pages.push(await service.tracePage(area, 2014, cell, { limit: 4, after: pages[pages.length - 1].next! }));
      expect(pages.flatMap((p) => p.items)).toEqual(before.items);
      expect(pages.every((p) => p.position === before.position)).toBe(true);
    });

    it('refuses a cursor it did not give out, and knowledge that disagrees with the cursor', async () => {
      const cell = 'offendersOnSnapshot.total.total';
      const first = await service.tracePage('greater-manchester', 2014, cell, { limit: 2 });
      await expect(service.tracePage('greater-manchester', 2014, cell, { limit: 2, after: 'not-a-cursor' })).rejects.toMatchObject({ status: 400 });
      await expect(service.tracePage('greater-manchester', 2014, cell, { limit: 2, after: first.next!, atPosition: 1n })).rejects.toMatchObject({ status: 400 });
      const same = await service.tracePage('greater-manchester', 2014, cell, { limit: 2, after: first.next!, atPosition: BigInt(first.position) });
      expect(same.position).toBe(first.position);
    });
  });
}

function countBy(items: readonly TraceItem[], key: (i: TraceItem) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

describeOnEachDatabase('paged traces', describePagedTrace);
