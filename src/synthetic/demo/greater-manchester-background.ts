import type { Category, NotificationBreachOutcome } from '../../domain/offender-event';
import { orderInForce } from '../../domain/offender-state';
import { addDays, minDate } from '../synthetic-calendar';
import { DAY_BEFORE_YEAR, GM, GM_DIVISIONS, HISTORY_FROM, otherDivision, SNAPSHOT, YEAR_FROM } from './greater-manchester-constants';
import { NEIGHBOURING_AREAS, type HistoryWriter } from './history-writer';
import type { OffenderStory } from './offender-story';

// The level 1 background of the Greater Manchester history: it fills the snapshot (6.1, 6.10) and counts in no period table; `decorate` adds 6.3 and 6.4 to exact totals.

export interface BackgroundTargets {
  /** The final division of each category 1 offender at level 1 in the community on 31 March (null: none). */
  rsoDivisions: (string | null)[];
  /** Category 2 offenders at level 1 in the community on 31 March. */
  violentInCommunity: number;
}

/** How many offenders of each kind are no longer in the community on 31 March 2015. */
const CHURN = {
  rsoEnded: 1500,
  rsoInCustody: 420,
  violentEnded: 2600,
  violentInCustody: 560,
  transferredOut: 200,
  category3Before: 260,
};

export function writeBackground(w: HistoryWriter, targets: BackgroundTargets): void {
  for (const division of targets.rsoDivisions) rsoInCommunity(w, division);
  for (let i = 0; i < targets.violentInCommunity; i++) violentInCommunity(w);
  for (let i = 0; i < CHURN.rsoEnded; i++) rsoEnded(w);
  for (let i = 0; i < CHURN.rsoInCustody; i++) inCustodyOnSnapshot(w, 1, i < 5);
  for (let i = 0; i < CHURN.violentEnded; i++) violentEnded(w);
  for (let i = 0; i < CHURN.violentInCustody; i++) inCustodyOnSnapshot(w, 2, false);
  for (let i = 0; i < CHURN.transferredOut; i++) transferredOut(w, i % 3 === 0 ? 2 : 1);
  for (let i = 0; i < CHURN.category3Before; i++) category3Before(w);
}

// Category 1 offenders in the community on 31 March (6.1 level1/category1, 6.10).

function rsoInCommunity(w: HistoryWriter, division: string | null): void {
  if (division === null) {
    if (w.random.chance(0.6)) rsoTransferredIn(w, null);
    else rsoRegisteredAwaitingDivision(w);
    return;
  }
  if (w.random.chance(0.06)) {
    rsoTransferredIn(w, division);
    return;
  }
  const story = w.offender(GM, 'background');
  const registeredOn = w.date(HISTORY_FROM, '2015-03-10');
  const startDivision = w.random.chance(0.2) ? otherDivision(w.random, division) : division;
  const pathway = registeredOn <= '2014-10-01' && w.random.chance(0.35) ? 'custody' : w.random.pick(['order', 'plain'] as const);
  if (pathway === 'custody') {
    story.register(registeredOn, { area: GM, category: 1, level: 1, division: startDivision, inCustody: true, underSupervision: true });
    const releasedOn = w.dateAfter(registeredOn, 90, 1500, '2015-03-25') as string;
    story.record(releasedOn, 'ReleasedToCommunity', { onLicence: true });
    const licenceEnds = w.dateAfter(releasedOn, 365, 1460, '2015-03-28');
    if (licenceEnds && w.random.chance(0.8)) story.record(licenceEnds, 'SupervisionEnded', {});
  } else if (pathway === 'order') {
    story.register(registeredOn, { area: GM, category: 1, level: 1, division: startDivision, underSupervision: true });
    const orderEnds = w.dateAfter(registeredOn, 365, 1095, '2015-03-28');
    if (orderEnds) story.record(orderEnds, 'SupervisionEnded', {});
  } else {
    story.register(registeredOn, { area: GM, category: 1, level: 1, division: startDivision });
    communityOrders(w, story, registeredOn, '2015-03-28');
  }
  earlierHistory(w, story, registeredOn, pathway !== 'custody', '2015-03-28');
  moveHome(w, story, division, '2015-03-20');
}

