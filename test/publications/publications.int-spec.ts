import { ProjectionRunner } from '../../projections/projection-runner';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { Publications } from '../../src/publications/publications';
import { CAUSE_KINDS, RevisionsService, type Revisions } from '../../src/publications/revisions';
import { ReportService } from '../../src/reports/report.service';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { testMetadata } from '../support/offender-event-fixtures';
import { randomHistory } from '../support/random-history';
import { appendEventByEvent } from '../support/append-event-by-event';

// Publications (issue 14.2) survive a rebuild and stay as recorded; revisions (issue 14.3) between
// two knowledge moments are exactly the cell-by-cell difference of the two reports, on random
// histories, and every cause they cite is an event of that offender, recorded in between, at its
// position in the store.

const AGENCIES = ['police', 'probation', 'prison', 'moj'] as const;

const at = (position: bigint) => ({ asked: position.toString(), knowledge: { atPosition: position } });

describeOnEachDatabase('publications and revisions', (name, open) => describePublications(name, open));

function describePublications(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`publications and revisions on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;
    let events: RecordedOffenderEvent[];
    let byPosition: Map<string, RecordedOffenderEvent>;
    let runner: ProjectionRunner;
    let reports: ReportService;
    let revisions: RevisionsService;
    let publications: Publications;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
      events = await appendEventByEvent(store, [...randomHistory({ seed: 141, offenders: 100, proposals: 35 }), ...randomHistory({ seed: 142, offenders: 100, proposals: 35 })], {
        metadata: (index) => testMetadata({ agency: AGENCIES[index % AGENCIES.length] }),
      });
      byPosition = new Map(events.map((e) => [e.position.toString(), e]));
      runner = new ProjectionRunner(store, db, undefined, 500);
      await runner.init();
      await runner.catchUp();
      reports = new ReportService(db, runner);
      revisions = new RevisionsService(db, reports);
      publications = new Publications(db, reports, { now: () => new Date('2016-06-01T12:00:00Z') });
    }, 120_000);
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    const positionAt = (fraction: number): bigint => (fraction === 0 ? 0n : events[Math.floor((events.length - 1) * fraction)].position);

    it.each([
      ['greater-manchester', 2014, 0.3, 0.6],
      ['greater-manchester', 2013, 0.5, 1],
      ['lancashire', 2014, 0, 0.5],
      ['merseyside', 2015, 0.7, 1],
      ['england-and-wales', 2014, 0.4, 0.9],
    ])('%s %i from %f to %f: every differing cell, both values, entered - left = the change', async (area, year, a, b) => {
      const [p1, p2] = [positionAt(a), positionAt(b)];
      const [before, after] = [await reports.report(area, year, { atPosition: p1 }), await reports.report(area, year, { atPosition: p2 })];
      const answer = await revisions.revisions(area, year, at(p1), at(p2), 'items');
      // A division row only one report has (6.10: rows are the divisions found) holds nobody in the other.
      const value = (cells: Record<string, number>, id: string) => cells[id] ?? 0;
      const differing = [...new Set([...Object.keys(before.cells), ...Object.keys(after.cells)])]
        .filter((id) => !Object.is(value(before.cells, id), value(after.cells, id)))
        .sort();
      expect(differing.length).toBeGreaterThan(0); // the histories are busy enough for this to mean something
      expect(answer.cells.map((c) => c.cellId).sort()).toEqual(differing);
      for (const cell of answer.cells) {
        expect({ cell: cell.cellId, from: cell.from, to: cell.to }).toEqual({ cell: cell.cellId, from: value(before.cells, cell.cellId), to: value(after.cells, cell.cellId) });
        expect(cell.items).toHaveLength(cell.entered + cell.left);
        expect(CAUSE_KINDS.reduce((n, k) => n + cell.causes[k], 0)).toBe(cell.entered + cell.left);
        // rsoRate is a rounded rate of its items, not a count of them.
        if (!cell.cellId.startsWith('rsoRate.')) expect({ cell: cell.cellId, change: cell.entered - cell.left }).toEqual({ cell: cell.cellId, change: cell.change });
      }
      expectCausesInStore(answer, p1, p2);
      expect(answer.eventsBetween).toBe(events.filter((e) => e.position > p1 && e.position <= p2).length);
    });

    function expectCausesInStore(answer: Revisions, p1: bigint, p2: bigint) {
      for (const cell of answer.cells) {
        for (const item of cell.items ?? []) {
          const cause = byPosition.get(item.cause.position);
          expect(cause).toBeDefined();
          expect(BigInt(item.cause.position) > p1 && BigInt(item.cause.position) <= p2).toBe(true);
          expect({
            eventId: cause!.eventId,
            type: cause!.type,
            occurredOn: cause!.occurredOn,
            revision: cause!.revision,
            agency: cause!.metadata.agency,
            offenderId: cause!.offenderId,
          }).toEqual({
            eventId: item.cause.eventId,
            type: item.cause.type,
            occurredOn: item.cause.occurredOn,
            revision: item.cause.revision,
            agency: item.cause.agency,
            offenderId: item.offenderId,
          });
          if (item.cause.kind === 'retraction') expect(cause!.type).toBe('EventRetracted');
          const counted = byPosition.get(item.counted.position);
          expect({ eventId: counted?.eventId, offenderId: counted?.offenderId }).toEqual({ eventId: item.counted.eventId, offenderId: item.offenderId });
        }
      }
    }

    it('the same moment twice revises nothing; from after to is refused', async () => {
      const p = positionAt(0.5);
      expect((await revisions.revisions('greater-manchester', 2014, at(p), at(p), 'items')).cells).toEqual([]);
      await expect(revisions.revisions('greater-manchester', 2014, at(positionAt(0.9)), at(p), 'items')).rejects.toMatchObject({ status: 400 });
    });

    it('counts leave out every offender id and counted event', async () => {
      const [p1, p2] = [positionAt(0.2), positionAt(1)];
      const answer = await revisions.revisions('greater-manchester', 2014, at(p1), at(p2), 'counts');
      expect(answer.cells.length).toBeGreaterThan(0);
      const text = JSON.stringify(answer);
      for (const e of events) expect(text.includes(e.offenderId) || text.includes(e.eventId)).toBe(false);
      expect(answer.cells.every((c) => c.items === undefined)).toBe(true);
    });

    it('a publication survives a rebuild, as recorded, and its report recomputes to what was published', async () => {
      const report = await reports.report('greater-manchester', 2014, { atPosition: positionAt(0.7) });
      const printed = Object.fromEntries(Object.entries(report.cells).filter(([, v]) => Number.isFinite(v)));
      printed['offendersOnSnapshot.total.total'] += 1; // a printed figure that does not add up
      const published = await publications.publish({
        caller: 'local-operator',
        area: 'greater-manchester',
        year: 2014,
        knowledge: { atPosition: positionAt(0.7) },
        publishedOn: '2015-10-29',
        figures: { area: 'greater-manchester', year: '2014/15', cells: printed },
      });
      expect(published.position).toBe(positionAt(0.7).toString());
      expect(
        published.figureChecks
          .filter((c) => !c.ok)
          .map((c) => c.id)
          .sort(),
      ).toEqual(['offendersOnSnapshot.column.total', 'offendersOnSnapshot.row.total']);
      expect(published.differences).toEqual([
        {
          cellId: 'offendersOnSnapshot.total.total',
          computed: report.cells['offendersOnSnapshot.total.total'],
          published: printed['offendersOnSnapshot.total.total'],
          difference: -1,
        },
      ]);
      const listed = await publications.list('greater-manchester');

      await runner.rebuild();

      expect(await publications.list('greater-manchester')).toEqual(listed);
      expect(await publications.get(published.id)).toEqual(published);
      const asPublished = await publications.reportAsPublished(published);
      expect(asPublished.recomputedMatches).toBe(true);
      expect(asPublished.report.cells).toEqual(report.cells);
      expect(asPublished.publishedCells).toEqual(printed);
      expect((await publications.publishedCells('greater-manchester')).get('2014-15')).toEqual(printed);
    });

    it('is append-only: updates, deletes and truncation are refused by the database', async () => {
      await publications.publish({ caller: 'local-operator', area: 'lancashire', year: 2014, knowledge: {} });
      await expect(db.query("UPDATE publications SET area = 'kent'")).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM publications')).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE publications')).rejects.toThrow(/append-only/);
      expect((await publications.list('lancashire')).length).toBe(1);
    });

    it('the latest publication of each year is the one shown beside computed figures', async () => {
      const first = await publications.publish({ caller: 'local-operator', area: 'merseyside', year: 2014, knowledge: { atPosition: positionAt(0.3) } });
      const second = await publications.publish({ caller: 'local-operator', area: 'merseyside', year: 2014, knowledge: {} });
      await publications.publish({ caller: 'local-operator', area: 'merseyside', year: 2013, knowledge: {} });
      const shown = await publications.publishedCells('merseyside');
      expect([...shown.keys()].sort()).toEqual(['2013-14', '2014-15']);
      expect(shown.get('2014-15')).toEqual(second.computedCells);
      expect(first.id < second.id || first.id.length < second.id.length).toBe(true);
      // A revision from a publication starts at its position.
      const revised = await revisions.revisions(
        'merseyside',
        2014,
        await publications.moment({ kind: 'publication', id: first.id }, 'from', 'merseyside'),
        await publications.moment({ kind: 'publication', id: second.id }, 'to', 'merseyside'),
        'counts',
      );
      expect(revised.from).toMatchObject({ position: first.position, publication: { id: first.id } });
      expect(revised.to.position).toBe(second.position);
      await expect(publications.moment({ kind: 'publication', id: first.id }, 'from', 'lancashire')).rejects.toMatchObject({ status: 400 });
    });
  });
}
