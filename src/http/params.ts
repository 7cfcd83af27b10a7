import { InvalidInputError } from '../errors';

// Query and path parameters are checked here, before they reach a query or the store.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFENDER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar date YYYY-MM-DD, or undefined when absent. */
export function optionalDate(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isRealDate(value)) {
    throw new InvalidInputError(`${name} must be a real date written YYYY-MM-DD.`, [{ field: name, rule: 'date', message: `${name} must be YYYY-MM-DD` }]);
  }
  return value;
}

export function requiredDate(name: string, value: unknown): string {
  const date = optionalDate(name, value);
  if (date === undefined) throw new InvalidInputError(`${name} is required.`, [{ field: name, rule: 'required', message: `${name} is required` }]);
  return date;
}

/** An ISO 8601 timestamp with a time zone, or undefined when absent. */
export function optionalInstant(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'string' && ISO_INSTANT.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidInputError(`${name} must be an ISO timestamp with a time zone, such as 2015-04-30T12:00:00Z.`, [
      { field: name, rule: 'timestamp', message: `${name} must be an ISO 8601 timestamp` },
    ]);
  }
  return date;
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

export function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Longest `reason` an auditor may give for a read (it is stored in the access audit). */
export const REASON_MAX_LENGTH = 200;

/** Why an offender-level read is made (`?reason=`): printable text, at most 200 characters. */
export function optionalReason(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > REASON_MAX_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
    throw new InvalidInputError(`reason must be printable text of at most ${REASON_MAX_LENGTH} characters.`, [
      { field: 'reason', rule: 'reason', message: `reason must be at most ${REASON_MAX_LENGTH} printable characters` },
    ]);
  }
  return value.trim() || undefined;
}

/**
 * A time bound given as a date YYYY-MM-DD (UTC: the start of that day, or with `endOfDay` the
 * start of the next, so `to` includes the day) or as an ISO timestamp; undefined when absent.
 */
export function optionalTimeBound(name: string, value: unknown, endOfDay = false): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && DATE.test(value)) {
    const day = optionalDate(name, value) as string;
    const start = new Date(`${day}T00:00:00Z`);
    return endOfDay ? new Date(start.getTime() + 86_400_000) : start;
  }
  return optionalInstant(name, value);
}

/**
 * The `reason` of an offender-level read, required (DPA 2018 s.62: a log of consultation shows its
 * justification): 400 naming the field when absent or blank, else as optionalReason.
 */
export function requiredReason(value: unknown): string {
  const reason = optionalReason(value);
  if (reason === undefined) {
    throw new InvalidInputError('reason is required: say why you read this offender-level data (it is kept in the access audit).', [
      { field: 'reason', rule: 'required', message: 'reason is required' },
    ]);
  }
  return reason;
}