/** SOPOs at sentencing, a level 2 episode and a notification breach before the year; a spell on remand ending by `until`. */
function earlierHistory(w: HistoryWriter, story: OffenderStory, registeredOn: string, inCommunity: boolean, until: string): void {
  if (registeredOn < YEAR_FROM && w.random.chance(0.2)) {
    const expiresOn = w.random.chance(0.5) ? addDays(registeredOn, 5 * 365) : undefined;
    story.record(registeredOn, 'SopoImposed', { orderId: story.newId('SOPO'), ...(expiresOn ? { expiresOn } : {}) });
  }
  levelEpisodeBeforeYear(w, story, until);
  const remanded = inCommunity && w.random.chance(0.12) ? w.dateAfter(registeredOn, 30, 2500, addDays(until, -60)) : null;
  if (remanded) {
    story.record(remanded, 'CustodyEntered', { reason: 'remand' });
    story.record(w.dateAfter(remanded, 14, 120, until) as string, 'ReleasedToCommunity', { onLicence: false });
  }
  const breachedOn = registeredOn < '2014-01-01' && w.random.chance(0.05) ? w.dateAfter(registeredOn, 10, 2500, minDate('2014-03-25', until)) : null;
  if (breachedOn && !story.stateAt(breachedOn).inCustody) {
    story.record(breachedOn, 'NotificationRequirementBreached', { outcome: w.random.pick<NotificationBreachOutcome>(['caution', 'conviction', 'no-further-action']) });
  }
}

/** Community orders over the years for an offender registered without supervision: each starts and ends. */
function communityOrders(w: HistoryWriter, story: OffenderStory, registeredOn: string, until: string): void {
  let after = registeredOn;
  while (w.random.chance(0.3)) {
    const starts = w.dateAfter(after, 60, 1200, addDays(until, -8));
    if (!starts) return;
    story.record(starts, 'SupervisionStarted', {});
    const ends = w.dateAfter(starts, 180, 1095, until);
    if (!ends) return;
    story.record(ends, 'SupervisionEnded', {});
    after = ends;
  }
}

/** Moves between divisions ending in `division` by 31 March; one last move in ten is keyed wrongly, retracted and recorded again. */
function moveHome(w: HistoryWriter, story: OffenderStory, division: string, until: string): void {
  const registeredOn = story.items[0].event.occurredOn;
  let current = story.stateAt(registeredOn).division;
  const earlierMoves = w.random.pick([0, 0, 0, 1, 1, 2, 3]);
  if (earlierMoves === 0 && current === division) return;
  const dates = new Set<string>();
  for (let i = 0; i <= earlierMoves; i++) {
    const on = w.dateAfter(registeredOn, 1, 3000, until);
    if (on) dates.add(on);
  }
  const moves = [...dates].sort();
  if (moves.length === 0) moves.push(registeredOn); // registered in the last days: moved the same day
  moves.forEach((on, i) => {
    const last = i === moves.length - 1;
    // The move before the last must not already be to `division`, or the last would change nothing.
    const to = last ? division : w.random.pick(GM_DIVISIONS.filter((d) => d !== current && (i < moves.length - 2 || d !== division)));
    if (to === current) return;
    if (last && on > story.lastDate && w.random.chance(0.1)) {
      const wrong = story.record(on, 'DivisionChanged', { division: otherDivision(w.random, current) });
      if (wrong.type === 'DivisionChanged' && wrong.data.division !== to) {
        const correctedOn = addDays(on, w.random.int(3, 10));
        story.retract(wrong, correctedOn, 'Keyed to the wrong division.');
        story.record(on, 'DivisionChanged', { division: to }, correctedOn);
      }
    } else {
      story.record(on, 'DivisionChanged', { division: to });
    }
    current = to;
  });
}

/** Registered next door and moved in; with no division (6.10 unassigned) the move falls in the year's last weeks. */
function rsoTransferredIn(w: HistoryWriter, division: string | null): void {
  const from = w.random.pick(NEIGHBOURING_AREAS);
  const story = w.offender(from, 'background');
  const registeredOn = w.date('2008-01-01', '2014-09-30');
  story.register(registeredOn, { area: from, category: 1, level: 1, underSupervision: w.random.chance(0.5) });
  if (w.random.chance(0.2)) story.record(registeredOn, 'SopoImposed', { orderId: story.newId('SOPO') });
  if (division === null) story.record(w.date('2015-01-05', '2015-03-28'), 'OffenderTransferred', { toArea: GM });
  else story.record(w.dateAfter(registeredOn, 60, 2500, '2015-03-20') as string, 'OffenderTransferred', { toArea: GM, toDivision: division });
}

/** 6.10 unassigned: registered in the last weeks of the year, no division recorded yet. */
function rsoRegisteredAwaitingDivision(w: HistoryWriter): void {
  const story = w.offender(GM, 'background');
  story.register(w.date('2015-01-10', '2015-03-28'), { area: GM, category: 1, level: 1, underSupervision: w.random.chance(0.5) });
}

// Category 2 offenders in the community on 31 March (6.1 level1/category2): on licence or a community order.

