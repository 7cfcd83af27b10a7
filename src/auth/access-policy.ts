import { OFFENDER_EVENT_TYPES, type NewOffenderEvent, type OffenderEventType } from '../domain/offender-event';
import { areaGroups, mappaPeriods, periodAt, periodsFrom, transferFollowedByEvents, type MappaPeriod } from '../domain/mappa-periods';
import type { TimelineEvent } from '../domain/offender-timeline';
import { ENGLAND_AND_WALES } from '../domain/reference-areas';
import { responsibleArea, subjectOf } from '../domain/responsible-area';
import { ForbiddenError, NotFoundError, type ErrorDetail, type MappaError } from '../errors';
import { ALL_AREAS, LOCAL_OPERATOR, type Agency, type Caller, type Principal, type Role } from './principal';

// The one place the access policy (docs/security.md) lives: callers never test roles or areas themselves; a refusal is a 403.

/** The event types each agency records (docs/security.md); `moj` may correct anything, and a retraction follows the event it retracts. */
export const RECORDED_BY: Readonly<Record<Agency, readonly OffenderEventType[]>> = {
  police: [
    'OffenderRegistered',
    'CategoryChanged',
    'LevelChanged',
    'DivisionChanged',
    'OffenderTransferred',
    'NotificationRequirementBreached',
    'SopoImposed',
    'NotificationOrderImposed',
    'ForeignTravelOrderImposed',
    'SopoBreached',
    'MappaManagementEnded',
  ],
  probation: [
    'OffenderRegistered',
    'CategoryChanged',
    'LevelChanged',
    'DivisionChanged',
    'OffenderTransferred',
    'CustodyEntered',
    'ReleasedToCommunity',
    'SupervisionStarted',
    'SupervisionEnded',
    'LicenceBreached',
    'SfoCharged',
    'SfoOutcomeRecorded',
    'SeriousCaseReviewCommenced',
    'MappaManagementEnded',
  ],
  prison: ['CustodyEntered', 'ReleasedToCommunity'],
  'duty-to-cooperate': [],
  moj: OFFENDER_EVENT_TYPES.filter((t) => t !== 'EventRetracted'),
};

export const hasRole = (principal: Principal, role: Role): boolean => principal.roles.includes(role);

/** Whether the principal's areas cover `area`; england-and-wales only with `*`. */
export function coversArea(principal: Principal, area: string): boolean {
  if (principal.areas.includes(ALL_AREAS)) return true;
  return area !== ENGLAND_AND_WALES && principal.areas.includes(area);
}

/** Whether the agency records events of this type (a retraction: of the retracted event's type). */
export function agencyRecords(agency: Agency, type: OffenderEventType): boolean {
  return RECORDED_BY[agency].includes(type);
}

/** Recorders only, checked before a batch's body is read so a caller who may not write costs nothing (issue 10, item 1). */
export function assertMayPostEvents(principal: Principal): void {
  if (!hasRole(principal, 'recorder')) throw forbidden('role', 'Only a recorder may post offender events.');
}

/** Why `caller` may not record `event` on `stream` (events accepted earlier in the batch included), or null; per event, so one refusal blocks no other. */
export function recordingRefusal(caller: Caller, stream: readonly TimelineEvent[], event: NewOffenderEvent): ForbiddenError | null {
  if (caller === LOCAL_OPERATOR) return null;
  if (!hasRole(caller, 'recorder')) return forbidden('role', 'Only a recorder may post offender events.');
  const subject = subjectOf(stream, event);
  // A retraction of no known event is judged by the decider (422); here it needs only an agency that records something.
  const records = subject.type === 'EventRetracted' ? RECORDED_BY[caller.agency].length > 0 : agencyRecords(caller.agency, subject.type);
  if (!records) {
    const what = subject.type === 'EventRetracted' ? 'any events' : event.type === 'EventRetracted' ? `${subject.type} events, so it cannot retract one` : `${subject.type} events`;
    return forbidden('agency-event-type', `The ${caller.agency} agency does not record ${what}; see docs/security.md for who records what.`, 'type');
  }
  if (event.type === 'EventRetracted' && subject.type === 'OffenderTransferred') return transferRetractionRefusal(caller, stream, subject);
  // An offender with no registration has no area: the decider answers 404 for it.
  const area = responsibleArea(stream, event);
  if (area !== null && !coversArea(caller, area)) {
    if (event.type === 'OffenderRegistered') {
      return forbidden('area', `You may only register offenders into your areas, and ${area} is not one of them.`, 'data.area');
    }
    const why =
      event.type === 'OffenderTransferred'
        ? `a transfer is posted by the sending area, which is ${area}`
        : `offender ${event.offenderId} was managed in ${area} when this event took effect`;
    return forbidden('area', `You may only post events for offenders managed in your areas: ${why}.`, 'offenderId');
  }
  return null;
}

