import type { NewOffenderEvent, OffenderEventType } from './offender-event';
import type { RuleId } from './offender-rules';
import { evolve, initialOffenderState, orderInForce, type OffenderState, type OrderKind } from './offender-state';
import { effectiveTimeline, type TimelineEvent } from './offender-timeline';
import { areaName, isValidDivision } from './reference-areas';

// Timeline rules (DOMAIN.md section 5), each judged on the state folded in effective-date order, so back-dating sees what was true on the date.

/** An event of the effective timeline that breaks a rule. */
export interface TimelineViolation {
  eventId: string;
  type: OffenderEventType;
  occurredOn: string;
  /** Stream revision of the event (tells apart events that share an eventId by mistake). */
  revision: number;
  /** The field at fault, as posted: `type` when the event as a whole is out of place. */
  field: string;
  rule: RuleId;
  /** Why, as a clause about the offender on that date: "the offender is already in custody on 2015-01-10". */
  reason: string;
  /** One sentence naming the event and the reason. */
  message: string;
}

/** The first violation of the effective timeline, checking events dated `from` or later (all if absent). */
export function validateTimeline(events: readonly TimelineEvent[], from?: string): TimelineViolation | null {
  return findTimelineViolations(events, from)[0] ?? null;
}

/** Every violation dated `from` or later, in effective order; the fold goes on past one, so later ones are found too. */
export function findTimelineViolations(events: readonly TimelineEvent[], from?: string): TimelineViolation[] {
  const timeline = effectiveTimeline(events);
  const chargeDates = firstChargeDates(timeline);
  const violations: TimelineViolation[] = [];
  let state = initialOffenderState();
  for (const event of timeline) {
    if (from === undefined || event.occurredOn >= from) {
      const breach = checkEvent(state, event, chargeDates);
      if (breach) violations.push(toViolation(event, breach));
    }
    state = evolve(state, event);
  }
  return violations;
}

/** The violation `event` would be right after the events folded into `state`, or null. */
export function violationAfter(state: OffenderState, event: TimelineEvent, chargeDates: ReadonlyMap<string, string>): TimelineViolation | null {
  const found = checkEvent(state, event, chargeDates);
  return found ? toViolation(event, found) : null;
}

interface Breach {
  field: string;
  rule: RuleId;
  reason: string;
}

const breach = (field: string, rule: RuleId, reason: string): Breach => ({ field, rule, reason });

function toViolation(event: TimelineEvent, { field, rule, reason }: Breach): TimelineViolation {
  const { eventId, type, occurredOn, revision } = event;
  const message = `${type} of ${occurredOn} (event ${eventId}) is invalid: ${reason}.`;
  return { eventId, type, occurredOn, revision, field, rule, reason, message };
}

/** Date of each charge in the timeline, so an outcome dated before its charge is told from an unknown charge. */
function firstChargeDates(timeline: readonly TimelineEvent[]): Map<string, string> {
  const dates = new Map<string, string>();
  for (const e of timeline) {
    if (e.type === 'SfoCharged' && !dates.has(e.data.chargeId)) dates.set(e.data.chargeId, e.occurredOn);
  }
  return dates;
}

