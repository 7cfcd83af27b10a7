import type { RecordedOffenderEvent } from '../../domain/offender-event';
import { evolve, initialOffenderState, type OffenderState } from '../../domain/offender-state';
import { effectiveTimeline, type TimelineEvent } from '../../domain/offender-timeline';
import { AREAS, divisionsOf, ENGLAND_AND_WALES, isArea } from '../../domain/reference-areas';
import { populationAged10Plus } from '../reference-data';
import { reportPeriod, type ReportPeriod } from '../report-period';
import {
  cellId,
  offendersOnSnapshot,
  ratePer100k,
  REPORT_TABLES,
  rsoByDivision,
  sfoRow,
  TOTAL,
  tableCellIds,
  addTotals,
  zeroCells,
  UNASSIGNED,
  type ReportCells,
  type ReportTableId,
} from '../tables';

// The reference oracle and benchmark baseline: each figure folded per query with the domain's own fold; simple on purpose, the SQL is tested against it.

export interface FoldReportParams {
  /** An area id, or 'england-and-wales' (the sum over the 42 areas). */
  area: string;
  /** Report year Y: the report for Y/Y+1 (2014 for 2014/15). */
  year: number;
  /** Only events with position <= knownUpTo count, retractions included (the report "as known" then). */
  knownUpTo?: bigint;
}

/** Every cell of every table of the report on `area` for year Y/Y+1, totals included. */
export function computeReportByFolding(events: readonly RecordedOffenderEvent[], params: FoldReportParams): ReportCells {
  const histories = offenderHistories(events, params.knownUpTo);
  if (params.area === ENGLAND_AND_WALES) return nationalReport(histories, params.year);
  return areaReport(histories, params.area, params.year);
}

/** Table 6.1 (offendersOnSnapshot, totals included) at the end of any `date`. */
export function snapshotByFolding(events: readonly RecordedOffenderEvent[], area: string, date: string, knownUpTo?: bigint): ReportCells {
  const cells = zeroCells(offendersOnSnapshot, area);
  for (const history of offenderHistories(events, knownUpTo)) {
    const state = history.at(date);
    // england-and-wales is the sum over the areas: an offender is in at most one of them on a date.
    const inScope = area === ENGLAND_AND_WALES ? state.active && isArea(state.area) : inArea(state, area);
    if (inScope && !state.inCustody) cells[cellId(offendersOnSnapshot, ...snapshotRowColumn(state))] += 1;
  }
  addTotals(cells, offendersOnSnapshot, area);
  return cells;
}

// Each offender's states at the end of each day (DOMAIN.md 4).

/** One offender's effective timeline and the state at the end of every day on which it changed. */
export class OffenderHistory {
  /** Non-retracted events in effective order (occurredOn, revision). */
  readonly timeline: readonly TimelineEvent[];
  private readonly dates: string[] = [];
  private readonly states: OffenderState[] = [];

  constructor(
    readonly offenderId: string,
    events: readonly TimelineEvent[],
  ) {
    this.timeline = effectiveTimeline(events);
    let state = initialOffenderState();
    this.timeline.forEach((event, i) => {
      state = evolve(state, event);
      const next = this.timeline[i + 1];
      // Only the state after the day's last event is the state "at the end of" that day.
      if (!next || next.occurredOn !== event.occurredOn) {
        this.dates.push(event.occurredOn);
        this.states.push(state);
      }
    });
  }

  /** State at the end of `date`: every effective event dated on or before it. */
  at(date: string): OffenderState {
    let lo = 0;
    let hi = this.dates.length; // first index with dates[i] > date
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.dates[mid] <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? initialOffenderState() : this.states[lo - 1];
  }

  /** The states at the end of the days from..to, in date order: one per run of days with the same state. */
  during(from: string, to: string): OffenderState[] {
    const states = [this.at(from)];
    this.dates.forEach((date, i) => {
      if (date > from && date <= to) states.push(this.states[i]);
    });
    return states;
  }

  /** Effective events dated from..to, inclusive. */
  eventsDuring(from: string, to: string): TimelineEvent[] {
    return this.timeline.filter((e) => e.occurredOn >= from && e.occurredOn <= to);
  }

  /** Every area the offender was ever managed in (by the state at the end of some day). */
  areas(): Set<string> {
    return new Set(this.states.map((s) => s.area).filter((a): a is string => a !== null));
  }
}

