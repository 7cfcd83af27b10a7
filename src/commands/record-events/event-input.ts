import { createHash, randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { OFFENDER_EVENT_TYPES, type NewOffenderEvent, type OffenderEventType } from '../../domain/offender-event';
import { echo, InvalidInputError, type ErrorDetail } from '../../errors';
import { eventLimitErrors, MAX_ERROR_DETAILS } from './event-limits';
import { NoPayloadDto, PAYLOAD_DTO } from './event-payload.dto';
import { compilePayloadCheck } from './payload-fast-check';

// One posted JSON value to a well-shaped event or a 400 naming every bad field; shared by HTTP and import so both refuse the same input.

const ENVELOPE_FIELDS = new Set(['eventId', 'type', 'offenderId', 'occurredOn', 'data']);
const OFFENDER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface ParseOptions {
  /** The offender of the URL path; a body offenderId, if given, must match it. */
  pathOffenderId?: string;
  /** How to fill a missing eventId: 'random' (HTTP) or 'content' (import, so importing a file twice appends nothing the second time). */
  missingEventId: 'random' | 'content';
}

export function parseEventInput(raw: unknown, options: ParseOptions): NewOffenderEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError('An event must be a JSON object.', [{ message: 'expected a JSON object' }]);
  }
  // Depth, prototype keys and control characters first: the checks below must only see sane input.
  const limits = eventLimitErrors(raw);
  if (limits.length > 0) throw refusal(limits);
  const input = raw as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) {
    if (!ENVELOPE_FIELDS.has(key)) {
      const setByService = key === 'recordedAt' || key === 'metadata' || key === 'revision' || key === 'position';
      details.push({
        field: echo(key),
        rule: setByService ? 'set-by-service' : 'unknown-field',
        message: setByService ? `${key} is set by the service and cannot be posted` : `${echo(key)} is not a field of an event`,
      });
    }
  }

  const type = input.type;
  if (typeof type !== 'string' || !(OFFENDER_EVENT_TYPES as readonly string[]).includes(type)) {
    details.push({ field: 'type', rule: 'event-type', message: `type must be one of ${OFFENDER_EVENT_TYPES.join(', ')}` });
  }

  let offenderId = input.offenderId ?? options.pathOffenderId;
  if (typeof offenderId !== 'string' || !OFFENDER_ID.test(offenderId)) {
    details.push({ field: 'offenderId', rule: 'offender-id', message: 'offenderId must be 1-64 characters of A-Z a-z 0-9 . _ -' });
  } else if (options.pathOffenderId !== undefined && offenderId !== options.pathOffenderId) {
    details.push({ field: 'offenderId', rule: 'offender-id-matches-path', message: 'offenderId in the body differs from the one in the URL' });
  }

  if (input.eventId !== undefined && (typeof input.eventId !== 'string' || !UUID.test(input.eventId))) {
    details.push({ field: 'eventId', rule: 'uuid', message: 'eventId must be a UUID' });
  }

  if (typeof input.occurredOn !== 'string' || !DATE.test(input.occurredOn)) {
    details.push({ field: 'occurredOn', rule: 'date', message: 'occurredOn must be a date YYYY-MM-DD' });
  }

  const data = input.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    details.push({ field: 'data', rule: 'object', message: 'data must be a JSON object' });
  } else if (typeof type === 'string' && Object.hasOwn(PAYLOAD_DTO, type)) {
    // not `in`: "__proto__" is in every object
    details.push(...payloadErrors(type as OffenderEventType, data));
  }

  if (details.length > 0) throw refusal(details);

  offenderId = offenderId as string;
  const event = { type, offenderId, occurredOn: input.occurredOn, data } as Omit<NewOffenderEvent, 'eventId'>;
  const eventId = (input.eventId as string | undefined)?.toLowerCase() ?? (options.missingEventId === 'random' ? randomUUID() : contentEventId(event));
  return { eventId, type, offenderId, occurredOn: input.occurredOn, data } as NewOffenderEvent;
}

/** 400 naming the first problems (MAX_ERROR_DETAILS), so the answer stays small whatever was sent. */
function refusal(details: ErrorDetail[]): InvalidInputError {
  return new InvalidInputError(`The event has ${describeCount(details.length)}: ${details[0].message}.`, details.slice(0, MAX_ERROR_DETAILS));
}

function payloadErrors(type: OffenderEventType, data: object): ErrorDetail[] {
  // Keys checked against the DTO's own fields: class-transformer would turn `__proto__` or `constructor` into something class-validator never sees.
  const fields = payloadFields(type);
  const unknown = Object.keys(data).filter((key) => !fields.has(key));
  const details: ErrorDetail[] = unknown.map((key) => ({
    field: `data.${echo(key)}`,
    rule: 'unknown-field',
    message: `data.${echo(key)} is not a field of this event type`,
  }));
  // A payload with no fields: class-validator's forbidUnknownValues would refuse even {}.
  if (PAYLOAD_DTO[type] === NoPayloadDto) return details;
  if (certainlyValid(type, data as Record<string, unknown>)) return details;
  const known = unknown.length === 0 ? data : Object.fromEntries(Object.entries(data).filter(([key]) => fields.has(key)));
  const dto = plainToInstance(PAYLOAD_DTO[type] as new () => object, known, { enableImplicitConversion: false });
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return [...details, ...errors.flatMap((e) => flatten(e, 'data'))];
}

const PAYLOAD_CHECKS = new Map<OffenderEventType, ((data: Record<string, unknown>) => boolean) | undefined>();

/** Whether the payload's fields certainly pass their DTO (payload-fast-check.ts); if not, class-validator says why. */
function certainlyValid(type: OffenderEventType, data: Record<string, unknown>): boolean {
  if (!PAYLOAD_CHECKS.has(type)) PAYLOAD_CHECKS.set(type, compilePayloadCheck(PAYLOAD_DTO[type]));
  return PAYLOAD_CHECKS.get(type)?.(data) ?? false;
}

const PAYLOAD_FIELDS = new Map<OffenderEventType, ReadonlySet<string>>();

/** The fields of an event type's payload: the properties its DTO validates (event-payload.dto.ts). */
export function payloadFields(type: OffenderEventType): ReadonlySet<string> {
  let fields = PAYLOAD_FIELDS.get(type);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(PAYLOAD_DTO[type], '', true, false);
    fields = new Set(metadata.map((m) => m.propertyName));
    PAYLOAD_FIELDS.set(type, fields);
  }
  return fields;
}

function flatten(error: ValidationError, prefix: string): ErrorDetail[] {
  // A property name is the caller's input: at most 64 characters of it are repeated.
  const field = `${prefix}.${echo(error.property)}`;
  const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
    field,
    rule: rule === 'whitelistValidation' ? 'unknown-field' : rule,
    message: rule === 'whitelistValidation' ? `${field} is not a field of this event type` : `${prefix}.${message}`,
  }));
  return [...own, ...(error.children ?? []).flatMap((c) => flatten(c, field))];
}

const describeCount = (n: number): string => (n === 1 ? 'an invalid field' : `${n} invalid fields`);

/** A name-based UUID (v5, SHA-1) of the event's content, so a line imported twice is a no-op (DOMAIN.md 3, idempotency). */
export function contentEventId(event: Pick<NewOffenderEvent, 'type' | 'offenderId' | 'occurredOn' | 'data'>): string {
  const hash = createHash('sha1')
    .update(canonicalJson([event.offenderId, event.type, event.occurredOn, event.data]))
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** JSON with object keys sorted, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
