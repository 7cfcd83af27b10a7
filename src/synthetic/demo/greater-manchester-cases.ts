import type { Category, CustodyReason, MappaEndReason } from '../../domain/offender-event';
import { addDays, maxDate } from '../synthetic-calendar';
import { GM, GM_DIVISIONS, otherDivision, SNAPSHOT, YEAR_FROM } from './greater-manchester-constants';
import { NEIGHBOURING_AREAS, type HistoryWriter } from './history-writer';
import type { OffenderStory } from './offender-story';

// The hand-written cases: every level 2/3 offender of 2014/15, every SFO case and the edge cases; the comments name the cells each group feeds.

type Fate = 'atSnapshot' | 'stepDown' | 'recall' | 'custody' | 'transferredOut' | 'ended';

/** [category, level held in 2014/15, what happens to them, how many]. */
const COHORT: readonly [Category, 2 | 3, Fate, number][] = [
  // Category 1. 6.2: level 2 39, level 3 12 (with the cases written out below). 6.5: 6 and 3.
  [1, 2, 'atSnapshot', 3],
  [1, 2, 'stepDown', 15],
  [1, 2, 'recall', 6],
  [1, 2, 'custody', 3],
  [1, 2, 'transferredOut', 4],
  [1, 2, 'ended', 3],
  [1, 3, 'atSnapshot', 2],
  [1, 3, 'stepDown', 2],
  [1, 3, 'recall', 3],
  [1, 3, 'transferredOut', 1],
  [1, 3, 'custody', 1],
  // Category 2. 6.2: level 2 45, level 3 15. 6.5: 16 and 4.
  [2, 2, 'atSnapshot', 6],
  [2, 3, 'atSnapshot', 2],
  [2, 2, 'stepDown', 11],
  [2, 3, 'stepDown', 4],
  [2, 2, 'recall', 14],
  [2, 3, 'recall', 4],
  [2, 2, 'ended', 6],
  [2, 2, 'custody', 2],
  [2, 2, 'transferredOut', 2],
  [2, 3, 'ended', 1],
  [2, 3, 'transferredOut', 1],
  [2, 3, 'custody', 1],
  // Category 3: never at level 1, so their MAPPA period ends instead. 6.2: level 2 44, level 3 8. 6.5: 7 and 1.
  [3, 2, 'atSnapshot', 2],
  [3, 3, 'atSnapshot', 2],
  [3, 2, 'recall', 6],
  [3, 3, 'recall', 1],
  [3, 2, 'ended', 27],
  [3, 3, 'ended', 1],
  [3, 2, 'transferredOut', 3],
  [3, 2, 'custody', 3],
  [3, 3, 'custody', 1],
];

export function writeCases(w: HistoryWriter): void {
  for (const [category, level, fate, count] of COHORT) {
    for (let i = 0; i < count; i++) cohortMember(w, category, level, fate);
  }
  levelChangeCases(w);
  recallCases(w);
  category3Cases(w);
  sfoCases(w);
  notCountedCases(w);
}

// ---------------------------------------------------------------------------------------------

/** A new offender at `level` in the community by `by`, under supervision: on licence when `licence`, else on a community order. */
function managedAtLevel(w: HistoryWriter, category: Category, level: 2 | 3, by: string, licence: boolean): OffenderStory {
  const story = w.offender(GM, 'case');
  const registeredOn = w.date('2008-01-01', addDays(by, -150));
  const startLevel = category === 3 ? 2 : w.random.chance(0.6) ? 1 : level;
  const division = w.random.pick(GM_DIVISIONS);
  if (licence) {
    story.register(registeredOn, { area: GM, category, level: startLevel, division, inCustody: true, underSupervision: true });
    story.record(w.date(addDays(registeredOn, 60), addDays(by, -30)), 'ReleasedToCommunity', { onLicence: true });
  } else {
    story.register(registeredOn, { area: GM, category, level: startLevel, division, underSupervision: true });
  }
  if (startLevel !== level) {
    story.record(w.date(addDays(story.lastDate, 1), by), 'LevelChanged', { level, reason: 'referred to a MAPPA meeting' });
  }
  return story;
}