function violentInCommunity(w: HistoryWriter): void {
  if (w.random.chance(0.05)) {
    violentTransferredIn(w);
    return;
  }
  const story = w.offender(GM, 'background');
  const division = w.random.chance(0.8) ? w.random.pick(GM_DIVISIONS) : undefined;
  if (w.random.chance(0.7)) {
    const registeredOn = w.date('2009-01-01', '2014-12-31');
    story.register(registeredOn, { area: GM, category: 2, level: 1, division, inCustody: true, underSupervision: true });
    const releasedOn = w.dateAfter(registeredOn, 60, 1400, '2015-03-20') as string;
    story.record(releasedOn, 'ReleasedToCommunity', { onLicence: true });
    // A level 1 recall (not published in 6.5), and release again on licence.
    const recalledOn = w.random.chance(0.2) ? w.dateAfter(releasedOn, 30, 700, '2015-02-20') : null;
    const rereleasedOn = recalledOn && w.dateAfter(recalledOn, 28, 150, '2015-03-27');
    if (recalledOn && rereleasedOn) {
      story.record(recalledOn, 'LicenceBreached', { returnedToCustody: true });
      story.record(rereleasedOn, 'ReleasedToCommunity', { onLicence: true });
    }
  } else {
    const registeredOn = w.date('2012-01-01', '2015-03-15');
    story.register(registeredOn, { area: GM, category: 2, level: 1, division, underSupervision: true });
  }
  levelEpisodeBeforeYear(w, story);
  if (w.random.chance(0.4)) moveHome(w, story, w.random.pick(GM_DIVISIONS), '2015-03-20');
}

/** Released on licence in a neighbouring area, the licence then supervised in Greater Manchester. */
function violentTransferredIn(w: HistoryWriter): void {
  const from = w.random.pick(NEIGHBOURING_AREAS);
  const story = w.offender(from, 'background');
  const registeredOn = w.date('2010-01-01', '2014-09-30');
  story.register(registeredOn, { area: from, category: 2, level: 1, inCustody: true, underSupervision: true });
  const releasedOn = w.dateAfter(registeredOn, 60, 900, '2015-02-28') as string;
  story.record(releasedOn, 'ReleasedToCommunity', { onLicence: true });
  story.record(w.dateAfter(releasedOn, 1, 400, '2015-03-20') as string, 'OffenderTransferred', { toArea: GM, toDivision: w.random.pick(GM_DIVISIONS) });
}

/** Some offenders were managed at level 2 for a while, well before the year (not in 6.2 for 2014/15). */
function levelEpisodeBeforeYear(w: HistoryWriter, story: OffenderStory, until = DAY_BEFORE_YEAR): void {
  const registeredOn = story.items[0].event.occurredOn;
  if (registeredOn >= '2013-01-01' || !w.random.chance(0.08)) return;
  const up = w.dateAfter(registeredOn, 30, 2000, minDate('2013-06-30', addDays(until, -60)));
  if (!up) return;
  story.record(up, 'LevelChanged', { level: 2, reason: 'MAPPA meeting' });
  story.record(w.dateAfter(up, 60, 400, minDate('2014-03-20', until)) as string, 'LevelChanged', { level: 1, reason: 'risk reduced' });
}

// No longer in the community on 31 March.

function rsoEnded(w: HistoryWriter): void {
  const story = w.offender(GM, 'background');
  const registeredOn = w.date(HISTORY_FROM, '2013-12-31');
  const supervised = w.random.chance(0.4);
  story.register(registeredOn, { area: GM, category: 1, level: 1, division: w.random.pick(GM_DIVISIONS), underSupervision: supervised });
  // The end is chosen first; everything else happens before it.
  const endedOn = w.dateAfter(registeredOn, 120, 2900, '2015-03-25') as string;
  const until = addDays(endedOn, -1);
  if (!supervised) communityOrders(w, story, registeredOn, until);
  earlierHistory(w, story, registeredOn, true, until);
  if (w.random.chance(0.3)) moveHome(w, story, w.random.pick(GM_DIVISIONS), until);
  const reason = w.random.pick(['registration-expired', 'registration-expired', 'registration-expired', 'deceased', 'no-longer-eligible', 'other'] as const);
  story.record(endedOn, 'MappaManagementEnded', { reason });
}

