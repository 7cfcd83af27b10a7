import type { MappaError } from '../../src/errors';
import { decide, type Decision, type RuleId } from '../../src/domain/offender-decider';
import type { NewOffenderEvent, OffenderEventData, OffenderEventType } from '../../src/domain/offender-event';
import type { TimelineEvent } from '../../src/domain/offender-timeline';

// Given/when/then over events for the offender decider (the Emmett style of STYLE.md):
//   given(registered('2014-04-01')).when(levelChanged('2014-06-01', 2)).thenAccepted();

export const OFFENDER = 'GM-000123';
export const TODAY = '2016-01-01';

let sequence = 0;

/** An event of the test offender, with a readable id such as `ev-7` (real ids are UUIDs; the decider does not care). */
export function event<T extends OffenderEventType>(
  type: T,
  occurredOn: string,
  data: OffenderEventData[T],
  envelope: { eventId?: string; offenderId?: string } = {},
): NewOffenderEvent {
  return {
    eventId: envelope.eventId ?? `ev-${++sequence}`,
    offenderId: envelope.offenderId ?? OFFENDER,
    occurredOn,
    type,
    data,
  } as NewOffenderEvent;
}

type Registration = OffenderEventData['OffenderRegistered'];

/** Registered in Salford, Greater Manchester: category 1, level 1, in the community under supervision, not on licence. */
export const registered = (on: string, data: Partial<Registration> = {}) =>
  event('OffenderRegistered', on, {
    area: 'greater-manchester',
    division: 'salford',
    category: 1,
    level: 1,
    inCustody: false,
    underSupervision: true,
    onLicence: false,
    ...data,
  });
export const categoryChanged = (on: string, category: 1 | 2 | 3) => event('CategoryChanged', on, { category });
export const levelChanged = (on: string, level: 1 | 2 | 3) => event('LevelChanged', on, { level, reason: 'MAPPA meeting' });
export const divisionChanged = (on: string, division: string) => event('DivisionChanged', on, { division });
export const transferred = (on: string, toArea: string, toDivision?: string) => event('OffenderTransferred', on, toDivision === undefined ? { toArea } : { toArea, toDivision });
export const custodyEntered = (on: string, reason: OffenderEventData['CustodyEntered']['reason'] = 'sentence') => event('CustodyEntered', on, { reason });
export const released = (on: string, onLicence: boolean) => event('ReleasedToCommunity', on, { onLicence });
export const supervisionStarted = (on: string) => event('SupervisionStarted', on, {});
export const supervisionEnded = (on: string) => event('SupervisionEnded', on, {});
export const licenceBreached = (on: string, returnedToCustody: boolean) => event('LicenceBreached', on, { returnedToCustody });
export const notificationBreached = (on: string) => event('NotificationRequirementBreached', on, { outcome: 'caution' });
export const sopoImposed = (on: string, orderId: string, expiresOn?: string) => event('SopoImposed', on, expiresOn === undefined ? { orderId } : { orderId, expiresOn });
export const notificationOrderImposed = (on: string, orderId: string) => event('NotificationOrderImposed', on, { orderId });
export const foreignTravelOrderImposed = (on: string, orderId: string, expiresOn?: string) =>
  event('ForeignTravelOrderImposed', on, expiresOn === undefined ? { orderId } : { orderId, expiresOn });
export const sopoBreached = (on: string, orderId: string, sentToCustody: boolean) => event('SopoBreached', on, { orderId, sentToCustody });
export const sfoCharged = (on: string, chargeId: string) => event('SfoCharged', on, { chargeId, offence: 'rape' });
export const sfoOutcome = (on: string, chargeId: string, outcome: OffenderEventData['SfoOutcomeRecorded']['outcome'] = 'convicted') =>
  event('SfoOutcomeRecorded', on, { chargeId, outcome });
export const reviewCommenced = (on: string, reviewId: string, chargeId: string) => event('SeriousCaseReviewCommenced', on, { reviewId, chargeId });
export const managementEnded = (on: string) => event('MappaManagementEnded', on, { reason: 'registration-expired' });
export const retracted = (on: string, retractedEventId: string, offenderId?: string) =>
  event('EventRetracted', on, { retractedEventId, reason: 'recorded in error' }, { offenderId });

/** A stream as the store returns it: the events in arrival order with revisions 0, 1, 2, … */
export const streamOf = (events: readonly NewOffenderEvent[]): TimelineEvent[] => events.map((e, revision) => ({ ...e, revision }));

export interface Outcome {
  decision: Decision;
  /** Asserts the event is accepted; returns the stream with it appended. */
  thenAccepted(): TimelineEvent[];
  /** Asserts the event is refused with this status and rule id; returns the error for further checks. */
  thenRefused(status: 400 | 404 | 422, rule: RuleId): MappaError;
}

export function given(...history: NewOffenderEvent[]) {
  const stream = streamOf(history);
  return {
    stream,
    when(candidate: NewOffenderEvent, today: string = TODAY): Outcome {
      const decision = decide(stream, candidate, today);
      return {
        decision,
        thenAccepted() {
          if (!decision.ok) throw new Error(`expected ${candidate.type} to be accepted, but: ${decision.error.message}`);
          return [...stream, { ...candidate, revision: stream.length }];
        },
        thenRefused(status, rule) {
          if (decision.ok) throw new Error(`expected ${candidate.type} to be refused with ${rule}, but it was accepted`);
          const { error } = decision;
          expect({ status: error.status, rules: error.details.map((d) => d.rule) }).toEqual({ status, rules: [rule] });
          return error;
        },
      };
    },
  };
}