/** When a cohort member reaches their level: mostly before the year, some during it. */
const reachLevelBy = (w: HistoryWriter): string => (w.random.chance(0.75) ? w.date('2012-06-01', '2014-03-31') : w.date(YEAR_FROM, '2014-12-15'));

/** A date in the year after `by` (and after 1 April, so they held the level at the end of some day of it). */
const fateDate = (w: HistoryWriter, by: string): string => w.date(addDays(maxDate(by, YEAR_FROM), 1), addDays(SNAPSHOT, -2));

function cohortMember(w: HistoryWriter, category: Category, level: 2 | 3, fate: Fate): OffenderStory {
  const licence = fate === 'recall' || w.random.chance(0.5);
  const by = reachLevelBy(w);
  const story = managedAtLevel(w, category, level, by, licence);
  const on = fateDate(w, by);
  switch (fate) {
    case 'atSnapshot':
      if (w.random.chance(0.3)) {
        story.record(on, 'DivisionChanged', { division: otherDivision(w.random, story.stateAt(on).division) });
        // eslint-disable-next-line no-dupe-else-if -- not a duplicate: each chance() is a fresh draw
      } else if (licence && w.random.chance(0.3)) {
        story.record(on, 'LicenceBreached', { returnedToCustody: false }); // a warning, not a recall
      }
      break;
    case 'stepDown':
      story.record(on, 'LevelChanged', { level: 1, reason: 'risk reduced' });
      break;
    case 'recall':
      story.record(on, 'LicenceBreached', { returnedToCustody: true });
      break;
    case 'custody':
      story.record(on, 'CustodyEntered', { reason: w.random.pick<CustodyReason>(['sentence', 'remand', 'hospital']) });
      break;
    case 'transferredOut':
      story.record(on, 'OffenderTransferred', { toArea: w.random.pick(NEIGHBOURING_AREAS) });
      break;
    case 'ended':
      story.record(on, 'MappaManagementEnded', { reason: endReason(w, category) });
      break;
  }
  return story;
}

function endReason(w: HistoryWriter, category: Category): MappaEndReason {
  if (category === 3) return 'no-longer-eligible';
  if (category === 2) return w.random.pick<MappaEndReason>(['licence-expired', 'licence-expired', 'other']);
  return w.random.pick<MappaEndReason>(['registration-expired', 'deceased', 'other']);
}

// Level and category changes within the year.