function violentEnded(w: HistoryWriter): void {
  const story = w.offender(GM, 'background');
  const registeredOn = w.date(HISTORY_FROM, '2013-06-30');
  story.register(registeredOn, { area: GM, category: 2, level: 1, division: w.random.pick(GM_DIVISIONS), inCustody: true, underSupervision: true });
  const releasedOn = w.dateAfter(registeredOn, 60, 1200, '2014-12-20') as string;
  story.record(releasedOn, 'ReleasedToCommunity', { onLicence: true });
  levelEpisodeBeforeYear(w, story);
  const recalledOn = w.random.chance(0.25) ? w.dateAfter(releasedOn, 30, 600, '2014-10-31') : null;
  if (recalledOn && recalledOn > story.lastDate) {
    // A level 1 recall and release again on licence (in 2014/15: not published in 6.5).
    story.record(recalledOn, 'LicenceBreached', { returnedToCustody: true });
    story.record(w.dateAfter(recalledOn, 28, 120, '2014-12-20') as string, 'ReleasedToCommunity', { onLicence: true });
  }
  const endedOn = w.dateAfter(story.lastDate, 90, 1460, '2015-03-25') as string;
  if (w.random.chance(0.5)) story.record(endedOn, 'SupervisionEnded', {});
  story.record(endedOn, 'MappaManagementEnded', { reason: 'licence-expired' });
}

/** In custody on 31 March: serving a sentence, or back in prison after a level 1 recall or a new sentence. */
function inCustodyOnSnapshot(w: HistoryWriter, category: 1 | 2, recordedLate: boolean): void {
  const story = w.offender(GM, 'background');
  const division = w.random.pick(GM_DIVISIONS);
  if (recordedLate) {
    // Sentenced in March, recorded in April after a change of division dated later.
    story.register(w.date('2010-01-01', '2014-06-30'), { area: GM, category, level: 1, division, underSupervision: true });
    story.record('2015-03-25', 'DivisionChanged', { division: otherDivision(w.random, division) });
    story.record(w.date('2015-03-02', '2015-03-20'), 'CustodyEntered', { reason: 'sentence' }, '2015-04-07');
    return;
  }
  const registeredOn = w.date('2009-01-01', '2015-03-20');
  story.register(registeredOn, { area: GM, category, level: 1, division, inCustody: true, underSupervision: true });
  if (registeredOn > '2014-06-30' || w.random.chance(0.5)) return; // still serving the sentence
  const releasedOn = w.dateAfter(registeredOn, 60, 900, '2015-01-31') as string;
  story.record(releasedOn, 'ReleasedToCommunity', { onLicence: true });
  const backOn = w.dateAfter(releasedOn, 20, 600, '2015-03-28') as string;
  if (category === 2 && w.random.chance(0.7)) story.record(backOn, 'LicenceBreached', { returnedToCustody: true });
  else story.record(backOn, 'CustodyEntered', { reason: w.random.pick(['sentence', 'remand', 'hospital'] as const) });
}

function transferredOut(w: HistoryWriter, category: Category): void {
  const story = w.offender(GM, 'background');
  const registeredOn = w.date(HISTORY_FROM, '2014-06-30');
  story.register(registeredOn, { area: GM, category, level: 1, division: w.random.pick(GM_DIVISIONS), underSupervision: true });
  const movedOn = w.dateAfter(registeredOn, 120, 2500, '2015-03-25') as string;
  story.record(movedOn, 'OffenderTransferred', { toArea: w.random.pick(NEIGHBOURING_AREAS) });
}

/** Category 3 offenders are only ever at level 2 or 3: these were managed, and their period ended, before the year. */
function category3Before(w: HistoryWriter): void {
  const story = w.offender(GM, 'background');
  const registeredOn = w.date('2008-01-01', '2013-06-30');
  story.register(registeredOn, { area: GM, category: 3, level: 2, division: w.random.pick(GM_DIVISIONS), underSupervision: true });
  if (w.random.chance(0.2)) story.record(w.dateAfter(registeredOn, 30, 300, '2014-01-31') as string, 'LevelChanged', { level: 3, reason: 'MAPPA meeting' });
  story.record(w.dateAfter(story.lastDate, 30, 1000, DAY_BEFORE_YEAR) as string, 'MappaManagementEnded', { reason: 'no-longer-eligible' });
}

// Orders and notification breaches in the year, to the published totals (6.3, 6.4).

export interface DecorationQuotas {
  /** SOPOs imposed in the year on offenders in the area (6.3 sopo). */
  sopos: number;
  /** Category 1 offenders cautioned or convicted for a notification breach in the year (6.4). */
  breachingRsos: number;
}

