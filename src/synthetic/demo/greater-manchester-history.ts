import type { NewOffenderEvent } from '../../domain/offender-event';
import published from '../../../reference/published/greater-manchester-2014-15.json';
import { decorate, writeBackground, type BackgroundTargets } from './greater-manchester-background';
import { writeCases } from './greater-manchester-cases';
import { GM, GM_DIVISIONS, SNAPSHOT } from './greater-manchester-constants';
import { HistoryWriter } from './history-writer';

// `mappa demo`'s history, 2007 to mid-2015, whose 2014/15 report equals reference/published/greater-manchester-2014-15.json cell for cell.
// Three layers: the hand-written cases, the level 1 background, and the counted orders and breaches added to exact totals.

export const DEMO_SEED = 20150331;

/** Every event of the history in arrival order: the order to import and append them in. */
export function greaterManchesterHistory(seed: number = DEMO_SEED): NewOffenderEvent[] {
  return greaterManchesterArrivals(seed).map((arrival) => arrival.event);
}

/** The same history with each event's arrival date (non-decreasing), for realistic recordedAt values or "as known at" a date. */
export function greaterManchesterArrivals(seed: number = DEMO_SEED): { event: NewOffenderEvent; recordedOn: string }[] {
  const w = new HistoryWriter(seed);
  writeCases(w);
  writeBackground(w, backgroundTargets(w));
  decorate(w, {
    sopos: publishedCell('ordersImposed.sopo.count'),
    breachingRsos: publishedCell('notificationBreaches.rso.count'),
  });
  return w.arrivalOrder();
}

function publishedCell(id: string): number {
  const value = (published.cells as Record<string, number>)[id];
  if (value === undefined) throw new Error(`The published figures have no cell ${id}.`);
  return value;
}

/** What the level 1 background must add to the 31 March 2015 snapshot: the published figures less the cases, which alone give every level 2/3 cell. */
function backgroundTargets(w: HistoryWriter): BackgroundTargets {
  const snapshot = new Map<string, number>();
  const divisions = new Map<string | null, number>();
  const add = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const { story } of w.stories) {
    const s = story.stateAt(SNAPSHOT);
    if (!s.active || s.area !== GM || s.inCustody) continue;
    add(snapshot, `offendersOnSnapshot.level${s.level}.category${s.category}`);
    if (s.category === 1) add(divisions, s.division);
  }
  const casesIn = (id: string) => snapshot.get(id) ?? 0;
  for (const level of [2, 3]) {
    for (const category of [1, 2, 3]) {
      const id = `offendersOnSnapshot.level${level}.category${category}`;
      if (casesIn(id) !== publishedCell(id)) throw new Error(`The cases give ${casesIn(id)} for ${id}, not the published ${publishedCell(id)}.`);
    }
  }

  const rsoDivisions: (string | null)[] = [];
  const fill = (division: string | null, published: number) => {
    const needed = published - (divisions.get(division) ?? 0);
    if (needed < 0) throw new Error(`The cases put too many offenders in division ${division}.`);
    for (let i = 0; i < needed; i++) rsoDivisions.push(division);
  };
  let assigned = 0;
  for (const division of GM_DIVISIONS) {
    const count = publishedCell(`rsoByDivision.${division}.count`);
    assigned += count;
    fill(division, count);
  }
  // The publication's divisions add up to 31 less than the snapshot: here, offenders with no division yet.
  fill(null, publishedCell('offendersOnSnapshot.total.category1') - assigned);
  const rsoAtLevel1 = publishedCell('offendersOnSnapshot.level1.category1') - casesIn('offendersOnSnapshot.level1.category1');
  if (rsoDivisions.length !== rsoAtLevel1) throw new Error('The division table and the snapshot do not agree on the category 1 offenders to add.');
  w.random.shuffle(rsoDivisions);
  return {
    rsoDivisions,
    violentInCommunity: publishedCell('offendersOnSnapshot.level1.category2') - casesIn('offendersOnSnapshot.level1.category2'),
  };
}