/** The offenders' histories over the events known at `knownUpTo` (all events when absent), in any order. */
export function offenderHistories(events: readonly RecordedOffenderEvent[], knownUpTo?: bigint): OffenderHistory[] {
  const byOffender = new Map<string, RecordedOffenderEvent[]>();
  for (const event of events) {
    if (knownUpTo !== undefined && event.position > knownUpTo) continue;
    const stream = byOffender.get(event.offenderId);
    if (stream) stream.push(event);
    else byOffender.set(event.offenderId, [event]);
  }
  return [...byOffender].map(([offenderId, stream]) => new OffenderHistory(offenderId, stream));
}

/** "In the area at D" (DOMAIN.md 6): active and managed in that area at the end of D. */
const inArea = (state: OffenderState, area: string): boolean => state.active && state.area === area;

const atLevel2Or3 = (state: OffenderState): boolean => state.level === 2 || state.level === 3;

/** Row and column of an offender in table 6.1: level and category at the date. */
const snapshotRowColumn = (state: OffenderState): [string, string] => [`level${state.level}`, `category${state.category}`];

// One area's report.

function areaReport(histories: readonly OffenderHistory[], area: string, year: number): ReportCells {
  const period = reportPeriod(year);
  const cells: ReportCells = {};
  for (const table of REPORT_TABLES) Object.assign(cells, zeroCells(table, area));
  const add = (table: ReportTableId, row: string, column: string) => {
    const id = cellId(table, row, column);
    cells[id] = (cells[id] ?? 0) + 1;
  };

  for (const history of histories) {
    countSnapshot(history, area, period, add);
    countLevel23InYear(history, area, period, add);
    countPeriodEvents(history, area, period, add);
    countSfoCases(history, area, period, add);
  }
  for (const table of REPORT_TABLES) addTotals(cells, table, area);
  cells[cellId('rsoRate', 'per100k', 'value')] = rsoRatePer100k(cells, area, year);
  return cells;
}

type Add = (table: ReportTableId, row: string, column: string) => void;

// 6.1 and 6.10: in the area and in the community at S, by category and level (and division for category 1).
function countSnapshot(history: OffenderHistory, area: string, period: ReportPeriod, add: Add): void {
  const s = history.at(period.to);
  if (!inArea(s, area) || s.inCustody) return;
  add('offendersOnSnapshot', ...snapshotRowColumn(s));
  if (s.category !== 1) return;
  const configured = divisionsOf(area);
  const known = s.division !== null && (configured === null || configured.includes(s.division));
  add('rsoByDivision', known ? (s.division as string) : UNASSIGNED, 'count');
}

// 6.2: once, at the highest level held in the area on some day of P, under the category of the last day of P at that level.
function countLevel23InYear(history: OffenderHistory, area: string, period: ReportPeriod, add: Add): void {
  let highest = 0;
  let category: number | null = null;
  for (const s of history.during(period.from, period.to)) {
    if (!inArea(s, area) || !atLevel2Or3(s)) continue;
    const level = s.level as number;
    if (level > highest) highest = level;
    if (level === highest) category = s.category; // a later day at the same level overrides
  }
  if (highest > 0) add('level23InYear', `level${highest}`, `category${category}`);
}

// 6.3, 6.4, 6.5, 6.6, 6.7: events dated in P, judged by the state at the end of their day.
function countPeriodEvents(history: OffenderHistory, area: string, period: ReportPeriod, add: Add): void {
  let notificationBreach = false;
  let lastRecall: OffenderState | null = null;
  let lastSopoCustody: OffenderState | null = null;
  for (const event of history.eventsDuring(period.from, period.to)) {
    const s = history.at(event.occurredOn);
    switch (event.type) {
      case 'SopoImposed':
        if (inArea(s, area)) add('ordersImposed', 'sopo', 'count');
        break;
      case 'NotificationOrderImposed':
        if (inArea(s, area)) add('ordersImposed', 'notificationOrder', 'count');
        break;
      case 'ForeignTravelOrderImposed':
        if (inArea(s, area)) add('ordersImposed', 'foreignTravelOrder', 'count');
        break;
      case 'NotificationRequirementBreached':
        if (event.data.outcome !== 'no-further-action' && inArea(s, area) && s.category === 1) notificationBreach = true;
        break;
      case 'LicenceBreached':
        if (event.data.returnedToCustody && inArea(s, area) && atLevel2Or3(s)) lastRecall = s;
        break;
      case 'SopoBreached':
        if (event.data.sentToCustody && inArea(s, area) && atLevel2Or3(s)) lastSopoCustody = s;
        break;
      case 'SeriousCaseReviewCommenced': {
        // Object.hasOwn: a charge id is the caller's, and may be named like `constructor`.
        const chargedOn = Object.hasOwn(s.charges, event.data.chargeId) ? s.charges[event.data.chargeId].chargedOn : undefined;
        const atCharge = chargedOn === undefined ? null : history.at(chargedOn);
        if (atCharge && inArea(atCharge, area) && atLevel2Or3(atCharge)) {
          add('seriousCaseReviews', `level${atCharge.level}`, `category${atCharge.category}`);
        }
        break;
      }
      default:
        break;
    }
  }
  if (notificationBreach) add('notificationBreaches', 'rso', 'count');
  if (lastRecall) add('recalledForLicenceBreach', `level${lastRecall.level}`, `category${lastRecall.category}`);
  // 6.6 has one row, category1: SOPOs and their breaches are for category 1 only (DOMAIN.md 5).
  if (lastSopoCustody) add('custodyForSopoBreach', 'category1', `level${lastSopoCustody.level}`);
}

