import { OFFENDER_EVENT_TYPES, type NewOffenderEvent, type OffenderEventType } from '../domain/offender-event';
import type { TimelineEvent } from '../domain/offender-timeline';
import { ENGLAND_AND_WALES } from '../domain/reference-areas';
import { responsibleArea, subjectOf } from '../domain/responsible-area';
import { ForbiddenError } from '../errors';
import { ALL_AREAS, LOCAL_OPERATOR, type Agency, type Caller, type Principal, type Role } from './principal';

// The access policy: who may see and write what (docs/security.md has it as a table).
// The one place these rules live: controllers, the record-events handler and the CLI call
// these functions and never test roles or areas themselves. Every refusal is a 403 ForbiddenError.

/**
 * The event types each agency records (docs/security.md). A retraction is allowed to whoever
 * may record the event it retracts. `moj` (the national MAPPA data team) may correct anything.
 */
export const RECORDED_BY: Readonly<Record<Agency, readonly OffenderEventType[]>> = {
  police: [
    'OffenderRegistered', 'CategoryChanged', 'LevelChanged', 'DivisionChanged', 'OffenderTransferred',
    'NotificationRequirementBreached', 'SopoImposed', 'NotificationOrderImposed', 'ForeignTravelOrderImposed', 'SopoBreached',
    'MappaManagementEnded',
  ],
  probation: [
    'OffenderRegistered', 'CategoryChanged', 'LevelChanged', 'DivisionChanged', 'OffenderTransferred',
    'CustodyEntered', 'ReleasedToCommunity', 'SupervisionStarted', 'SupervisionEnded', 'LicenceBreached',
    'SfoCharged', 'SfoOutcomeRecorded', 'SeriousCaseReviewCommenced',
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

/**
 * Whether the caller may post events at all: recorders only. Checked before a batch's body is
 * read, so a caller who may not write costs the service nothing (issue 10, item 1); which events
 * and offenders a recorder may write is `recordingRefusal`'s business, per event.
 */
export function assertMayPostEvents(principal: Principal): void {
  if (!hasRole(principal, 'recorder')) throw forbidden('role', 'Only a recorder may post offender events.');
}

/**
 * Why `caller` may not record `event` on the offender's `stream` (with the events accepted earlier
 * in the same batch), or null when it may. Called by the record-events handler after it reads the
 * stream, per event: a refused event never blocks the others. The local operator (the `mappa`
 * command line, which has the store's files or credentials anyway) may record anything.
 */
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
  // An offender with no registration has no area: the decider answers 404 for it.
  const area = responsibleArea(stream, event);
  if (area !== null && !coversArea(caller, area)) {
    if (event.type === 'OffenderRegistered') {
      return forbidden('area', `You may only register offenders into your areas, and ${area} is not one of them.`, 'data.area');
    }
    const why = event.type === 'OffenderTransferred'
      ? `a transfer is posted by the sending area, which is ${area}`
      : `offender ${event.offenderId} was managed in ${area} when this event took effect`;
    return forbidden('area', `You may only post events for offenders managed in your areas: ${why}.`, 'offenderId');
  }
  return null;
}

/** Throws 403 unless `caller` may record `event` (see recordingRefusal). */
export function assertMayRecord(caller: Caller, stream: readonly TimelineEvent[], event: NewOffenderEvent): void {
  const refusal = recordingRefusal(caller, stream, event);
  if (refusal) throw refusal;
}

/**
 * Reports, snapshots and period totals of `area` (aggregate figures, no offender ids):
 * analysts and auditors of that area; england-and-wales only for `*`.
 */
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

/**
 * An offender's state or history: auditors whose areas include one the offender was ever managed
 * in (`areasOfOffender`, from src/domain/responsible-area.ts). An unknown offender is in no area,
 * so only a `*` auditor learns that it does not exist.
 */
export function assertMayReadOffender(principal: Principal, areasOfOffender: readonly string[]): void {
  if (!hasRole(principal, 'auditor')) throw forbidden('role', 'Only an auditor may read offender-level data.');
  if (principal.areas.includes(ALL_AREAS)) return;
  if (!areasOfOffender.some((a) => coversArea(principal, a))) {
    throw forbidden('area', 'This offender was never managed in any of your areas.', 'offenderId');
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
