import fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { compilePayloadCheck } from '../../src/commands/record-events/payload-fast-check';
import { payloadFields } from '../../src/commands/record-events/event-input';
import { NoPayloadDto, PAYLOAD_DTO } from '../../src/commands/record-events/event-payload.dto';
import { OFFENDER_EVENT_TYPES, type OffenderEventType } from '../../src/domain/offender-event';
import { VALID_PAYLOAD } from '../support/event-payload-arbitraries';

// The check read off the DTOs' decorators may only ever say "valid" where class-validator says so
// too (it decides alone, and words the refusal, whenever the check is unsure), and it must say so
// for the payloads an import carries, or it saves nothing.

const TYPES_WITH_FIELDS = OFFENDER_EVENT_TYPES.filter((type) => PAYLOAD_DTO[type] !== NoPayloadDto);

const classValidatorAccepts = (type: OffenderEventType, data: object) =>
  validateSync(plainToInstance(PAYLOAD_DTO[type] as new () => object, data, { enableImplicitConversion: false }), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

/** Values near and far from every field's rules: wrong types, bounds, patterns, Unicode, empties. */
const anyFieldValue = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    false,
    0,
    1,
    2,
    3,
    4,
    '1',
    '',
    ' ',
    'a',
    'greater-manchester',
    'Greater-Manchester',
    'a--b',
    '-a',
    'sentence',
    'convicted',
    'deceased',
    'caution',
    '2014-02-30',
    '2014-2-3',
    'SOPO-1',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(200),
    'x'.repeat(201),
    '😀'.repeat(100),
    '😀'.repeat(101),
    'é'.repeat(200),
    'a\nb',
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    '0f8fad5b-d9cb-469f-a165-70867728950',
    {},
    [],
    ['sentence'],
    { toString: 'x' },
  ),
  fc.string({ maxLength: 70 }),
  fc.integer(),
);

describe('payload fast check', () => {
  it('is derived for every DTO with fields (none falls back to class-validator for every payload)', () => {
    for (const type of TYPES_WITH_FIELDS) expect({ type, check: typeof compilePayloadCheck(PAYLOAD_DTO[type]) }).toEqual({ type, check: 'function' });
  });

  it('accepts every valid payload of every type', () => {
    for (const type of TYPES_WITH_FIELDS) {
      const check = compilePayloadCheck(PAYLOAD_DTO[type])!;
      fc.assert(
        fc.property(VALID_PAYLOAD[type], (data) => {
          expect(classValidatorAccepts(type, data)).toBe(true);
          expect(check(data as Record<string, unknown>)).toBe(true);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('never accepts a payload class-validator refuses, whatever the fields hold', () => {
    let refused = 0;
    for (const type of TYPES_WITH_FIELDS) {
      const fields = [...payloadFields(type)];
      const check = compilePayloadCheck(PAYLOAD_DTO[type])!;
      // Start from a valid payload and replace some of its fields with anything.
      const payload = fc.tuple(VALID_PAYLOAD[type], fc.array(fc.tuple(fc.constantFrom(...fields), anyFieldValue), { maxLength: fields.length })).map(([valid, changes]) => {
        const data: Record<string, unknown> = { ...valid };
        for (const [field, value] of changes) {
          if (value === undefined) delete data[field];
          else data[field] = value;
        }
        return data;
      });
      fc.assert(
        fc.property(payload, (data) => {
          const accepted = classValidatorAccepts(type, data);
          if (!accepted) refused++;
          if (check(data)) expect(accepted).toBe(true);
        }),
        { numRuns: 500 },
      );
    }
    expect(refused).toBeGreaterThan(1000); // the property met many refusals, not only valid payloads
  });
});