/** The rule `event` breaks given the state just before it, or null if it is valid there. */
function checkEvent(state: OffenderState, event: NewOffenderEvent, chargeDates: ReadonlyMap<string, string>): Breach | null {
  const on = event.occurredOn;
  if (event.type === 'EventRetracted') return null; // a correction of the record, never part of the fold
  if (event.type !== 'OffenderRegistered' && !state.active) {
    return breach('type', 'only-registration-while-inactive', `the offender has no open MAPPA period on ${on}`);
  }
  switch (event.type) {
    case 'OffenderRegistered': {
      const { area, category, level, division } = event.data;
      if (state.active) {
        return breach('type', 'already-active', `the offender already has an open MAPPA period on ${on}; end it with MappaManagementEnded first`);
      }
      if (category === 3 && level === 1) {
        return breach('data.level', 'category-3-needs-level-2-or-3', 'a category 3 offender cannot be managed at level 1');
      }
      if (division !== undefined && !isValidDivision(area, division)) return divisionNotInArea('data.division', division, area);
      return null;
    }
    case 'CategoryChanged':
      if (event.data.category === state.category) {
        return breach('data.category', 'must-change-something', `the offender is already category ${state.category} on ${on}`);
      }
      if (event.data.category === 3 && state.level === 1) {
        return breach('data.category', 'category-3-needs-level-2-or-3', `the offender is managed at level 1 on ${on}, and category 3 needs level 2 or 3`);
      }
      return null;
    case 'LevelChanged':
      if (event.data.level === state.level) {
        return breach('data.level', 'must-change-something', `the offender is already managed at level ${state.level} on ${on}`);
      }
      if (event.data.level === 1 && state.category === 3) {
        return breach('data.level', 'category-3-needs-level-2-or-3', `the offender is category 3 on ${on}, and category 3 is never managed at level 1`);
      }
      return null;
    case 'DivisionChanged':
      if (event.data.division === state.division) {
        return breach('data.division', 'must-change-something', `the offender is already in division ${event.data.division} on ${on}`);
      }
      if (state.area !== null && !isValidDivision(state.area, event.data.division)) {
        return divisionNotInArea('data.division', event.data.division, state.area);
      }
      return null;
    case 'OffenderTransferred': {
      const { toArea, toDivision } = event.data;
      if (toArea === state.area) {
        return breach('data.toArea', 'transfer-to-another-area', `the offender is already managed in ${areaName(toArea)} on ${on}`);
      }
      if (toDivision !== undefined && !isValidDivision(toArea, toDivision)) return divisionNotInArea('data.toDivision', toDivision, toArea);
      return null;
    }
    case 'CustodyEntered':
      return state.inCustody ? breach('type', 'custody-only-from-community', `the offender is already in custody on ${on}`) : null;
    case 'ReleasedToCommunity':
      return state.inCustody ? null : breach('type', 'release-only-from-custody', `the offender is not in custody on ${on}`);
    case 'SupervisionStarted':
      return state.underSupervision ? breach('type', 'supervision-start-only-when-unsupervised', `the offender is already under supervision on ${on}`) : null;
    case 'SupervisionEnded':
      return state.underSupervision ? null : breach('type', 'supervision-end-only-when-supervised', `the offender is not under supervision on ${on}`);
    case 'LicenceBreached':
      if (state.inCustody) {
        return breach('type', 'licence-breach-needs-licence-in-community', `the offender is in custody on ${on}`);
      }
      return state.onLicence ? null : breach('type', 'licence-breach-needs-licence-in-community', `the offender is not on licence on ${on}`);
    case 'NotificationRequirementBreached':
      return categoryOneOnly(state, event);
    case 'SopoImposed':
    case 'NotificationOrderImposed':
    case 'ForeignTravelOrderImposed':
      return categoryOneOnly(state, event) ?? orderIdUnused(state, event.data.orderId);
    case 'SopoBreached':
      return (
        categoryOneOnly(state, event) ??
        (event.data.sentToCustody && state.inCustody
          ? breach('data.sentToCustody', 'sopo-breach-custody-only-from-community', `the offender is already in custody on ${on}`)
          : sopoInForce(state, event.data.orderId, on))
      );
    case 'SfoCharged':
      if (recorded(state.charges, event.data.chargeId)) {
        return breach('data.chargeId', 'charge-id-unique', `charge ${event.data.chargeId} is already recorded for this offender`);
      }
      return state.underSupervision ? null : breach('type', 'sfo-charge-needs-supervision', `the offender is not under supervision on ${on}`);
    case 'SfoOutcomeRecorded':
      return sfoOutcomeAllowed(state, event.data.chargeId, chargeDates);
    case 'SeriousCaseReviewCommenced': {
      const { reviewId, chargeId } = event.data;
      if (recorded(state.reviews, reviewId)) {
        return breach('data.reviewId', 'review-id-unique', `review ${reviewId} is already recorded for this offender`);
      }
      const charge = recorded(state.charges, chargeId);
      if (!charge) {
        return breach('data.chargeId', 'review-needs-known-charge', `no charge ${chargeId} is recorded for this offender on or before ${on}`);
      }
      return charge.levelAtCharge === 1
        ? breach('data.chargeId', 'review-needs-charge-at-level-2-or-3', `charge ${chargeId} was made on ${charge.chargedOn} while the offender was managed at level 1`)
        : null;
    }
    case 'MappaManagementEnded':
      return null;
  }
}

/** The record of an id, own properties only: an id such as "constructor" must not find Object.prototype members. */
const recorded = <T>(records: Record<string, T>, id: string): T | undefined => (Object.hasOwn(records, id) ? records[id] : undefined);

function divisionNotInArea(field: string, division: string, area: string): Breach {
  return breach(field, 'division-configured-for-area', `division ${division} is not a division of ${areaName(area)}`);
}

// DOMAIN.md 3: notification breaches and the civil orders of the Sexual Offences Act are for registered sexual offenders.
function categoryOneOnly(state: OffenderState, event: NewOffenderEvent): Breach | null {
  return state.category === 1
    ? null
    : breach('type', 'category-1-only', `the offender is category ${state.category} on ${event.occurredOn}, and ${event.type} applies only to category 1`);
}

// Orders of every kind and every MAPPA period share one id space (DOMAIN.md 4).
function orderIdUnused(state: OffenderState, orderId: string): Breach | null {
  return recorded(state.orders, orderId) ? breach('data.orderId', 'order-id-unique', `order ${orderId} is already recorded for this offender`) : null;
}

const ORDER_NAMES: Record<OrderKind, string> = {
  sopo: 'a SOPO',
  notificationOrder: 'a notification order',
  foreignTravelOrder: 'a foreign travel order',
};

function sopoInForce(state: OffenderState, orderId: string, on: string): Breach | null {
  const order = recorded(state.orders, orderId);
  const notInForce = (reason: string) => breach('data.orderId', 'sopo-breach-needs-sopo-in-force', reason);
  if (!order) return notInForce(`no order ${orderId} is recorded for this offender on or before ${on}`);
  if (order.kind !== 'sopo') return notInForce(`order ${orderId} is ${ORDER_NAMES[order.kind]}, not a SOPO`);
  if (!orderInForce(order, on)) return notInForce(`SOPO ${orderId} expired on ${order.expiresOn}`);
  return null;
}

function sfoOutcomeAllowed(state: OffenderState, chargeId: string, chargeDates: ReadonlyMap<string, string>): Breach | null {
  const charge = recorded(state.charges, chargeId);
  if (!charge) {
    const chargedOn = chargeDates.get(chargeId);
    if (chargedOn === undefined) {
      return breach('data.chargeId', 'sfo-outcome-needs-known-charge', `no charge ${chargeId} is recorded for this offender`);
    }
    // A same-date charge recorded after its outcome also lands here: in effective order the outcome comes first.
    return breach('data.chargeId', 'sfo-outcome-not-before-charge', `charge ${chargeId} is dated ${chargedOn}, so its outcome cannot come before it`);
  }
  return charge.outcome === null
    ? null
    : breach('data.chargeId', 'sfo-outcome-once-per-charge', `charge ${chargeId} already has the outcome ${charge.outcome}, recorded on ${charge.outcomeOn}`);
}