function levelChangeCases(w: HistoryWriter): void {
  // 6.2 level2/category1 and the snapshot: a level 3 recorded in error for a level 2 decision,
  // retracted a week later and recorded again as level 2 (as known before the correction: level 3).
  const mistaken = managedAtLevel(w, 1, 2, '2014-02-10', false);
  mistaken.record('2014-05-20', 'LevelChanged', { level: 1, reason: 'risk reduced' });
  const wrong = mistaken.record('2014-09-08', 'LevelChanged', { level: 3, reason: 'MAPPA meeting' });
  mistaken.retract(wrong, '2014-09-15', 'The meeting decided level 2; level 3 was keyed in error.');
  mistaken.record('2014-09-08', 'LevelChanged', { level: 2, reason: 'MAPPA meeting' }, '2014-09-15');

  // 6.2 level2/category1 (not category 2): a violent offender at level 2 who becomes a registered sexual offender during the year, still at level 2 on 31 March.
  const becomesRso = managedAtLevel(w, 2, 2, '2013-11-04', true);
  becomesRso.record('2014-08-18', 'CategoryChanged', { category: 1 });

  // 6.2 level3/category1, snapshot level2/category1: level 3 before the year, down to 2 in it.
  const downToTwo = managedAtLevel(w, 1, 3, '2013-07-01', false);
  downToTwo.record('2014-11-24', 'LevelChanged', { level: 2, reason: 'risk reduced' });

  // 6.2 level3/category1 (counted once, at level 3): level 2 then 3 in the year. The level 3 decision is recorded late, after a change of division dated later.
  const upToThree = managedAtLevel(w, 1, 2, '2014-05-12', false);
  upToThree.record('2014-10-27', 'DivisionChanged', { division: otherDivision(w.random, upToThree.stateAt('2014-10-27').division) });
  upToThree.record('2014-10-06', 'LevelChanged', { level: 3, reason: 'escalated to senior oversight' }, '2014-11-20');

  // 6.2 level3/category1, snapshot level1: from level 3 down to 2, then to 1.
  const stepsDown = managedAtLevel(w, 1, 3, '2013-12-02', true);
  stepsDown.record('2014-07-14', 'LevelChanged', { level: 2, reason: 'risk reduced' });
  stepsDown.record('2015-01-19', 'LevelChanged', { level: 1, reason: 'risk reduced' });

  // 6.2 level2/category1 and 6.6 = 0: a SOPO breach dealt with without custody, then level 1.
  const sopoBreach = managedAtLevel(w, 1, 2, '2013-05-13', false);
  const sopo = sopoBreach.newId('SOPO');
  sopoBreach.record('2013-06-03', 'SopoImposed', { orderId: sopo });
  sopoBreach.record('2014-08-29', 'SopoBreached', { orderId: sopo, sentToCustody: false });
  sopoBreach.record('2015-02-16', 'LevelChanged', { level: 1, reason: 'risk reduced' });

  // 6.2 level2/category2 and the snapshot: managed at level 2 in Lancashire, transferred in during the year.
  const transferredIn = w.offender('lancashire', 'case');
  transferredIn.register('2012-09-17', { area: 'lancashire', category: 2, level: 1, inCustody: true, underSupervision: true });
  transferredIn.record('2013-10-07', 'ReleasedToCommunity', { onLicence: true });
  transferredIn.record('2014-02-24', 'LevelChanged', { level: 2, reason: 'MAPPA meeting' });
  transferredIn.record('2014-06-16', 'OffenderTransferred', { toArea: GM, toDivision: 'wigan' });
}

// Recalls (6.5): who counts, and where.

function recallCases(w: HistoryWriter): void {
  // 6.5 level2/category2, 6.2 level3/category2: recalled at level 2, raised to level 3 in prison.
  const raised = managedAtLevel(w, 2, 2, '2013-09-30', true);
  raised.record('2014-10-13', 'LicenceBreached', { returnedToCustody: true });
  raised.record('2015-01-12', 'LevelChanged', { level: 3, reason: 'release plan needs senior oversight' });

  // Recalled twice, counted once at the last: first at level 3, released again, down to level 2,
  // recalled again. 6.5 level2/category2 (the last recall), 6.2 level3/category2 (the highest level).
  const twice = managedAtLevel(w, 2, 3, '2014-01-20', true);
  twice.record('2014-05-06', 'LicenceBreached', { returnedToCustody: true });
  twice.record('2014-09-01', 'ReleasedToCommunity', { onLicence: true });
  twice.record('2014-10-20', 'LevelChanged', { level: 2, reason: 'risk reduced' });
  twice.record('2015-02-09', 'LicenceBreached', { returnedToCustody: true });

  // A level 1 recall (not published), released again and then raised to level 2: 6.2 and the snapshot level2/category2, not 6.5.
  const levelOneRecall = w.offender(GM, 'case');
  levelOneRecall.register('2012-03-05', { area: GM, category: 2, level: 1, division: 'oldham', inCustody: true, underSupervision: true });
  levelOneRecall.record('2013-11-18', 'ReleasedToCommunity', { onLicence: true });
  levelOneRecall.record('2014-06-23', 'LicenceBreached', { returnedToCustody: true });
  levelOneRecall.record('2014-09-15', 'ReleasedToCommunity', { onLicence: true });
  levelOneRecall.record('2014-12-01', 'LevelChanged', { level: 2, reason: 'MAPPA meeting' });

  // 6.5 level2/category1 is not fed by a custody "recall" with no licence breach recorded: 6.2 level2/category1, in custody on 31 March.
  const noBreach = managedAtLevel(w, 1, 2, '2013-08-12', true);
  noBreach.record('2014-12-08', 'CustodyEntered', { reason: 'recall' });

  // 6.5 level2/category3: a recall at the end of the year recorded late, after 31 March, and after a change of division dated later. As known on 31 March it is not there yet.
  const lateRecall = managedAtLevel(w, 3, 2, '2013-10-14', true);
  lateRecall.record('2015-03-27', 'DivisionChanged', { division: otherDivision(w.random, lateRecall.stateAt('2015-03-27').division) });
  lateRecall.record('2015-03-24', 'LicenceBreached', { returnedToCustody: true }, '2015-04-08');
}

