import type { Category, Level, NewOffenderEvent, SfoOutcome } from './offender-event';

// The state of an offender at the end of a date (DOMAIN.md section 4). Pure: no I/O, no clock.

export type OrderKind = 'sopo' | 'notificationOrder' | 'foreignTravelOrder';

export interface OrderRecord {
  kind: OrderKind;
  imposedOn: string;
  expiresOn: string | null;
}

export interface ChargeRecord {
  chargedOn: string;
  /** Level held when charged (an SCR needs level 2 or 3 at the charge, DOMAIN.md 5). */
  levelAtCharge: Level;
  outcome: SfoOutcome | null;
  outcomeOn: string | null;
}

export interface OffenderState {
  /** Whether a MAPPA period is open. */
  active: boolean;
  /** Whether the offender was ever registered (a stream with events). */
  known: boolean;
  area: string | null;
  division: string | null;
  category: Category | null;
  level: Level | null;
  inCustody: boolean;
  underSupervision: boolean;
  onLicence: boolean;
  /** Orders of every MAPPA period, by orderId. */
  orders: Record<string, OrderRecord>;
  /** SFO charges of every MAPPA period, by chargeId. */
  charges: Record<string, ChargeRecord>;
  /** Serious case reviews by reviewId, with the charge each concerns. */
  reviews: Record<string, { chargeId: string; commencedOn: string }>;
}

export const initialOffenderState = (): OffenderState => ({
  active: false,
  known: false,
  area: null,
  division: null,
  category: null,
  level: null,
  inCustody: false,
  underSupervision: false,
  onLicence: false,
  orders: {},
  charges: {},
  reviews: {},
});

/** An event that can be folded: what evolve needs of it. */
export type FoldableEvent = Pick<NewOffenderEvent, 'type' | 'data' | 'occurredOn'> & { type: NewOffenderEvent['type'] };

/** Applies one event by the flag table of DOMAIN.md section 4, without checking rules (offender-decider.ts); returns a new state. */
export function evolve(state: OffenderState, event: FoldableEvent): OffenderState {
  const s: OffenderState = { ...state };
  const e = event as NewOffenderEvent;
  switch (e.type) {
    case 'OffenderRegistered':
      s.active = true;
      s.known = true;
      s.area = e.data.area;
      s.division = e.data.division ?? null;
      s.category = e.data.category;
      s.level = e.data.level;
      s.inCustody = e.data.inCustody;
      s.underSupervision = e.data.underSupervision;
      s.onLicence = e.data.onLicence ?? false;
      return s;
    case 'CategoryChanged':
      s.category = e.data.category;
      return s;
    case 'LevelChanged':
      s.level = e.data.level;
      return s;
    case 'DivisionChanged':
      s.division = e.data.division;
      return s;
    case 'OffenderTransferred':
      s.area = e.data.toArea;
      s.division = e.data.toDivision ?? null;
      return s;
    case 'CustodyEntered':
      return enterCustody(s);
    case 'ReleasedToCommunity':
      s.inCustody = false;
      s.onLicence = e.data.onLicence;
      if (e.data.onLicence) s.underSupervision = true;
      return s;
    case 'SupervisionStarted':
      s.underSupervision = true;
      return s;
    case 'SupervisionEnded':
      s.underSupervision = false;
      s.onLicence = false;
      return s;
    case 'LicenceBreached':
      return e.data.returnedToCustody ? enterCustody(s) : s;
    case 'SopoBreached':
      return e.data.sentToCustody ? enterCustody(s) : s;
    case 'NotificationRequirementBreached':
      return s;
    case 'SopoImposed':
      s.orders = { ...s.orders, [e.data.orderId]: { kind: 'sopo', imposedOn: e.occurredOn, expiresOn: e.data.expiresOn ?? null } };
      return s;
    case 'NotificationOrderImposed':
      s.orders = { ...s.orders, [e.data.orderId]: { kind: 'notificationOrder', imposedOn: e.occurredOn, expiresOn: null } };
      return s;
    case 'ForeignTravelOrderImposed':
      s.orders = {
        ...s.orders,
        [e.data.orderId]: { kind: 'foreignTravelOrder', imposedOn: e.occurredOn, expiresOn: e.data.expiresOn ?? null },
      };
      return s;
    case 'SfoCharged':
      s.charges = {
        ...s.charges,
        [e.data.chargeId]: { chargedOn: e.occurredOn, levelAtCharge: s.level ?? 1, outcome: null, outcomeOn: null },
      };
      return s;
    case 'SfoOutcomeRecorded': {
      // Own properties only: an id such as "constructor" must not find Object.prototype members.
      const charge = Object.hasOwn(s.charges, e.data.chargeId) ? s.charges[e.data.chargeId] : undefined;
      if (charge) s.charges = { ...s.charges, [e.data.chargeId]: { ...charge, outcome: e.data.outcome, outcomeOn: e.occurredOn } };
      return s;
    }
    case 'SeriousCaseReviewCommenced':
      s.reviews = { ...s.reviews, [e.data.reviewId]: { chargeId: e.data.chargeId, commencedOn: e.occurredOn } };
      return s;
    case 'MappaManagementEnded':
      s.active = false;
      s.inCustody = false;
      s.underSupervision = false;
      s.onLicence = false;
      return s;
    case 'EventRetracted':
      // A retraction has no effect of its own on the date it names: it removes the retracted event from every fold (see effectiveTimeline).
      return s;
  }
}

function enterCustody(s: OffenderState): OffenderState {
  s.inCustody = true;
  s.onLicence = false; // entering custody by any event ends the licence (DOMAIN.md 4)
  return s;
}

/** Whether an order is in force on a date: from its date up to and including expiresOn. */
export const orderInForce = (order: OrderRecord, on: string): boolean => order.imposedOn <= on && (order.expiresOn === null || on <= order.expiresOn);
