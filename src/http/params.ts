import { EARLIEST_YEAR, isCalendarDate, LATEST_YEAR } from '../domain/calendar-date';
import { isPrintableText } from '../domain/printable-text';
import { InvalidInputError } from '../errors';

// Query and path parameters are checked here, before they reach a query or the store.

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OFFENDER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** A real calendar date YYYY-MM-DD in 1900-9999, or undefined when absent. */
export function optionalDate(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isRealDate(value)) {
    throw new InvalidInputError(`${name} must be a real date written YYYY-MM-DD, in the years ${EARLIEST_YEAR}-${LATEST_YEAR}.`, [
      { field: name, rule: 'date', message: `${name} must be YYYY-MM-DD` },
    ]);
  }
  return value;
}

export function requiredDate(name: string, value: unknown): string {
  const date = optionalDate(name, value);
  if (date === undefined) throw new InvalidInputError(`${name} is required.`, [{ field: name, rule: 'required', message: `${name} is required` }]);
  return date;
}

/** An ISO 8601 timestamp with a time zone, or undefined; checked as a real date in 1900-9999, since Date reads 2015-02-30 as 2 March. */
export function optionalInstant(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'string' && isRealInstant(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidInputError(`${name} must be an ISO timestamp with a time zone, such as 2015-04-30T12:00:00Z, with a real date in the years ${EARLIEST_YEAR}-${LATEST_YEAR}.`, [
      { field: name, rule: 'timestamp', message: `${name} must be an ISO 8601 timestamp` },
    ]);
  }
  return date;
}

function isRealInstant(value: string): boolean {
  const m = ISO_INSTANT.exec(value);
  if (!m) return false;
  const [hour, minute, second, offsetHours, offsetMinutes] = [m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  return isRealDate(m[1]) && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

export function offenderIdParam(value: unknown): string {
  if (typeof value !== 'string' || !OFFENDER_ID.test(value)) {
    throw new InvalidInputError('The offender id must be 1-64 characters of A-Z a-z 0-9 . _ -', [{ field: 'offenderId', rule: 'offender-id', message: 'invalid offender id' }]);
  }
  return value;
}

/** A non-negative integer (a revision or a position), or undefined when absent. */
export function optionalCount(name: string, value: unknown): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value.trim())) {
    throw new InvalidInputError(`${name} must be a whole number.`, [{ field: name, rule: 'integer', message: `${name} must be a non-negative integer` }]);
  }
  return BigInt(value.trim());
}

/** A real calendar date YYYY-MM-DD in 1900-9999 (the domain's own rule, DOMAIN.md 2). */
export const isRealDate = (value: string): boolean => isCalendarDate(value);

/** Longest `reason` an auditor may give for a read (it is stored in the access audit). */
export const REASON_MAX_LENGTH = 200;

/** Why an offender-level read is made (`?reason=`): printable text, not blank, at most 200 characters; undefined when not given. */
export function optionalReason(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isPrintableText(value, REASON_MAX_LENGTH)) {
    throw new InvalidInputError(`reason must be printable text of at most ${REASON_MAX_LENGTH} characters, not blank, without control or direction-changing characters.`, [
      { field: 'reason', rule: 'reason', message: `reason must be 1-${REASON_MAX_LENGTH} printable characters` },
    ]);
  }
  return value.trim();
}

/** A date YYYY-MM-DD (UTC start of day, or of the next day with `endOfDay`, so `to` includes it) or an ISO timestamp; undefined when absent. */
export function optionalTimeBound(name: string, value: unknown, endOfDay = false): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && DATE.test(value)) {
    const day = optionalDate(name, value) as string;
    const start = new Date(`${day}T00:00:00Z`);
    return endOfDay ? new Date(start.getTime() + 86_400_000) : start;
  }
  return optionalInstant(name, value);
}

/** The required `reason` of an offender-level read: DPA 2018 s.62 wants a log of consultation to show its justification. */
export function requiredReason(value: unknown): string {
  const reason = givenReason(value);
  if (reason === undefined) {
    throw new InvalidInputError('reason is required: say why you read this offender-level data (it is kept in the access audit).', [
      { field: 'reason', rule: 'required', message: 'reason is required' },
    ]);
  }
  return reason;
}

/** The `reason` as given, for the audit entry: undefined when absent or blank (requiredReason refuses it then), 400 when not printable. */
export function givenReason(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() === '' ? undefined : optionalReason(value);
}