// Category 3 cases.

function category3Cases(w: HistoryWriter): void {
  // 6.2 level2/category3 and the snapshot: the end of MAPPA management recorded in error and retracted.
  const notEnded = managedAtLevel(w, 3, 2, '2013-03-11', false);
  const ended = notEnded.record('2014-11-03', 'MappaManagementEnded', { reason: 'no-longer-eligible' });
  notEnded.retract(ended, '2014-11-05', 'Recorded against the wrong offender.');

  // 6.2 level2/category3: managed before (period ended in 2012), registered again during the year, ended again.
  const again = managedAtLevel(w, 3, 2, '2010-06-01', false);
  again.record('2012-04-16', 'MappaManagementEnded', { reason: 'no-longer-eligible' });
  again.register('2014-06-09', { area: GM, category: 3, level: 2, division: 'bolton', underSupervision: true });
  again.record('2015-01-26', 'MappaManagementEnded', { reason: 'no-longer-eligible' });

  // 6.2 level3/category3: from level 3 down to 2, then the period ends.
  const down = managedAtLevel(w, 3, 3, '2013-04-22', false);
  down.record('2014-08-04', 'LevelChanged', { level: 2, reason: 'risk reduced' });
  down.record('2014-12-15', 'MappaManagementEnded', { reason: 'no-longer-eligible' });
}

// Serious further offences (6.7, 6.8, 6.9).

/** A charge, remand in custody the next day, and (when given) the outcome with its consequence. */
function charge(story: OffenderStory, chargedOn: string, outcome?: { on: string; outcome: 'convicted' | 'acquitted' | 'discontinued' }, recordedOn = chargedOn): string {
  const chargeId = story.newId('SFO');
  story.record(chargedOn, 'SfoCharged', { chargeId, offence: 'serious further offence' }, recordedOn);
  story.record(addDays(chargedOn, 1), 'CustodyEntered', { reason: 'remand' });
  if (outcome) {
    story.record(outcome.on, 'SfoOutcomeRecorded', { chargeId, outcome: outcome.outcome });
    if (outcome.outcome !== 'convicted') story.record(outcome.on, 'ReleasedToCommunity', { onLicence: false });
  }
  return chargeId;
}

/** A Greater Manchester offender at level 1 under supervision by `by` (licence or community order). */
function supervisedAtLevelOne(w: HistoryWriter, category: 1 | 2, by: string): OffenderStory {
  const story = w.offender(GM, 'case');
  const registeredOn = w.date('2008-01-01', addDays(by, -120));
  const division = w.random.pick(GM_DIVISIONS);
  if (w.random.chance(0.5)) {
    story.register(registeredOn, { area: GM, category, level: 1, division, inCustody: true, underSupervision: true });
    story.record(w.date(addDays(registeredOn, 30), addDays(by, -10)), 'ReleasedToCommunity', { onLicence: true });
  } else {
    story.register(registeredOn, { area: GM, category, level: 1, division, underSupervision: true });
  }
  return story;
}