/** Who may retract a transfer (docs/security.md, policy table): `*` always; the sending area until the receiving one has recorded after it, then only the receiving area. */
function transferRetractionRefusal(caller: Principal, stream: readonly TimelineEvent[], transfer: NewOffenderEvent & { type: 'OffenderTransferred' }): ForbiddenError | null {
  if (caller.areas.includes(ALL_AREAS)) return null;
  const stored = stream.find((e) => e.eventId === transfer.eventId);
  const taken = stored !== undefined && transferFollowedByEvents(stream, stored);
  const sending = responsibleArea(stream, transfer);
  const [entitled, other] = taken ? [transfer.data.toArea, sending] : [sending, transfer.data.toArea];
  if (entitled !== null && coversArea(caller, entitled)) return null;
  if (other === null || !coversArea(caller, other)) {
    return forbidden('area', `You may only post events for offenders managed in your areas: a transfer is retracted by the sending or the receiving area.`, 'offenderId');
  }
  return forbidden(
    'transfer-retraction',
    taken
      ? 'The receiving area has recorded events since this transfer, so only the receiving area (or the MAPPA data team) may retract it.'
      : 'Until the receiving area records anything after this transfer, only the sending area (or the MAPPA data team) may retract it.',
    'data.retractedEventId',
  );
}

/** An event for an offender with no area at its date is refused like another area's, so a recorder cannot probe which ids exist. */
export function unknownOffenderRefusal(caller: Caller, stream: readonly TimelineEvent[], event: NewOffenderEvent): ForbiddenError | null {
  if (caller === LOCAL_OPERATOR || caller.areas.includes(ALL_AREAS) || event.type === 'OffenderRegistered') return null;
  if (responsibleArea(stream, event) !== null) return null;
  // Said here for the audit's reason; refusedWrite shows the caller the answer for another area's offender.
  return forbidden('known-offender', `Offender ${event.offenderId} has no MAPPA period at this date.`, 'offenderId');
}

/** What a refused writer is told, and the areas whose auditors see the refusal (one audit entry per group). */
export interface RefusedWrite {
  shown: MappaError;
  /** The rule the write broke, as found (the audit's reason; never shown to a caller who may not see it). */
  rule: string;
  areaGroups: string[][];
}

/** Shapes a refusal of `event` for `caller` as docs/security.md, "Refused writes", says: one answer for unknown and foreign, detail only to areas that may see it. */
export function refusedWrite(caller: Caller, stream: readonly TimelineEvent[], event: NewOffenderEvent, error: MappaError): RefusedWrite {
  const rule = error.details[0]?.rule ?? error.code;
  const { periods } = mappaPeriods(stream);
  const date = concernedDate(stream, event);
  const atDate = periodAt(periods, date);
  const ownGroups = atDate ? [atDate.areas] : [event.type === 'OffenderRegistered' ? [event.data.area] : []];
  if (caller === LOCAL_OPERATOR || caller.areas.includes(ALL_AREAS)) return { shown: error, rule, areaGroups: ownGroups };

  const notTheCallers =
    (error instanceof ForbiddenError || error instanceof NotFoundError) &&
    error.details.some((d) => d.field === 'offenderId' && (d.rule === 'area' || d.rule === 'known-offender'));
  const touched = [...new Set([...(atDate ? [atDate] : []), ...periodsFrom(periods, date)])];
  const seesAll = touched.every((p) => readablePeriods(caller, [p]).length > 0);
  const aboutTheRecord = error.status === 409 || error.status === 422;
  if (!notTheCallers && (seesAll || !aboutTheRecord)) return { shown: error, rule, areaGroups: ownGroups };

  // Not the caller's: the area managing the offender at that date; hidden details: every period they may name.
  const others = areaGroups(notTheCallers ? (atDate ? [atDate] : []) : touched, (area) => coversArea(caller, area));
  return { shown: notTheCallers ? notYourOffender() : withoutDetails(error), rule, areaGroups: others.length > 0 ? others : [[]] };
}

