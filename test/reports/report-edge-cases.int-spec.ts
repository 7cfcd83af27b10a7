import type { NewOffenderEvent, OffenderEventData } from '../../src/domain/offender-event';
import { AREAS } from '../../src/domain/reference-areas';
import { computeReportByFolding, snapshotByFolding } from '../../src/reports/baseline/fold-report';
import { reportCellIds } from '../../src/reports/tables';
import { recordInOrder } from './recorded-events';
import { eventsOf } from '../support/offender-events';
import { ProjectionRunner } from '../../projections/projection-runner';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { ReportService } from '../../src/reports/report.service';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';

// Small hand-built histories, one edge case of DOMAIN.md section 6 each, run against both ways of
// computing the report: the fold-per-query oracle (src/reports/baseline) and the SQL report over
// the read models (events appended to a real store, projected incrementally, then queried).

const GM = 'greater-manchester';
const Y = 2014; // report year 2014/15: P = 2014-04-01 .. 2015-03-31

let counter = 0;
/** Events of one offender, with UUID-shaped ids in the order written. */
const offender = (offenderId: string) => eventsOf(offenderId, () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`);

/** How a report is computed from a history: the oracle, or the SQL report over projected read models. */
interface Engine {
  report(events: NewOffenderEvent[], area?: string, knownUpTo?: bigint): Promise<Record<string, number>>;
  snapshot(events: NewOffenderEvent[], area: string, date: string): Promise<Record<string, number>>;
}

const foldEngine: Engine = {
  report: async (events, area = GM, knownUpTo) => computeReportByFolding(recordInOrder(events), { area, year: Y, knownUpTo }),
  snapshot: async (events, area, date) => snapshotByFolding(recordInOrder(events), area, date),
};

/** Appends the history (one item per event, so positions follow the list) and projects it. */
function sqlEngine(): Engine & { close(): Promise<void> } {
  let opened: Promise<{ db: PgliteSqlClient; store: PostgresEventStore }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      const db = await PgliteSqlClient.open();
      const store = new PostgresEventStore(db);
      await store.init();
      return { db, store };
    })());
  const load = async (events: NewOffenderEvent[]) => {
    const { db, store } = await open();
    const readModels = [...new ProjectionRunner(store, db).projections.flatMap((p) => p.tables), 'rm_checkpoint'];
    await db.exec(`DROP TABLE IF EXISTS ${readModels.join(', ')};
      TRUNCATE events; UPDATE event_store_head SET last_position = 0, last_recorded_at = NULL`);
    const recorded = recordInOrder(events);
    const results = await store.appendToStreams(
      recorded.map((e) => ({
        offenderId: e.offenderId,
        expectedRevision: e.revision === 0 ? 'no-stream' : e.revision - 1,
        events: [e],
        metadata: e.metadata,
        recordedAt: e.recordedAt,
      })),
    );
    if (results.some((r) => r.status !== 'appended')) throw new Error('the history could not be appended');
    const runner = new ProjectionRunner(store, db, undefined, 3);
    await runner.init();
    await runner.catchUp();
    return new ReportService(db, runner);
  };
  return {
    report: async (events, area = GM, knownUpTo) => (await (await load(events)).report(area, Y, { atPosition: knownUpTo })).cells,
    snapshot: async (events, area, date) => (await (await load(events)).snapshot(area, date)).cells,
    close: async () => {
      if (!opened) return;
      const { db, store } = await opened;
      await store.close();
      await db.close();
    },
  };
}

/** The non-zero cells of a table. */
function nonZero(cells: Record<string, number>, table: string): Record<string, number> {
  return Object.fromEntries(Object.entries(cells).filter(([id, v]) => id.startsWith(`${table}.`) && v !== 0));
}

const registration = (area = GM, extra: Partial<OffenderEventData['OffenderRegistered']> = {}) => ({
  area,
  category: 1 as const,
  level: 1 as const,
  inCustody: false,
  underSupervision: true,
  ...extra,
});

const sql = sqlEngine();
afterAll(() => sql.close());

describe.each([
  ['the fold oracle', foldEngine],
  ['the SQL report over the read models', sql],
])('%s', (_name: string, engine: Engine) => {
  const report = engine.report;
  const snapshot = engine.snapshot;

  it('produces every cell of every table, zero for no events', async () => {
    const cells = await report([]);
    expect(Object.keys(cells).sort()).toEqual(reportCellIds(GM).sort());
    expect(Object.values(cells).every((v) => v === 0)).toBe(true);
  });

  it('reads events in any order', async () => {
    const a = offender('A');
    const events = [a.event('OffenderRegistered', '2013-01-01', registration()), a.levelChanged('2014-05-01', 2), a.divisionChanged('2014-06-01', 'bury')];
    expect(await report([...events].reverse())).toEqual(await report(events));
    expect(await report(events)).toEqual(await foldEngine.report(events));
  });

  describe('6.1 offendersOnSnapshot and 6.10 rsoByDivision', () => {
    it('leaves out an offender in custody over 31 March, and counts one released on it', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration(GM, { division: 'bury' })),
        a.custodyEntered('2015-03-20', 'remand'),
        a.released('2015-04-02', false),
        b.event('OffenderRegistered', '2013-01-01', registration(GM, { division: 'bury', inCustody: true })),
        b.released('2015-03-31', true),
      ]);
      expect(nonZero(cells, 'offendersOnSnapshot')).toEqual({
        'offendersOnSnapshot.level1.category1': 1,
        'offendersOnSnapshot.level1.total': 1,
        'offendersOnSnapshot.total.category1': 1,
        'offendersOnSnapshot.total.total': 1,
      });
      expect(cells['rsoByDivision.bury.count']).toBe(1);
    });

    it('counts category 1 offenders without a division as unassigned, and the total equals 6.1', async () => {
      const a = offender('A');
      const b = offender('B');
      const c = offender('C');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration(GM, { division: 'wigan' })),
        b.event('OffenderRegistered', '2013-01-01', registration('lancashire')),
        b.transferred('2015-02-01', GM),
        c.event('OffenderRegistered', '2013-01-01', registration(GM, { category: 2, division: 'wigan' })),
      ]);
      expect(nonZero(cells, 'rsoByDivision')).toEqual({
        'rsoByDivision.wigan.count': 1,
        'rsoByDivision.unassigned.count': 1,
        'rsoByDivision.total.count': 2,
      });
      expect(cells['offendersOnSnapshot.total.category1']).toBe(2);
    });

    it('gives table 6.1 at any date', async () => {
      const a = offender('A');
      const events = recordInOrder([
        a.event('OffenderRegistered', '2010-01-01', registration(GM, { category: 2 })),
        a.levelChanged('2012-06-01', 3),
        a.event('MappaManagementEnded', '2012-09-01', { reason: 'licence-expired' }),
      ]);
      expect((await snapshot(events, GM, '2012-06-01'))['offendersOnSnapshot.level3.category2']).toBe(1);
      expect((await snapshot(events, GM, '2012-05-31'))['offendersOnSnapshot.level1.category2']).toBe(1);
      expect((await snapshot(events, GM, '2012-09-01'))['offendersOnSnapshot.total.total']).toBe(0);
      expect((await snapshot(events, 'england-and-wales', '2012-06-01'))['offendersOnSnapshot.total.total']).toBe(1);
    });
  });

  describe('6.2 level23InYear', () => {
    it('counts an offender at level 2 then 3 in one year once, at level 3', async () => {
      const a = offender('A');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration()),
        a.levelChanged('2014-05-01', 2),
        a.levelChanged('2014-09-01', 3),
        a.levelChanged('2015-01-01', 2),
      ]);
      expect(nonZero(cells, 'level23InYear')).toEqual({
        'level23InYear.level3.category1': 1,
        'level23InYear.level3.total': 1,
        'level23InYear.total.category1': 1,
        'level23InYear.total.total': 1,
      });
    });

    it('takes the category of the last day at the highest level', async () => {
      const a = offender('A');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration(GM, { category: 2, level: 3 })),
        a.categoryChanged('2014-06-01', 1),
        a.levelChanged('2014-08-01', 2),
        a.categoryChanged('2014-10-01', 2),
      ]);
      expect(cells['level23InYear.level3.category1']).toBe(1);
      expect(cells['level23InYear.total.total']).toBe(1);
    });

    it('counts a level held on 1 April from before the year, not one left on 31 March or 1 April', async () => {
      const held = offender('A');
      const leftBefore = offender('B');
      const leftOnFirstDay = offender('C');
      const cells = await report([
        held.event('OffenderRegistered', '2013-01-01', registration(GM, { level: 2 })),
        leftBefore.event('OffenderRegistered', '2013-01-01', registration(GM, { level: 2 })),
        leftBefore.levelChanged('2014-03-31', 1),
        leftOnFirstDay.event('OffenderRegistered', '2013-01-01', registration(GM, { level: 2 })),
        // State at the end of 1 April is level 1 (DOMAIN.md 6: "at date D" is the end of D).
        leftOnFirstDay.levelChanged('2014-04-01', 1),
      ]);
      expect(cells['level23InYear.total.total']).toBe(1);
    });

    it('counts only the days in the area: level 3 elsewhere before a transfer in at level 2', async () => {
      const a = offender('LA-1');
      const events = [a.event('OffenderRegistered', '2013-01-01', registration('lancashire', { level: 3 })), a.levelChanged('2014-06-01', 2), a.transferred('2014-07-01', GM)];
      expect((await report(events))['level23InYear.level2.category1']).toBe(1);
      expect((await report(events, 'lancashire'))['level23InYear.level3.category1']).toBe(1);
      const national = await report(events, 'england-and-wales');
      expect(national['level23InYear.total.total']).toBe(2); // the sum over areas
    });
  });

  describe('6.3 ordersImposed and 6.4 notificationBreaches', () => {
    it('counts orders imposed in the year on offenders in the area on the order date', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration()),
        a.sopoImposed('2014-03-31', 's1'),
        a.sopoImposed('2014-04-01', 's2'),
        a.notificationOrderImposed('2014-05-01', 'n1'),
        a.event('ForeignTravelOrderImposed', '2015-04-01', { orderId: 'f1' }),
        b.event('OffenderRegistered', '2013-01-01', registration('lancashire')),
        b.sopoImposed('2014-05-01', 's1'),
        b.transferred('2014-06-01', GM),
      ]);
      expect(nonZero(cells, 'ordersImposed')).toEqual({ 'ordersImposed.sopo.count': 1, 'ordersImposed.notificationOrder.count': 1 });
    });

    it('counts distinct offenders cautioned or convicted, never no further action', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration()),
        a.event('NotificationRequirementBreached', '2014-05-01', { outcome: 'caution' }),
        a.event('NotificationRequirementBreached', '2014-09-01', { outcome: 'conviction' }),
        b.event('OffenderRegistered', '2013-01-01', registration()),
        b.event('NotificationRequirementBreached', '2014-05-01', { outcome: 'no-further-action' }),
      ]);
      expect(cells['notificationBreaches.rso.count']).toBe(1);
    });
  });

  describe('6.5 recalledForLicenceBreach', () => {
    const onLicence = (area = GM, level: 1 | 2 | 3 = 2, category: 1 | 2 | 3 = 2) => registration(area, { category, level, onLicence: true });

    it('does not count a recall at level 1, a breach without recall, nor a custody "recall" without a breach', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', onLicence(GM, 1)),
        a.licenceBreached('2014-05-01', true),
        b.event('OffenderRegistered', '2013-01-01', onLicence(GM, 2)),
        b.licenceBreached('2014-04-20', false), // a warning
        b.custodyEntered('2014-05-01', 'recall'),
      ]);
      expect(nonZero(cells, 'recalledForLicenceBreach')).toEqual({});
    });

    it('counts an offender recalled twice once, at the category and level of the last recall', async () => {
      const a = offender('A');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', onLicence(GM, 3)),
        a.licenceBreached('2014-05-01', true),
        a.released('2014-08-01', true),
        a.levelChanged('2014-09-01', 2),
        a.licenceBreached('2015-01-10', true),
        a.levelChanged('2015-02-01', 3),
      ]);
      expect(nonZero(cells, 'recalledForLicenceBreach')).toEqual({
        'recalledForLicenceBreach.level2.category2': 1,
        'recalledForLicenceBreach.level2.total': 1,
        'recalledForLicenceBreach.total.category2': 1,
        'recalledForLicenceBreach.total.total': 1,
      });
    });

    it('attributes a recall to the area at the end of its day (recalled and transferred the same day)', async () => {
      const a = offender('A');
      const events = [a.event('OffenderRegistered', '2013-01-01', onLicence(GM, 2)), a.licenceBreached('2014-05-01', true), a.transferred('2014-05-01', 'cheshire')];
      expect((await report(events))['recalledForLicenceBreach.total.total']).toBe(0);
      expect((await report(events, 'cheshire'))['recalledForLicenceBreach.level2.category2']).toBe(1);
    });
  });

  describe('6.6 custodyForSopoBreach', () => {
    it('counts SOPO breaches sent to custody at level 2 or 3, by the level of the last one', async () => {
      const a = offender('A');
      const b = offender('B');
      const c = offender('C');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration(GM, { level: 3 })),
        a.sopoImposed('2013-02-01', 's'),
        a.sopoBreached('2014-05-01', 's', true),
        b.event('OffenderRegistered', '2013-01-01', registration(GM, { level: 1 })),
        b.sopoImposed('2013-02-01', 's'),
        b.sopoBreached('2014-05-01', 's', true),
        c.event('OffenderRegistered', '2013-01-01', registration(GM, { level: 2 })),
        c.sopoImposed('2013-02-01', 's'),
        c.sopoBreached('2014-05-01', 's', false),
      ]);
      expect(nonZero(cells, 'custodyForSopoBreach')).toEqual({ 'custodyForSopoBreach.category1.level3': 1, 'custodyForSopoBreach.category1.total': 1 });
    });
  });

  describe('6.7-6.9 serious further offences', () => {
    it('counts a case whose offender transferred out before its outcome in leftArea only', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration(GM, { category: 3, level: 3 })),
        a.event('SfoCharged', '2013-11-14', { chargeId: 'c1' }),
        a.transferred('2014-07-08', 'lancashire'),
        a.sfoOutcome('2014-12-05', 'c1', 'convicted'),
        b.event('OffenderRegistered', '2013-01-01', registration(GM, { category: 3, level: 3 })),
        b.event('SfoCharged', '2014-08-19', { chargeId: 'c1' }),
        b.transferred('2015-01-12', 'merseyside'),
      ]);
      expect(nonZero(cells, 'sfoCharges')).toEqual({
        'sfoCharges.category3-level3.chargedInYear': 1,
        'sfoCharges.category3-level3.chargedInPreviousYear': 1,
        'sfoCharges.category3-level3.outstandingAtStart': 1,
      });
      expect(nonZero(cells, 'sfoOutcomes')).toEqual({ 'sfoOutcomes.category3-level3.leftArea': 2 });
    });

    it('sorts outcomes into convicted, other and outstanding by their dates', async () => {
      const a = offender('A');
      const cells = await report([
        a.event('OffenderRegistered', '2011-01-01', registration(GM, { category: 2 })),
        a.event('SfoCharged', '2012-01-01', { chargeId: 'old' }), // outstanding at start, not the previous year
        a.event('SfoCharged', '2013-05-01', { chargeId: 'closed' }),
        a.sfoOutcome('2014-03-31', 'closed', 'convicted'), // the day before P
        a.event('SfoCharged', '2013-06-01', { chargeId: 'prev' }),
        a.sfoOutcome('2014-04-01', 'prev', 'acquitted'),
        a.event('SfoCharged', '2014-05-01', { chargeId: 'now' }),
        a.sfoOutcome('2015-03-31', 'now', 'convicted'),
        a.event('SfoCharged', '2015-01-01', { chargeId: 'late' }),
        a.sfoOutcome('2015-04-01', 'late', 'convicted'),
        a.sfoOutcome('2014-06-01', 'old', 'discontinued'),
      ]);
      expect(nonZero(cells, 'sfoCharges')).toEqual({
        'sfoCharges.category2-level1.chargedInYear': 2,
        'sfoCharges.category2-level1.chargedInPreviousYear': 2,
        'sfoCharges.category2-level1.outstandingAtStart': 2,
      });
      expect(nonZero(cells, 'sfoOutcomes')).toEqual({
        'sfoOutcomes.category2-level1.convicted': 1,
        'sfoOutcomes.category2-level1.outstandingAtEnd': 1,
        'sfoOutcomes.category2-level1.otherOutcome': 2,
      });
    });

    it('counts a review commenced in the year by the category and level on its charge date', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a.event('OffenderRegistered', '2013-01-01', registration(GM, { category: 2, level: 2 })),
        a.event('SfoCharged', '2014-02-01', { chargeId: 'c' }),
        a.levelChanged('2014-03-01', 3),
        a.reviewCommenced('2014-05-01', 'r', 'c'),
        b.event('OffenderRegistered', '2013-01-01', registration(GM, { category: 1, level: 3 })),
        b.event('SfoCharged', '2014-02-01', { chargeId: 'c' }),
        b.reviewCommenced('2014-03-01', 'r', 'c'), // before the year
      ]);
      expect(nonZero(cells, 'seriousCaseReviews')).toEqual({ 'seriousCaseReviews.level2.category2': 1 });
    });
  });

  describe('late and retracted events', () => {
    it('counts a back-dated level change once it is known, and not before', async () => {
      const a = offender('A');
      const events = [
        a.event('OffenderRegistered', '2013-01-01', registration()),
        a.divisionChanged('2014-10-01', 'bolton'),
        a.levelChanged('2014-06-01', 2), // recorded third, dated first
      ];
      expect((await report(events, GM, 2n))['level23InYear.total.total']).toBe(0);
      expect((await report(events, GM, 3n))['level23InYear.level2.category1']).toBe(1);
      expect((await report(events))['offendersOnSnapshot.level2.category1']).toBe(1);
    });

    it('removes a retracted event at every date once the retraction is known', async () => {
      const a = offender('A');
      const wrong = a.levelChanged('2014-06-01', 3);
      const events = [
        a.event('OffenderRegistered', '2013-01-01', registration()),
        wrong,
        a.event('EventRetracted', '2014-06-08', { retractedEventId: wrong.eventId, reason: 'keyed in error' }),
        a.levelChanged('2014-06-01', 2),
      ];
      expect((await report(events, GM, 2n))['level23InYear.level3.category1']).toBe(1);
      expect((await report(events, GM, 3n))['level23InYear.total.total']).toBe(0);
      const corrected = await report(events);
      expect(corrected['level23InYear.level2.category1']).toBe(1);
      expect(corrected['level23InYear.level3.category1']).toBe(0);
    });

    it('counts an order in the area a later-recorded transfer moved it to, from the transfer on', async () => {
      const a = offender('A');
      const events = [
        a.event('OffenderRegistered', '2013-01-01', registration('lancashire')),
        a.sopoImposed('2014-06-01', 's1'),
        offender('B').event('OffenderRegistered', '2013-01-01', registration('kent')), // the SQL engine projects 3 at a time
        a.transferred('2014-05-01', GM), // recorded fourth, dated before the order
      ];
      expect((await report(events, GM, 3n))['ordersImposed.sopo.count']).toBe(0);
      expect((await report(events, 'lancashire', 3n))['ordersImposed.sopo.count']).toBe(1);
      expect((await report(events, GM))['ordersImposed.sopo.count']).toBe(1);
      expect((await report(events, 'lancashire'))['ordersImposed.sopo.count']).toBe(0);
    });
  });

  describe('6.11 rsoRate and england-and-wales', () => {
    it('rates category 1 offenders per 100,000 aged 10 and over, half up', async () => {
      const events = Array.from({ length: 2662 }, (_, i) => offender(`A${i}`).event('OffenderRegistered', '2013-01-01', registration()));
      expect((await report(events))['rsoRate.per100k.value']).toBe(112);
    });

    it('sums the areas, with a division-table row per area', async () => {
      const a = offender('A');
      const b = offender('B');
      const national = await report(
        [a.event('OffenderRegistered', '2013-01-01', registration(GM, { division: 'bury' })), b.event('OffenderRegistered', '2013-01-01', registration('kent', { level: 2 }))],
        'england-and-wales',
      );
      expect(Object.keys(nonZero(national, 'rsoByDivision')).sort()).toEqual(['rsoByDivision.greater-manchester.count', 'rsoByDivision.kent.count', 'rsoByDivision.total.count']);
      expect(national['rsoByDivision.total.count']).toBe(2);
      expect(national['offendersOnSnapshot.total.category1']).toBe(2);
      expect(national['level23InYear.level2.category1']).toBe(1);
      expect(Object.keys(national).filter((id) => id.startsWith('rsoByDivision.'))).toHaveLength(AREAS.length + 1);
    });
  });
});
