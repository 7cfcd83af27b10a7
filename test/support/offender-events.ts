import { randomUUID } from 'node:crypto';
import type { NewOffenderEvent, OffenderEventData, OffenderEventType } from '../../src/domain/offender-event';
import type { TimelineEvent } from '../../src/domain/offender-timeline';

// The one vocabulary tests build offender events with (issue 12.6): a builder per event type, with
// the data a test does not care about filled in plausibly. Domain tests use the default offender and
// readable ids; tests on a store or the command path take `eventsOf(offenderId, randomEventId)`.

export const OFFENDER = 'GM-000123';

let sequence = 0;
/** Readable ids such as `ev-7` (real ids are UUIDs; the decider does not care). */
export const readableEventId = (): string => `ev-${++sequence}`;
/** A UUID, for tests whose events reach a store or the command path. */
export const randomEventId = (): string => randomUUID();

type Registration = OffenderEventData['OffenderRegistered'];
type Envelope = { eventId?: string; offenderId?: string };

/** The builders for one offender's events; each event takes its id from `nextEventId`. */
export function eventsOf(offenderId: string, nextEventId: () => string = readableEventId) {
  const event = <T extends OffenderEventType>(type: T, occurredOn: string, data: OffenderEventData[T], envelope: Envelope = {}): NewOffenderEvent =>
    ({ eventId: envelope.eventId ?? nextEventId(), offenderId: envelope.offenderId ?? offenderId, occurredOn, type, data }) as NewOffenderEvent;
  return {
    event,
    /** Registered in Salford, Greater Manchester: category 1, level 1, in the community under supervision, not on licence. */
    registered: (on: string, data: Partial<Registration> = {}) =>
      event('OffenderRegistered', on, {
        area: 'greater-manchester',
        division: 'salford',
        category: 1,
        level: 1,
        inCustody: false,
        underSupervision: true,
        onLicence: false,
        ...data,
      }),
    categoryChanged: (on: string, category: 1 | 2 | 3) => event('CategoryChanged', on, { category }),
    levelChanged: (on: string, level: 1 | 2 | 3) => event('LevelChanged', on, { level, reason: 'MAPPA meeting' }),
    divisionChanged: (on: string, division: string) => event('DivisionChanged', on, { division }),
    transferred: (on: string, toArea: string, toDivision?: string) => event('OffenderTransferred', on, toDivision === undefined ? { toArea } : { toArea, toDivision }),
    custodyEntered: (on: string, reason: OffenderEventData['CustodyEntered']['reason'] = 'sentence') => event('CustodyEntered', on, { reason }),
    released: (on: string, onLicence: boolean) => event('ReleasedToCommunity', on, { onLicence }),
    supervisionStarted: (on: string) => event('SupervisionStarted', on, {}),
    supervisionEnded: (on: string) => event('SupervisionEnded', on, {}),
    licenceBreached: (on: string, returnedToCustody: boolean) => event('LicenceBreached', on, { returnedToCustody }),
    notificationBreached: (on: string) => event('NotificationRequirementBreached', on, { outcome: 'caution' }),
    sopoImposed: (on: string, orderId: string, expiresOn?: string) => event('SopoImposed', on, expiresOn === undefined ? { orderId } : { orderId, expiresOn }),
    notificationOrderImposed: (on: string, orderId: string) => event('NotificationOrderImposed', on, { orderId }),
    foreignTravelOrderImposed: (on: string, orderId: string, expiresOn?: string) =>
      event('ForeignTravelOrderImposed', on, expiresOn === undefined ? { orderId } : { orderId, expiresOn }),
    sopoBreached: (on: string, orderId: string, sentToCustody: boolean) => event('SopoBreached', on, { orderId, sentToCustody }),
    sfoCharged: (on: string, chargeId: string) => event('SfoCharged', on, { chargeId, offence: 'rape' }),
    sfoOutcome: (on: string, chargeId: string, outcome: OffenderEventData['SfoOutcomeRecorded']['outcome'] = 'convicted') => event('SfoOutcomeRecorded', on, { chargeId, outcome }),
    reviewCommenced: (on: string, reviewId: string, chargeId: string) => event('SeriousCaseReviewCommenced', on, { reviewId, chargeId }),
    managementEnded: (on: string) => event('MappaManagementEnded', on, { reason: 'registration-expired' }),
    retracted: (on: string, retractedEventId: string, offenderId?: string) => event('EventRetracted', on, { retractedEventId, reason: 'recorded in error' }, { offenderId }),
  };
}

export type OffenderEventBuilders = ReturnType<typeof eventsOf>;

/** The builders for the default offender, GM-000123. */
export const {
  event,
  registered,
  categoryChanged,
  levelChanged,
  divisionChanged,
  transferred,
  custodyEntered,
  released,
  supervisionStarted,
  supervisionEnded,
  licenceBreached,
  notificationBreached,
  sopoImposed,
  notificationOrderImposed,
  foreignTravelOrderImposed,
  sopoBreached,
  sfoCharged,
  sfoOutcome,
  reviewCommenced,
  managementEnded,
  retracted,
} = eventsOf(OFFENDER);

/** A stream as the store returns it: the events in arrival order with revisions 0, 1, 2, … */
export const streamOf = (events: readonly NewOffenderEvent[]): TimelineEvent[] => events.map((e, revision) => ({ ...e, revision }));