export function decorate(w: HistoryWriter, quotas: DecorationQuotas): void {
  const pool = w.stories.filter((s) => s.role === 'background').map((s) => s.story);
  const inArea = (story: OffenderStory, on: string, inCommunity: boolean) => {
    const s = story.stateAt(on);
    return s.active && s.area === GM && s.category === 1 && (!inCommunity || !s.inCustody);
  };
  /** `count` distinct offenders of the pool, each with a date in [from, to] on which `fits`. */
  const choose = (count: number, from: string, to: string, fits: (story: OffenderStory, on: string) => boolean, taken: Set<OffenderStory>) => {
    const chosen: [OffenderStory, string][] = [];
    for (let attempts = 0; chosen.length < count; attempts++) {
      if (attempts > 200 * count + 1000) throw new Error('Too few offenders for the demonstration history.');
      const story = w.random.pick(pool);
      const on = w.date(from, to);
      // A day with none of the offender's other events, so the arrival order cannot reorder that day.
      if (taken.has(story) || story.items.some((i) => i.event.occurredOn === on) || !fits(story, on)) continue;
      taken.add(story);
      chosen.push([story, on]);
    }
    return chosen;
  };
  const recordedOn = (on: string) => (w.random.chance(0.1) ? addDays(on, w.random.int(20, 80)) : on);

  // 6.3 sopo: one each; one in ten recorded late. Two are posted twice by two agencies, the duplicate retracted a week later.
  const withSopo = new Set<OffenderStory>();
  choose(quotas.sopos, YEAR_FROM, SNAPSHOT, (story, on) => inArea(story, on, false), withSopo).forEach(([story, on], i) => {
    const expiresOn = w.random.chance(0.6) ? addDays(on, 5 * 365) : undefined;
    const data = { orderId: story.newId('SOPO'), ...(expiresOn ? { expiresOn } : {}) };
    if (i < 2) {
      story.record(on, 'SopoImposed', data);
      const duplicate = story.record(on, 'SopoImposed', { ...data, orderId: story.newId('SOPO') });
      story.retract(duplicate, addDays(on, 7), 'Posted twice: the same order, also recorded by the police.');
    } else {
      story.record(on, 'SopoImposed', data, recordedOn(on));
    }
  });

  // 6.4: distinct offenders cautioned or convicted; eight of them breach twice.
  const breaching = new Set<OffenderStory>();
  const counted = choose(quotas.breachingRsos, YEAR_FROM, SNAPSHOT, (story, on) => inArea(story, on, true), breaching);
  counted.forEach(([story, on], i) => {
    story.record(on, 'NotificationRequirementBreached', { outcome: w.random.chance(0.6) ? 'caution' : 'conviction' }, recordedOn(on));
    if (i < 8) {
      const again = w.date(YEAR_FROM, SNAPSHOT);
      if (!story.items.some((item) => item.event.occurredOn === again) && inArea(story, again, true)) {
        story.record(again, 'NotificationRequirementBreached', { outcome: w.random.pick<NotificationBreachOutcome>(['caution', 'conviction', 'no-further-action']) });
      }
    }
  });
  // Not counted: no further action; and one recorded against the wrong offender, then retracted.
  const notCounted = new Set<OffenderStory>(breaching);
  for (const [story, on] of choose(10, YEAR_FROM, SNAPSHOT, (story, on) => inArea(story, on, true), notCounted)) {
    story.record(on, 'NotificationRequirementBreached', { outcome: 'no-further-action' });
  }
  for (const [story, on] of choose(1, YEAR_FROM, '2015-03-01', (story, on) => inArea(story, on, true), notCounted)) {
    const wrong = story.record(on, 'NotificationRequirementBreached', { outcome: 'conviction' });
    story.retract(wrong, addDays(on, 10), 'Recorded against the wrong offender.');
  }
  // Before the year: not counted in 2014/15.
  const before = new Set<OffenderStory>();
  for (const [story, on] of choose(40, '2012-04-01', DAY_BEFORE_YEAR, (story, on) => inArea(story, on, true), before)) {
    story.record(on, 'NotificationRequirementBreached', { outcome: w.random.pick<NotificationBreachOutcome>(['caution', 'conviction', 'no-further-action']) });
  }

  // SOPO breaches at level 1 dealt with in the community: not in 6.6 (custody, levels 2 and 3).
  const sopoInForce = (story: OffenderStory, on: string): string | undefined =>
    Object.entries(story.stateAt(on).orders).find(([, order]) => order.kind === 'sopo' && orderInForce(order, on))?.[0];
  const fits = (story: OffenderStory, on: string) => inArea(story, on, true) && sopoInForce(story, on) !== undefined;
  for (const [story, on] of choose(4, YEAR_FROM, SNAPSHOT, fits, new Set())) {
    story.record(on, 'SopoBreached', { orderId: sopoInForce(story, on) as string, sentToCustody: false });
  }
}
