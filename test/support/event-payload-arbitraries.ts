import fc from 'fast-check';
import type { OffenderEventData, OffenderEventType } from '../../src/domain/offender-event';

// fast-check generators of well-shaped payloads for every event type of the catalogue (DOMAIN.md 3),
// and of the same payloads with a key no event has inserted at some depth (issue 10, item 5).

const kebab = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}$/);
const refId = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
const date = fc.date({ min: new Date('2005-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
/** Free text as agencies write it: any printable text, accents and other scripts included. */
const freeText = fc.string({ unit: fc.constantFrom(...Array.from('abcdefghij XYZ0123,.;:!?()-\'"/\\éàüß会议мапп😀')), maxLength: 100 });
const oneTwoThree = fc.constantFrom(1 as const, 2 as const, 3 as const);

type PayloadArbitraries = { [T in OffenderEventType]: fc.Arbitrary<OffenderEventData[T]> };

/** A payload every event type's DTO accepts (whether it fits a timeline is another matter). */
export const VALID_PAYLOAD: PayloadArbitraries = {
  OffenderRegistered: fc.record(
    { area: kebab, category: oneTwoThree, level: oneTwoThree, division: kebab, inCustody: fc.boolean(), underSupervision: fc.boolean(), onLicence: fc.boolean() },
    { requiredKeys: ['area', 'category', 'level', 'inCustody', 'underSupervision'] },
  ),
  CategoryChanged: fc.record({ category: oneTwoThree }),
  LevelChanged: fc.record({ level: oneTwoThree, reason: freeText }, { requiredKeys: ['level'] }),
  DivisionChanged: fc.record({ division: kebab }),
  OffenderTransferred: fc.record({ toArea: kebab, toDivision: kebab }, { requiredKeys: ['toArea'] }),
  CustodyEntered: fc.record({ reason: fc.constantFrom('sentence', 'remand', 'recall', 'hospital') }),
  ReleasedToCommunity: fc.record({ onLicence: fc.boolean() }),
  SupervisionStarted: fc.constant({}),
  SupervisionEnded: fc.constant({}),
  LicenceBreached: fc.record({ returnedToCustody: fc.boolean() }),
  NotificationRequirementBreached: fc.record({ outcome: fc.constantFrom('caution', 'conviction', 'no-further-action') }),
  SopoImposed: fc.record({ orderId: refId, expiresOn: date }, { requiredKeys: ['orderId'] }),
  NotificationOrderImposed: fc.record({ orderId: refId }),
  ForeignTravelOrderImposed: fc.record({ orderId: refId, expiresOn: date }, { requiredKeys: ['orderId'] }),
  SopoBreached: fc.record({ orderId: refId, sentToCustody: fc.boolean() }),
  SfoCharged: fc.record({ chargeId: refId, offence: freeText }, { requiredKeys: ['chargeId'] }),
  SfoOutcomeRecorded: fc.record({ chargeId: refId, outcome: fc.constantFrom('convicted', 'acquitted', 'discontinued', 'convicted-other-offence') }),
  SeriousCaseReviewCommenced: fc.record({ reviewId: refId, chargeId: refId }),
  MappaManagementEnded: fc.record({ reason: fc.constantFrom('registration-expired', 'licence-expired', 'no-longer-eligible', 'deceased', 'other') }),
  EventRetracted: fc.record({ retractedEventId: fc.uuid(), reason: freeText }),
};

/** Every field name of the catalogue, envelope included: an "extra" key must be none of them. */
const CATALOGUE_FIELDS = new Set([
  'eventId',
  'type',
  'offenderId',
  'occurredOn',
  'data',
  'area',
  'category',
  'level',
  'division',
  'inCustody',
  'underSupervision',
  'onLicence',
  'reason',
  'toArea',
  'toDivision',
  'returnedToCustody',
  'outcome',
  'orderId',
  'expiresOn',
  'sentToCustody',
  'chargeId',
  'offence',
  'reviewId',
  'retractedEventId',
]);

/** Keys that must never reach the store: prototype keys, and any key no event type has. */
export const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype') },
  fc.constantFrom('name', 'address', 'dateOfBirth', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'),
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !CATALOGUE_FIELDS.has(k)),
);

/** What a smuggled key carries: personal data, as in the attack of issue 10. */
export const smuggledValue = fc.oneof(
  fc.record({ name: fc.constant('John Smith'), address: fc.constant('1 High Street, Manchester') }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.constant(null),
  fc.constant({ prototype: { polluted: true } }),
);

/** An own, enumerable property, even for `__proto__` (an assignment would set the prototype). */
export function defineKey(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

export interface HostileEvent {
  type: OffenderEventType;
  valid: Record<string, unknown>;
  /** The valid event as JSON text, and the same with the hostile key inserted. */
  validText: string;
  hostileText: string;
  key: string;
  /** 0: in the event itself; 1: in data; 2 and deeper: inside objects nested in data. */
  depth: number;
}

/**
 * A valid event of any type for `offenderId`, and the same event with a hostile key inserted at a
 * random depth: the event, its data, or objects nested below a data field (new or existing).
 */
export const hostileEvent = (offenderId: string, occurredOn = '2014-06-01'): fc.Arbitrary<HostileEvent> =>
  fc
    .constantFrom(...(Object.keys(VALID_PAYLOAD) as OffenderEventType[]))
    .chain((type) =>
      fc.record({
        type: fc.constant(type),
        data: VALID_PAYLOAD[type] as fc.Arbitrary<Record<string, unknown>>,
        key: hostileKey,
        value: smuggledValue,
        depth: fc.nat({ max: 7 }),
        holder: fc.oneof(
          fc.constant(null),
          fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !CATALOGUE_FIELDS.has(k) && k !== '__proto__'),
        ),
      }),
    )
    .map(({ type, data, key, value, depth, holder }) => {
      const valid = { type, offenderId, occurredOn, data };
      const hostile = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
      let target: Record<string, unknown> = depth === 0 ? hostile : (hostile.data as Record<string, unknown>);
      if (depth >= 2) {
        // Below data: under a field the event has (now of the wrong type) or a new one.
        const fields = Object.keys(target);
        const first = holder ?? fields[0] ?? 'nested';
        const nested: Record<string, unknown> = {};
        target[first] = nested;
        target = nested;
        for (let d = 3; d <= depth; d++) {
          const deeper: Record<string, unknown> = {};
          target.inner = deeper;
          target = deeper;
        }
      }
      defineKey(target, key, value);
      return { type, valid, validText: JSON.stringify(valid), hostileText: JSON.stringify(hostile), key, depth };
    });
