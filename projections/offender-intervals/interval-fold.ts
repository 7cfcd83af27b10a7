import type { Category, Level, NewOffenderEvent } from '../../src/domain/offender-event';
import { evolve, initialOffenderState, type OffenderState } from '../../src/domain/offender-state';

// The state the report counts by (DOMAIN.md 6) as effective-dated intervals; pure, the projection stores it.

/** An event as the interval fold sees it: dated, ordered, with its global position. */
export type PositionedEvent = NewOffenderEvent & { revision: number; position: bigint };

/** What the report counts by while a MAPPA period is open, and which events fixed each part. */
export interface ReportedState {
  area: string;
  division: string | null;
  category: Category;
  level: Level;
  inCustody: boolean;
  areaPos: bigint;
  divisionPos: bigint;
  categoryPos: bigint;
  levelPos: bigint;
  custodyPos: bigint;
}

/** State from the end of `validFrom` to the end of the day before `validTo` (null: still holds): covers D when validFrom <= D < validTo. */
export interface IntervalValue extends ReportedState {
  validFrom: string;
  validTo: string | null;
  /** The last event that changed the reported state on validFrom: the interval's opening event. */
  startPos: bigint;
}

/** Where a fold ended: what the next in-order event needs to extend it without refolding. */
export interface FoldTail {
  /** The latest occurredOn among the counted events (null: none). */
  lastDate: string | null;
  /** Reported state at the end of lastDate (null: not active). */
  state: ReportedState | null;
  /** Reported state at the end of the day before lastDate. */
  stateBeforeLastDate: ReportedState | null;
}

/** One event applied to the reported state (null: no MAPPA period open). */
export function stepReportedState(state: ReportedState | null, event: PositionedEvent): ReportedState | null {
  const before: OffenderState = state
    ? { ...initialOffenderState(), active: true, known: true, area: state.area, division: state.division, category: state.category, level: state.level, inCustody: state.inCustody }
    : initialOffenderState();
  const after = evolve(before, event);
  if (!after.active) return null;
  const p = event.position;
  const registered = event.type === 'OffenderRegistered';
  const custodySet =
    registered ||
    event.type === 'CustodyEntered' ||
    event.type === 'ReleasedToCommunity' ||
    (event.type === 'LicenceBreached' && event.data.returnedToCustody) ||
    (event.type === 'SopoBreached' && event.data.sentToCustody);
  return {
    area: after.area!,
    division: after.division,
    category: after.category!,
    level: after.level!,
    inCustody: after.inCustody,
    areaPos: registered || event.type === 'OffenderTransferred' ? p : state!.areaPos,
    divisionPos: registered || event.type === 'OffenderTransferred' || event.type === 'DivisionChanged' ? p : state!.divisionPos,
    categoryPos: registered || event.type === 'CategoryChanged' ? p : state!.categoryPos,
    levelPos: registered || event.type === 'LevelChanged' ? p : state!.levelPos,
    custodyPos: custodySet ? p : state!.custodyPos,
  };
}

export function sameReportedState(a: ReportedState | null, b: ReportedState | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.area === b.area &&
    a.division === b.division &&
    a.category === b.category &&
    a.level === b.level &&
    a.inCustody === b.inCustody &&
    a.areaPos === b.areaPos &&
    a.divisionPos === b.divisionPos &&
    a.categoryPos === b.categoryPos &&
    a.levelPos === b.levelPos &&
    a.custodyPos === b.custodyPos
  );
}

/** The intervals of an effective timeline; a date's events are taken together, since only the end-of-day state makes an interval. */
export function intervalsOf(effective: readonly PositionedEvent[]): { intervals: IntervalValue[]; tail: FoldTail } {
  const intervals: IntervalValue[] = [];
  let state: ReportedState | null = null;
  let stateBeforeLastDate: ReportedState | null = null;
  let open: IntervalValue | null = null;
  let lastDate: string | null = null;

  for (let i = 0; i < effective.length;) {
    const date = effective[i].occurredOn;
    const dayStart = state;
    let lastChange: bigint | null = null;
    for (; i < effective.length && effective[i].occurredOn === date; i++) {
      const next = stepReportedState(state, effective[i]);
      if (!sameReportedState(state, next)) lastChange = effective[i].position;
      state = next;
    }
    stateBeforeLastDate = dayStart;
    lastDate = date;
    if (sameReportedState(dayStart, state)) continue;
    if (open) intervals.push({ ...open, validTo: date });
    open = state ? { ...state, validFrom: date, validTo: null, startPos: lastChange! } : null;
  }
  if (open) intervals.push(open);
  return { intervals, tail: { lastDate, state, stateBeforeLastDate } };
}

/** A stable key for comparing intervals between two folds (all fields, validTo included). */
export function intervalKey(v: IntervalValue): string {
  return [
    v.validFrom,
    v.validTo ?? '',
    v.area,
    v.division ?? '',
    v.category,
    v.level,
    v.inCustody ? 1 : 0,
    v.startPos,
    v.areaPos,
    v.divisionPos,
    v.categoryPos,
    v.levelPos,
    v.custodyPos,
  ].join('|');
}

/** The key an interval would have if it were still open (validTo null). */
export const openIntervalKey = (v: IntervalValue): string => intervalKey({ ...v, validTo: null });
