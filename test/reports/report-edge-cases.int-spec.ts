import type { NewOffenderEvent, OffenderEventData, OffenderEventType } from '../../src/domain/offender-event';
import { AREAS } from '../../src/domain/reference-areas';
import { computeReportByFolding, snapshotByFolding } from '../../src/reports/baseline/fold-report';
import { reportCellIds } from '../../src/reports/tables';
import { recordInOrder } from './recorded-events';
import { createProjections, ProjectionRunner } from '../../projections/projection-runner';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { ReportService } from '../../src/reports/report.service';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';

// Small hand-built histories, one edge case of DOMAIN.md section 6 each, run against both ways of
// computing the report: the fold-per-query oracle (src/reports/baseline) and the SQL report over
// the read models (events appended to a real store, projected incrementally, then queried).

const GM = 'greater-manchester';
const Y = 2014; // report year 2014/15: P = 2014-04-01 .. 2015-03-31

let counter = 0;
/** Events of one offender, written as `e(date, type, data)`. */
function offender(offenderId: string) {
  return <T extends OffenderEventType>(occurredOn: string, type: T, data: OffenderEventData[T]): NewOffenderEvent =>
    ({ eventId: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`, offenderId, occurredOn, type, data }) as NewOffenderEvent;
}

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
    const readModels = [...createProjections().flatMap((p) => p.tables), 'rm_checkpoint'];
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

const registered = (area = GM, extra: Partial<OffenderEventData['OffenderRegistered']> = {}) => ({
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
    const events = [a('2013-01-01', 'OffenderRegistered', registered()), a('2014-05-01', 'LevelChanged', { level: 2 }), a('2014-06-01', 'DivisionChanged', { division: 'bury' })];
    expect(await report([...events].reverse())).toEqual(await report(events));
    expect(await report(events)).toEqual(await foldEngine.report(events));
  });

  describe('6.1 offendersOnSnapshot and 6.10 rsoByDivision', () => {
    it('leaves out an offender in custody over 31 March, and counts one released on it', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a('2013-01-01', 'OffenderRegistered', registered(GM, { division: 'bury' })),
        a('2015-03-20', 'CustodyEntered', { reason: 'remand' }),
        a('2015-04-02', 'ReleasedToCommunity', { onLicence: false }),
        b('2013-01-01', 'OffenderRegistered', registered(GM, { division: 'bury', inCustody: true })),
        b('2015-03-31', 'ReleasedToCommunity', { onLicence: true }),
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
        a('2013-01-01', 'OffenderRegistered', registered(GM, { division: 'wigan' })),
        b('2013-01-01', 'OffenderRegistered', registered('lancashire')),
        b('2015-02-01', 'OffenderTransferred', { toArea: GM }),
        c('2013-01-01', 'OffenderRegistered', registered(GM, { category: 2, division: 'wigan' })),
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
        a('2010-01-01', 'OffenderRegistered', registered(GM, { category: 2 })),
        a('2012-06-01', 'LevelChanged', { level: 3 }),
        a('2012-09-01', 'MappaManagementEnded', { reason: 'licence-expired' }),
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
        a('2013-01-01', 'OffenderRegistered', registered()),
        a('2014-05-01', 'LevelChanged', { level: 2 }),
        a('2014-09-01', 'LevelChanged', { level: 3 }),
        a('2015-01-01', 'LevelChanged', { level: 2 }),
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
        a('2013-01-01', 'OffenderRegistered', registered(GM, { category: 2, level: 3 })),
        a('2014-06-01', 'CategoryChanged', { category: 1 }),
        a('2014-08-01', 'LevelChanged', { level: 2 }),
        a('2014-10-01', 'CategoryChanged', { category: 2 }),
      ]);
      expect(cells['level23InYear.level3.category1']).toBe(1);
      expect(cells['level23InYear.total.total']).toBe(1);
    });

    it('counts a level held on 1 April from before the year, not one left on 31 March or 1 April', async () => {
      const held = offender('A');
      const leftBefore = offender('B');
      const leftOnFirstDay = offender('C');
      const cells = await report([
        held('2013-01-01', 'OffenderRegistered', registered(GM, { level: 2 })),
        leftBefore('2013-01-01', 'OffenderRegistered', registered(GM, { level: 2 })),
        leftBefore('2014-03-31', 'LevelChanged', { level: 1 }),
        leftOnFirstDay('2013-01-01', 'OffenderRegistered', registered(GM, { level: 2 })),
        // State at the end of 1 April is level 1 (DOMAIN.md 6: "at date D" is the end of D).
        leftOnFirstDay('2014-04-01', 'LevelChanged', { level: 1 }),
      ]);
      expect(cells['level23InYear.total.total']).toBe(1);
    });

    it('counts only the days in the area: level 3 elsewhere before a transfer in at level 2', async () => {
      const a = offender('LA-1');
      const events = [
        a('2013-01-01', 'OffenderRegistered', registered('lancashire', { level: 3 })),
        a('2014-06-01', 'LevelChanged', { level: 2 }),
        a('2014-07-01', 'OffenderTransferred', { toArea: GM }),
      ];
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
        a('2013-01-01', 'OffenderRegistered', registered()),
        a('2014-03-31', 'SopoImposed', { orderId: 's1' }),
        a('2014-04-01', 'SopoImposed', { orderId: 's2' }),
        a('2014-05-01', 'NotificationOrderImposed', { orderId: 'n1' }),
        a('2015-04-01', 'ForeignTravelOrderImposed', { orderId: 'f1' }),
        b('2013-01-01', 'OffenderRegistered', registered('lancashire')),
        b('2014-05-01', 'SopoImposed', { orderId: 's1' }),
        b('2014-06-01', 'OffenderTransferred', { toArea: GM }),
      ]);
      expect(nonZero(cells, 'ordersImposed')).toEqual({ 'ordersImposed.sopo.count': 1, 'ordersImposed.notificationOrder.count': 1 });
    });

    it('counts distinct offenders cautioned or convicted, never no further action', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a('2013-01-01', 'OffenderRegistered', registered()),
        a('2014-05-01', 'NotificationRequirementBreached', { outcome: 'caution' }),
        a('2014-09-01', 'NotificationRequirementBreached', { outcome: 'conviction' }),
        b('2013-01-01', 'OffenderRegistered', registered()),
        b('2014-05-01', 'NotificationRequirementBreached', { outcome: 'no-further-action' }),
      ]);
      expect(cells['notificationBreaches.rso.count']).toBe(1);
    });
  });

  describe('6.5 recalledForLicenceBreach', () => {
    const onLicence = (area = GM, level: 1 | 2 | 3 = 2, category: 1 | 2 | 3 = 2) => registered(area, { category, level, onLicence: true });

    it('does not count a recall at level 1, a breach without recall, nor a custody "recall" without a breach', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a('2013-01-01', 'OffenderRegistered', onLicence(GM, 1)),
        a('2014-05-01', 'LicenceBreached', { returnedToCustody: true }),
        b('2013-01-01', 'OffenderRegistered', onLicence(GM, 2)),
        b('2014-04-20', 'LicenceBreached', { returnedToCustody: false }), // a warning
        b('2014-05-01', 'CustodyEntered', { reason: 'recall' }),
      ]);
      expect(nonZero(cells, 'recalledForLicenceBreach')).toEqual({});
    });

    it('counts an offender recalled twice once, at the category and level of the last recall', async () => {
      const a = offender('A');
      const cells = await report([
        a('2013-01-01', 'OffenderRegistered', onLicence(GM, 3)),
        a('2014-05-01', 'LicenceBreached', { returnedToCustody: true }),
        a('2014-08-01', 'ReleasedToCommunity', { onLicence: true }),
        a('2014-09-01', 'LevelChanged', { level: 2 }),
        a('2015-01-10', 'LicenceBreached', { returnedToCustody: true }),
        a('2015-02-01', 'LevelChanged', { level: 3 }),
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
      const events = [
        a('2013-01-01', 'OffenderRegistered', onLicence(GM, 2)),
        a('2014-05-01', 'LicenceBreached', { returnedToCustody: true }),
        a('2014-05-01', 'OffenderTransferred', { toArea: 'cheshire' }),
      ];
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
        a('2013-01-01', 'OffenderRegistered', registered(GM, { level: 3 })),
        a('2013-02-01', 'SopoImposed', { orderId: 's' }),
        a('2014-05-01', 'SopoBreached', { orderId: 's', sentToCustody: true }),
        b('2013-01-01', 'OffenderRegistered', registered(GM, { level: 1 })),
        b('2013-02-01', 'SopoImposed', { orderId: 's' }),
        b('2014-05-01', 'SopoBreached', { orderId: 's', sentToCustody: true }),
        c('2013-01-01', 'OffenderRegistered', registered(GM, { level: 2 })),
        c('2013-02-01', 'SopoImposed', { orderId: 's' }),
        c('2014-05-01', 'SopoBreached', { orderId: 's', sentToCustody: false }),
      ]);
      expect(nonZero(cells, 'custodyForSopoBreach')).toEqual({ 'custodyForSopoBreach.category1.level3': 1, 'custodyForSopoBreach.category1.total': 1 });
    });
  });

  describe('6.7-6.9 serious further offences', () => {
    it('counts a case whose offender transferred out before its outcome in leftArea only', async () => {
      const a = offender('A');
      const b = offender('B');
      const cells = await report([
        a('2013-01-01', 'OffenderRegistered', registered(GM, { category: 3, level: 3 })),
        a('2013-11-14', 'SfoCharged', { chargeId: 'c1' }),
        a('2014-07-08', 'OffenderTransferred', { toArea: 'lancashire' }),
        a('2014-12-05', 'SfoOutcomeRecorded', { chargeId: 'c1', outcome: 'convicted' }),
        b('2013-01-01', 'OffenderRegistered', registered(GM, { category: 3, level: 3 })),
        b('2014-08-19', 'SfoCharged', { chargeId: 'c1' }),
        b('2015-01-12', 'OffenderTransferred', { toArea: 'merseyside' }),
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
        a('2011-01-01', 'OffenderRegistered', registered(GM, { category: 2 })),
        a('2012-01-01', 'SfoCharged', { chargeId: 'old' }), // outstanding at start, not the previous year
        a('2013-05-01', 'SfoCharged', { chargeId: 'closed' }),
        a('2014-03-31', 'SfoOutcomeRecorded', { chargeId: 'closed', outcome: 'convicted' }), // the day before P
        a('2013-06-01', 'SfoCharged', { chargeId: 'prev' }),
        a('2014-04-01', 'SfoOutcomeRecorded', { chargeId: 'prev', outcome: 'acquitted' }),
        a('2014-05-01', 'SfoCharged', { chargeId: 'now' }),
        a('2015-03-31', 'SfoOutcomeRecorded', { chargeId: 'now', outcome: 'convicted' }),
        a('2015-01-01', 'SfoCharged', { chargeId: 'late' }),
        a('2015-04-01', 'SfoOutcomeRecorded', { chargeId: 'late', outcome: 'convicted' }),
        a('2014-06-01', 'SfoOutcomeRecorded', { chargeId: 'old', outcome: 'discontinued' }),
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
        a('2013-01-01', 'OffenderRegistered', registered(GM, { category: 2, level: 2 })),
        a('2014-02-01', 'SfoCharged', { chargeId: 'c' }),
        a('2014-03-01', 'LevelChanged', { level: 3 }),
        a('2014-05-01', 'SeriousCaseReviewCommenced', { reviewId: 'r', chargeId: 'c' }),
        b('2013-01-01', 'OffenderRegistered', registered(GM, { category: 1, level: 3 })),
        b('2014-02-01', 'SfoCharged', { chargeId: 'c' }),
        b('2014-03-01', 'SeriousCaseReviewCommenced', { reviewId: 'r', chargeId: 'c' }), // before the year
      ]);
      expect(nonZero(cells, 'seriousCaseReviews')).toEqual({ 'seriousCaseReviews.level2.category2': 1 });
    });
  });

  describe('late and retracted events', () => {
    it('counts a back-dated level change once it is known, and not before', async () => {
      const a = offender('A');
      const events = [
        a('2013-01-01', 'OffenderRegistered', registered()),
        a('2014-10-01', 'DivisionChanged', { division: 'bolton' }),
        a('2014-06-01', 'LevelChanged', { level: 2 }), // recorded third, dated first
      ];
      expect((await report(events, GM, 2n))['level23InYear.total.total']).toBe(0);
      expect((await report(events, GM, 3n))['level23InYear.level2.category1']).toBe(1);
      expect((await report(events))['offendersOnSnapshot.level2.category1']).toBe(1);
    });

    it('removes a retracted event at every date once the retraction is known', async () => {
      const a = offender('A');
      const wrong = a('2014-06-01', 'LevelChanged', { level: 3 });
      const events = [
        a('2013-01-01', 'OffenderRegistered', registered()),
        wrong,
        a('2014-06-08', 'EventRetracted', { retractedEventId: wrong.eventId, reason: 'keyed in error' }),
        a('2014-06-01', 'LevelChanged', { level: 2 }),
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
        a('2013-01-01', 'OffenderRegistered', registered('lancashire')),
        a('2014-06-01', 'SopoImposed', { orderId: 's1' }),
        offender('B')('2013-01-01', 'OffenderRegistered', registered('kent')), // the SQL engine projects 3 at a time
        a('2014-05-01', 'OffenderTransferred', { toArea: GM }), // recorded fourth, dated before the order
      ];
      expect((await report(events, GM, 3n))['ordersImposed.sopo.count']).toBe(0);
      expect((await report(events, 'lancashire', 3n))['ordersImposed.sopo.count']).toBe(1);
      expect((await report(events, GM))['ordersImposed.sopo.count']).toBe(1);
      expect((await report(events, 'lancashire'))['ordersImposed.sopo.count']).toBe(0);
    });
  });

  describe('6.11 rsoRate and england-and-wales', () => {
    it('rates category 1 offenders per 100,000 aged 10 and over, half up', async () => {
      const events = Array.from({ length: 2662 }, (_, i) => offender(`A${i}`)('2013-01-01', 'OffenderRegistered', registered()));
      expect((await report(events))['rsoRate.per100k.value']).toBe(112);
    });

    it('sums the areas, with a division-table row per area', async () => {
      const a = offender('A');
      const b = offender('B');
      const national = await report(
        [a('2013-01-01', 'OffenderRegistered', registered(GM, { division: 'bury' })), b('2013-01-01', 'OffenderRegistered', registered('kent', { level: 2 }))],
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