/** The date whose part of the record a refusal may speak of: the earliest of the event, what it retracts, and an event of the same id. */
function concernedDate(stream: readonly TimelineEvent[], event: NewOffenderEvent): string {
  const subject = subjectOf(stream, event);
  const sameId = stream.find((e) => e.eventId === event.eventId);
  return [event.occurredOn, subject.occurredOn, sameId?.occurredOn ?? event.occurredOn].sort()[0];
}

/** The one answer for an offender that is not the caller's: it says nothing of whether it exists or where. */
function notYourOffender(): ForbiddenError {
  return forbidden('area', "You may only post events for offenders managed in your areas on the event's date, and this offender is not one of them.", 'offenderId');
}

/** The same refusal (status and error code) without a word about the record behind it. */
function withoutDetails(error: MappaError): MappaError {
  const message = "This event conflicts with a part of the offender's record that your areas did not manage, so the details cannot be shown; the MAPPA data team can look into it.";
  const detail: ErrorDetail = { rule: 'record-of-another-area', message: 'conflicts with a part of the record you may not see' };
  return new (error.constructor as new (message: string, details: ErrorDetail[]) => MappaError)(message, [detail]);
}

/** The MAPPA periods `principal`'s areas managed (docs/security.md, "The read-scope rule"); the role is checked by assertMayReadOffender. */
export function readablePeriods(principal: Principal, periods: readonly MappaPeriod[]): MappaPeriod[] {
  if (principal.areas.includes(ALL_AREAS)) return [...periods];
  return periods.filter((p) => p.areas.some((area) => coversArea(principal, area)));
}

/** Aggregate figures of `area`: its analysts and auditors; england-and-wales only for `*`. */
export function assertMayReadReport(principal: Principal, area: string): void {
  if (!hasRole(principal, 'analyst') && !hasRole(principal, 'auditor')) {
    throw forbidden('role', 'Only an analyst or an auditor may read reports, snapshots and period totals.');
  }
  assertCovers(principal, area);
}

/** The trace of a report cell (it names offenders): auditors of that area only. */
export function assertMayReadTrace(principal: Principal, area: string): void {
  if (!hasRole(principal, 'auditor')) throw forbidden('role', 'Only an auditor may trace a figure to the offenders behind it.');
  assertCovers(principal, area);
}

/** An offender's state or history: auditors whose areas managed the part read; unknown and foreign offenders are refused alike. */
export function assertMayReadOffender(principal: Principal, managingAreas: readonly string[]): void {
  if (!hasRole(principal, 'auditor')) throw forbidden('role', 'Only an auditor may read offender-level data.');
  if (principal.areas.includes(ALL_AREAS)) return;
  if (!managingAreas.some((a) => coversArea(principal, a))) {
    throw forbidden('area', 'You may read only the MAPPA periods your areas managed, and this offender has none at what you asked for.', 'offenderId');
  }
}

/** The log of reads of offender-level data: auditors (each sees the entries of its areas). */
export function assertMayReadAccessAudit(principal: Principal): void {
  if (!hasRole(principal, 'auditor')) throw forbidden('role', 'Only an auditor may read the access audit.');
}

/** Rebuilds and other operations: admins. The role alone gives no offender data. */
export function assertMayAdminister(principal: Principal): void {
  if (!hasRole(principal, 'admin')) throw forbidden('role', 'Only an admin may run operations such as a rebuild.');
}

function assertCovers(principal: Principal, area: string): void {
  if (coversArea(principal, area)) return;
  throw area === ENGLAND_AND_WALES
    ? forbidden('area', 'England and Wales figures are only for tokens with every area (*).', 'area')
    : forbidden('area', `Your token does not cover the area ${area}.`, 'area');
}

function forbidden(rule: string, message: string, field?: string): ForbiddenError {
  return new ForbiddenError(message, [field === undefined ? { rule, message } : { field, rule, message }]);
}

/** Publishing a report of `area` (issue 14.2): its publishers; england-and-wales only for `*`. */
export function assertMayPublish(principal: Principal, area: string): void {
  if (!hasRole(principal, 'publisher')) throw forbidden('role', 'Only a publisher may record that a report was published.');
  assertCovers(principal, area);
}

/** The publications of `area` and the reports as published (aggregate figures): analysts, auditors and publishers of that area. */
export function assertMayReadPublications(principal: Principal, area: string): void {
  if (!hasRole(principal, 'analyst') && !hasRole(principal, 'auditor') && !hasRole(principal, 'publisher')) {
    throw forbidden('role', 'Only an analyst, an auditor or a publisher may read publications.');
  }
  assertCovers(principal, area);
}
