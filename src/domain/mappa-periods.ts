import { byEffectiveOrder, retractedIds, type TimelineEvent } from './offender-timeline';

// MAPPA periods and the areas that managed each: who may read which part of a record (docs/security.md, "The read-scope rule").

/** One MAPPA period of an offender: from a registration to the end that closes it (DOMAIN.md 4). */
export interface MappaPeriod {
  /** 0 for the first period, in effective-date order. */
  index: number;
  startsOn: string;
  /** Date of the MappaManagementEnded that closes it; null while it is open. */
  endsOn: string | null;
  /** The area registered into, then every area transferred into during the period (non-retracted events only). */
  areas: string[];
}

/** The periods of a stream, and the period each stored event belongs to (by revision; null: none). */
export interface PeriodMap {
  periods: MappaPeriod[];
  periodOf: Map<number, number | null>;
}

/** Splits `stream` into MAPPA periods in effective-date order; how events, transfers and retractions are assigned: docs/decisions.md, "Moved from code comments". */
export function mappaPeriods(stream: readonly TimelineEvent[]): PeriodMap {
  const retracted = retractedIds(stream);
  const counts = (e: TimelineEvent) => !retracted.has(e.eventId);
  const facts = stream.filter((e) => e.type !== 'EventRetracted').sort(byEffectiveOrder);
  const periods: MappaPeriod[] = [];
  const periodOf = new Map<number, number | null>();
  let open: MappaPeriod | null = null;

  for (const e of facts) {
    if (e.type === 'OffenderRegistered' && counts(e)) {
      open = { index: periods.length, startsOn: e.occurredOn, endsOn: null, areas: [e.data.area] };
      periods.push(open);
    } else if (open && open.endsOn === null && counts(e)) {
      if (e.type === 'OffenderTransferred' && !open.areas.includes(e.data.toArea)) open.areas.push(e.data.toArea);
      if (e.type === 'MappaManagementEnded') open.endsOn = e.occurredOn;
    }
    periodOf.set(e.revision, periods.length > 0 ? periods.length - 1 : null);
  }
  // Events before the first registration: the first period's record.
  for (const [revision, period] of periodOf) if (period === null && periods.length > 0) periodOf.set(revision, 0);

  const byEventId = new Map(facts.map((e) => [e.eventId, e.revision]));
  for (const e of stream) {
    if (e.type !== 'EventRetracted') continue;
    const target = byEventId.get(e.data.retractedEventId);
    periodOf.set(e.revision, target === undefined ? null : (periodOf.get(target) ?? null));
  }
  return { periods, periodOf };
}

/** The period holding `date`, or the last one before it; null when `date` precedes every period. */
export function periodAt(periods: readonly MappaPeriod[], date: string): MappaPeriod | null {
  let found: MappaPeriod | null = null;
  for (const p of periods) if (p.startsOn <= date) found = p;
  return found;
}

/** The last period (the one a state "now" is in); null for an offender with none. */
export const lastPeriod = (periods: readonly MappaPeriod[]): MappaPeriod | null => periods[periods.length - 1] ?? null;

/** Periods still open on `date` or starting after it: the part of the record an event of that date can touch. */
export function periodsFrom(periods: readonly MappaPeriod[], date: string): MappaPeriod[] {
  return periods.filter((p) => p.endsOn === null || p.endsOn >= date);
}

/** Each distinct non-empty set of areas, once: one audit entry per set, so no entry tells an area which others managed the offender. */
export function areaGroups(periods: readonly Pick<MappaPeriod, 'areas'>[], leaveOut: (area: string) => boolean = () => false): string[][] {
  const seen = new Map<string, string[]>();
  for (const p of periods) {
    const areas = p.areas.filter((area) => !leaveOut(area)).sort();
    if (areas.length > 0) seen.set(areas.join(','), areas);
  }
  return [...seen.values()];
}

/** Every area that managed a period of the offender (non-retracted registrations and transfers). */
export function managingAreas(periods: readonly MappaPeriod[]): string[] {
  return [...new Set(periods.flatMap((p) => p.areas))];
}

/** Whether anything is recorded after `transfer`: only the receiving area (or a later one) can post that, so it has acted on the transfer. */
export function transferFollowedByEvents(stream: readonly TimelineEvent[], transfer: TimelineEvent): boolean {
  return stream.some((e) => e.type !== 'EventRetracted' && byEffectiveOrder(e, transfer) > 0);
}