// 6.8 and 6.9: each charge made while in the area, by category and level at the end of the charge day.
function countSfoCases(history: OffenderHistory, area: string, period: ReportPeriod, add: Add): void {
  for (const event of history.timeline) {
    if (event.type !== 'SfoCharged' || event.occurredOn > period.to) continue;
    const chargedOn = event.occurredOn;
    const atCharge = history.at(chargedOn);
    if (!inArea(atCharge, area)) continue;
    const row = sfoRow(atCharge.category as number, atCharge.level as number);
    const chargeId = event.data.chargeId;

    const chargedInYear = chargedOn >= period.from;
    if (chargedInYear) add('sfoCharges', row, 'chargedInYear');
    if (chargedOn >= period.previousFrom && chargedOn <= period.dayBefore) add('sfoCharges', row, 'chargedInPreviousYear');
    const outstandingAtStart = chargedOn <= period.dayBefore && history.at(period.dayBefore).charges[chargeId]?.outcome == null;
    if (outstandingAtStart) add('sfoCharges', row, 'outstandingAtStart');
    if (!chargedInYear && !outstandingAtStart) continue;

    // Open at some time in P: its outcome by S (if any) decides the column, unless the offender left.
    const charge = history.at(period.to).charges[chargeId];
    const outcomeOn = charge?.outcome != null ? (charge.outcomeOn as string) : null;
    if (!inArea(history.at(outcomeOn ?? period.to), area)) add('sfoOutcomes', row, 'leftArea');
    else if (outcomeOn === null) add('sfoOutcomes', row, 'outstandingAtEnd');
    else add('sfoOutcomes', row, charge.outcome === 'convicted' ? 'convicted' : 'otherOutcome');
  }
}

/** 6.11: category 1 offenders at S per 100,000 aged 10 and over, half up; NaN without a population figure. */
export function rsoRatePer100k(cells: Readonly<ReportCells>, area: string, year: number): number {
  const population = populationAged10Plus(area, year);
  if (population === null) return Number.NaN;
  return ratePer100k(cells[cellId(offendersOnSnapshot, TOTAL, 'category1')], population);
}

// England and Wales: the sum over the 42 areas (DOMAIN.md 6); 6.10 has a row per area.

function nationalReport(histories: readonly OffenderHistory[], year: number): ReportCells {
  const byArea = new Map<string, OffenderHistory[]>(AREAS.map((a) => [a, []]));
  for (const history of histories) {
    for (const area of history.areas()) byArea.get(area)?.push(history);
  }
  const cells: ReportCells = {};
  for (const table of REPORT_TABLES) Object.assign(cells, zeroCells(table, ENGLAND_AND_WALES));
  for (const area of AREAS) {
    const own = areaReport(byArea.get(area) ?? [], area, year);
    for (const table of REPORT_TABLES) {
      if (table === rsoByDivision || table.id === 'rsoRate') continue;
      for (const id of tableCellIds(table, area)) cells[id] += own[id];
    }
    cells[cellId(rsoByDivision, area, 'count')] = own[cellId(offendersOnSnapshot, TOTAL, 'category1')];
  }
  addTotals(cells, rsoByDivision, ENGLAND_AND_WALES);
  cells[cellId('rsoRate', 'per100k', 'value')] = rsoRatePer100k(cells, ENGLAND_AND_WALES, year);
  return cells;
}

// ---------------------------------------------------------------------------------------------