function sfoCases(w: HistoryWriter): void {
  // category1-level1: charged in 2013/14 3 (2 convicted then, 1 outstanding on 31 March 2014, convicted
  // in the year); charged in 2014/15 6 (3 convicted, 3 outstanding on 31 March 2015).
  charge(supervisedAtLevelOne(w, 1, '2013-06-17'), '2013-06-17', { on: '2013-12-09', outcome: 'convicted' });
  charge(supervisedAtLevelOne(w, 1, '2013-09-02'), '2013-09-02', { on: '2014-02-24', outcome: 'convicted' });
  charge(supervisedAtLevelOne(w, 1, '2013-11-25'), '2013-11-25', { on: '2014-08-11', outcome: 'convicted' });
  // The outcome first recorded as an acquittal in error, retracted, and recorded as a conviction.
  const misrecorded = supervisedAtLevelOne(w, 1, '2014-05-07');
  const misrecordedCharge = charge(misrecorded, '2014-05-07');
  const acquitted = misrecorded.record('2014-10-20', 'SfoOutcomeRecorded', { chargeId: misrecordedCharge, outcome: 'acquitted' });
  misrecorded.retract(acquitted, '2014-11-10', 'The court convicted; the outcome was entered against the wrong charge.');
  misrecorded.record('2014-10-20', 'SfoOutcomeRecorded', { chargeId: misrecordedCharge, outcome: 'convicted' }, '2014-11-10');
  charge(supervisedAtLevelOne(w, 1, '2014-06-30'), '2014-06-30', { on: '2015-01-13', outcome: 'convicted' });
  charge(supervisedAtLevelOne(w, 1, '2014-08-26'), '2014-08-26', { on: '2015-03-02', outcome: 'convicted' });
  charge(supervisedAtLevelOne(w, 1, '2014-12-01'), '2014-12-01');
  charge(supervisedAtLevelOne(w, 1, '2015-02-02'), '2015-02-02');
  // Convicted after 31 March 2015: still outstanding at the end of the year.
  const convictedLater = supervisedAtLevelOne(w, 1, '2015-01-19');
  const laterCharge = charge(convictedLater, '2015-01-19');
  convictedLater.record('2015-05-14', 'SfoOutcomeRecorded', { chargeId: laterCharge, outcome: 'convicted' });

  // category2-level1: an older case (2011, convicted 2012) counts nowhere; 10 charged in 2013/14
  // (9 with outcomes then, 1 outstanding), 1 charged in 2012/13 still outstanding on 31 March 2014;
  // in the year: 2 convicted (one of each), 1 acquitted, and 5 charged (1 convicted, 4 outstanding).
  const repeat = supervisedAtLevelOne(w, 2, '2011-05-09');
  charge(repeat, '2011-05-09', { on: '2012-01-23', outcome: 'convicted' });
  repeat.record('2013-01-14', 'ReleasedToCommunity', { onLicence: true });
  charge(repeat, '2013-04-22', { on: '2013-10-28', outcome: 'convicted' });
  const previousYear: [string, string, 'convicted' | 'acquitted' | 'discontinued'][] = [
    ['2013-05-13', '2013-12-16', 'convicted'],
    ['2013-06-24', '2014-01-20', 'convicted'],
    ['2013-07-29', '2013-11-11', 'acquitted'],
    ['2013-08-19', '2014-02-03', 'convicted'],
    ['2013-10-07', '2014-03-17', 'convicted'],
    ['2013-11-04', '2014-01-06', 'discontinued'],
    ['2013-12-02', '2014-03-24', 'convicted'],
    ['2014-01-13', '2014-03-10', 'acquitted'],
  ];
  for (const [on, outcomeOn, outcome] of previousYear) charge(supervisedAtLevelOne(w, 2, on), on, { on: outcomeOn, outcome });
  charge(supervisedAtLevelOne(w, 2, '2014-02-17'), '2014-02-17', { on: '2014-09-22', outcome: 'acquitted' });
  charge(supervisedAtLevelOne(w, 2, '2012-10-08'), '2012-10-08', { on: '2014-06-16', outcome: 'convicted' });
  charge(supervisedAtLevelOne(w, 2, '2014-04-28'), '2014-04-28', { on: '2014-12-08', outcome: 'convicted' });
  charge(supervisedAtLevelOne(w, 2, '2014-07-21'), '2014-07-21');
  charge(supervisedAtLevelOne(w, 2, '2014-10-13'), '2014-10-13');
  charge(supervisedAtLevelOne(w, 2, '2015-01-05'), '2015-01-05');
  // Charged in February, the charge recorded in March after a change of division dated later.
  const lateCharge = supervisedAtLevelOne(w, 2, '2015-02-10');
  lateCharge.record('2015-02-23', 'DivisionChanged', { division: otherDivision(w.random, lateCharge.stateAt('2015-02-23').division) });
  charge(lateCharge, '2015-02-10', undefined, '2015-03-05');

  // category1-level2 (and 6.2 level2/category1): charged in the year, outstanding; its serious case review (6.7 level2/category1) commenced in the year.
  const level2Rso = managedAtLevel(w, 1, 2, '2013-10-21', false);
  const rsoCharge = charge(level2Rso, '2014-09-15');
  level2Rso.record('2014-11-17', 'SeriousCaseReviewCommenced', { reviewId: level2Rso.newId('SCR'), chargeId: rsoCharge });

  // category2-level2 (and 6.2 level2/category2): two charged in the year, outstanding; one review (6.7 level2/category2). The other charge is recorded late.
  const level2Violent = managedAtLevel(w, 2, 2, '2013-12-09', true);
  const violentCharge = charge(level2Violent, '2014-07-07');
  level2Violent.record('2014-10-06', 'SeriousCaseReviewCommenced', { reviewId: level2Violent.newId('SCR'), chargeId: violentCharge });
  const level2Late = managedAtLevel(w, 2, 2, '2014-01-27', false);
  level2Late.record('2014-11-17', 'DivisionChanged', { division: otherDivision(w.random, level2Late.stateAt('2014-11-17').division) });
  charge(level2Late, '2014-11-03', undefined, '2014-12-01');

  // category3-level3: the two cases that leave Greater Manchester before an outcome (6.9 leftArea).
  // Charged in 2013/14, its review commenced before the year (not in 6.7), transferred to Lancashire
  // in July 2014 and convicted there in December.
  const leftBeforeOutcome = managedAtLevel(w, 3, 3, '2013-05-20', false);
  const leftCharge = charge(leftBeforeOutcome, '2013-11-14');
  leftBeforeOutcome.record('2014-02-10', 'SeriousCaseReviewCommenced', { reviewId: leftBeforeOutcome.newId('SCR'), chargeId: leftCharge });
  leftBeforeOutcome.record('2014-07-08', 'OffenderTransferred', { toArea: 'lancashire' });
  leftBeforeOutcome.record('2014-12-05', 'SfoOutcomeRecorded', { chargeId: leftCharge, outcome: 'convicted' });
  // Charged in the year, transferred to Merseyside in January 2015, convicted there in May.
  const leftOutstanding = managedAtLevel(w, 3, 3, '2014-02-03', true);
  const outstandingCharge = charge(leftOutstanding, '2014-08-19');
  leftOutstanding.record('2015-01-12', 'OffenderTransferred', { toArea: 'merseyside' });
  leftOutstanding.record('2015-05-20', 'SfoOutcomeRecorded', { chargeId: outstandingCharge, outcome: 'convicted' });
}

