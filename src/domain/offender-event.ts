// The event catalogue of DOMAIN.md section 3: every fact an agency can post about an offender.

export const CATEGORIES = [1, 2, 3] as const;
export const LEVELS = [1, 2, 3] as const;
export const CUSTODY_REASONS = ['sentence', 'remand', 'recall', 'hospital'] as const;
export const NOTIFICATION_BREACH_OUTCOMES = ['caution', 'conviction', 'no-further-action'] as const;
export const SFO_OUTCOMES = ['convicted', 'acquitted', 'discontinued', 'convicted-other-offence'] as const;
export const MAPPA_END_REASONS = ['registration-expired', 'licence-expired', 'no-longer-eligible', 'deceased', 'other'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Level = (typeof LEVELS)[number];
export type CustodyReason = (typeof CUSTODY_REASONS)[number];
export type NotificationBreachOutcome = (typeof NOTIFICATION_BREACH_OUTCOMES)[number];
export type SfoOutcome = (typeof SFO_OUTCOMES)[number];
export type MappaEndReason = (typeof MAPPA_END_REASONS)[number];

/** Payload of each event type, by type name. */
export interface OffenderEventData {
  OffenderRegistered: {
    area: string;
    category: Category;
    level: Level;
    division?: string;
    inCustody: boolean;
    underSupervision: boolean;
    onLicence?: boolean;
  };
  CategoryChanged: { category: Category };
  LevelChanged: { level: Level; reason?: string };
  DivisionChanged: { division: string };
  OffenderTransferred: { toArea: string; toDivision?: string };
  CustodyEntered: { reason: CustodyReason };
  ReleasedToCommunity: { onLicence: boolean };
  SupervisionStarted: Record<string, never>;
  SupervisionEnded: Record<string, never>;
  LicenceBreached: { returnedToCustody: boolean };
  NotificationRequirementBreached: { outcome: NotificationBreachOutcome };
  SopoImposed: { orderId: string; expiresOn?: string };
  NotificationOrderImposed: { orderId: string };
  ForeignTravelOrderImposed: { orderId: string; expiresOn?: string };
  SopoBreached: { orderId: string; sentToCustody: boolean };
  SfoCharged: { chargeId: string; offence?: string };
  SfoOutcomeRecorded: { chargeId: string; outcome: SfoOutcome };
  SeriousCaseReviewCommenced: { reviewId: string; chargeId: string };
  MappaManagementEnded: { reason: MappaEndReason };
  EventRetracted: { retractedEventId: string; reason: string };
}

export type OffenderEventType = keyof OffenderEventData;

/** The list of every event type: a type left out is a compile error naming it (`missing`). */
const everyEventType = <const T extends readonly OffenderEventType[]>(
  types: T & ([Exclude<OffenderEventType, T[number]>] extends [never] ? unknown : { missing: Exclude<OffenderEventType, T[number]> }),
): T => types;

export const OFFENDER_EVENT_TYPES = everyEventType([
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
  'NotificationRequirementBreached',
  'SopoImposed',
  'NotificationOrderImposed',
  'ForeignTravelOrderImposed',
  'SopoBreached',
  'SfoCharged',
  'SfoOutcomeRecorded',
  'SeriousCaseReviewCommenced',
  'MappaManagementEnded',
  'EventRetracted',
]);

/** The body of an event: its type and the matching payload (a discriminated union). */
export type OffenderEventBody = {
  [T in OffenderEventType]: { type: T; data: OffenderEventData[T] };
}[OffenderEventType];

/** An event as a poster submits it (DOMAIN.md section 3, without the fields the service sets). */
export type NewOffenderEvent = OffenderEventBody & {
  eventId: string;
  offenderId: string;
  /** Effective date, YYYY-MM-DD. */
  occurredOn: string;
};

/** Set by the service at append; never supplied by a poster. */
export interface EventMetadata {
  actor: string;
  agency: string;
  correlationId: string;
  causationId: string | null;
  source: 'api' | 'import' | 'demo' | 'generate';
}

/** An event as stored: the envelope plus what the store and the service added. */
export type RecordedOffenderEvent = NewOffenderEvent & {
  /** 0-based position of the event in its offender stream. */
  revision: number;
  /** Position in the global order of the whole store. */
  position: bigint;
  /** ISO timestamp of the append (when the service learned the fact). */
  recordedAt: string;
  metadata: EventMetadata;
};

/** A registration payload as the service's own writers post it: no division key when there is none, onLicence only when true. */
export function registrationData(r: OffenderEventData['OffenderRegistered']): OffenderEventData['OffenderRegistered'] {
  return {
    area: r.area,
    category: r.category,
    level: r.level,
    ...(r.division === undefined ? {} : { division: r.division }),
    inCustody: r.inCustody,
    underSupervision: r.underSupervision,
    ...(r.onLicence ? { onLicence: true } : {}),
  };
}

export const streamIdOf = (offenderId: string): string => `offender-${offenderId}`;