// What the report must not count.

function notCountedCases(w: HistoryWriter): void {
  // Level 3 in Lancashire, down to level 1 there, then transferred in: not in 6.2 for Greater
  // Manchester. Its SOPO and notification breach happened in Lancashire: not in 6.3 or 6.4.
  const fromLancashire = w.offender('lancashire', 'case');
  fromLancashire.register('2011-02-14', { area: 'lancashire', category: 1, level: 1, underSupervision: true });
  fromLancashire.record('2013-03-18', 'LevelChanged', { level: 3, reason: 'MAPPA meeting' });
  fromLancashire.record('2014-05-12', 'SopoImposed', { orderId: fromLancashire.newId('SOPO') });
  fromLancashire.record('2014-05-19', 'LevelChanged', { level: 1, reason: 'risk reduced' });
  fromLancashire.record('2014-06-02', 'NotificationRequirementBreached', { outcome: 'caution' });
  fromLancashire.record('2014-07-01', 'OffenderTransferred', { toArea: GM, toDivision: 'bolton' });

  // Down from level 2 on 31 March 2014, the day before the year: not in 6.2.
  const downBefore = w.offender(GM, 'case');
  downBefore.register('2012-01-16', { area: GM, category: 2, level: 1, division: 'rochdale', underSupervision: true });
  downBefore.record('2013-06-10', 'LevelChanged', { level: 2, reason: 'MAPPA meeting' });
  downBefore.record('2014-03-31', 'LevelChanged', { level: 1, reason: 'risk reduced' });

  // Up to level 2 on 2 April 2015, after the year: not in 6.2 for 2014/15.
  const upAfter = w.offender(GM, 'case');
  upAfter.register('2011-08-22', { area: GM, category: 1, level: 1, division: 'stockport', underSupervision: true });
  upAfter.record('2015-04-02', 'LevelChanged', { level: 2, reason: 'MAPPA meeting' });

  // Sent to custody for a SOPO breach at level 1 (6.6 counts levels 2 and 3 only), released in January.
  const sopoCustodyLevelOne = w.offender(GM, 'case');
  sopoCustodyLevelOne.register('2010-03-01', { area: GM, category: 1, level: 1, division: 'salford' });
  const sopo = sopoCustodyLevelOne.newId('SOPO');
  sopoCustodyLevelOne.record('2010-03-01', 'SopoImposed', { orderId: sopo });
  sopoCustodyLevelOne.record('2014-09-15', 'SopoBreached', { orderId: sopo, sentToCustody: true });
  sopoCustodyLevelOne.record('2015-01-20', 'ReleasedToCommunity', { onLicence: true });

  // Sent to custody for a SOPO breach at level 2 in 2013/14: the year before, not counted.
  const sopoCustodyBefore = w.offender(GM, 'case');
  sopoCustodyBefore.register('2009-05-11', { area: GM, category: 1, level: 2, division: 'tameside', underSupervision: true });
  const earlierSopo = sopoCustodyBefore.newId('SOPO');
  sopoCustodyBefore.record('2011-04-04', 'SopoImposed', { orderId: earlierSopo, expiresOn: '2016-04-03' });
  sopoCustodyBefore.record('2013-10-08', 'SopoBreached', { orderId: earlierSopo, sentToCustody: true });
  sopoCustodyBefore.record('2014-01-15', 'LevelChanged', { level: 1, reason: 'risk reduced' });
  sopoCustodyBefore.record('2014-06-10', 'ReleasedToCommunity', { onLicence: true });

  // Notification orders (6.3): one before the year, two in it (registrations of offenders convicted
  // abroad), and foreign travel orders only before and after it (6.3 foreignTravelOrder = 0).
  const notified = (registeredOn: string, division?: string) => {
    const story = w.offender(GM, 'case');
    story.register(registeredOn, { area: GM, category: 1, level: 1, division });
    story.record(registeredOn, 'NotificationOrderImposed', { orderId: story.newId('NO') });
    return story;
  };
  notified('2013-02-18', 'trafford');
  notified('2014-07-28', 'south-manchester');
  notified('2015-03-09'); // no division yet on 31 March: 6.10 unassigned
  const travelBefore = w.offender(GM, 'case');
  travelBefore.register('2009-09-07', { area: GM, category: 1, level: 1, division: 'bury', underSupervision: true });
  travelBefore.record('2012-11-19', 'ForeignTravelOrderImposed', { orderId: travelBefore.newId('FTO'), expiresOn: '2017-11-18' });
  const travelAfter = w.offender(GM, 'case');
  travelAfter.register('2010-02-01', { area: GM, category: 1, level: 1, division: 'wigan' });
  travelAfter.record('2015-05-11', 'ForeignTravelOrderImposed', { orderId: travelAfter.newId('FTO') });
  travelAfter.record('2015-04-20', 'SopoImposed', { orderId: travelAfter.newId('SOPO') }); // after the year too

  // A registration that no longer applies but a violent licence that does: category 1 to 2 in the year.
  const toViolent = w.offender(GM, 'case');
  toViolent.register('2008-04-14', { area: GM, category: 1, level: 1, division: 'north-manchester', inCustody: true, underSupervision: true });
  toViolent.record('2013-08-05', 'ReleasedToCommunity', { onLicence: true });
  toViolent.record('2014-09-29', 'CategoryChanged', { category: 2 });
}
