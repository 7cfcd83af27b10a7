// Calendar dates (DOMAIN.md section 2) as `YYYY-MM-DD` strings, which compare in date order, so no Date objects are kept.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The years a date may fall in: none of this service's records is older, and a year 0 breaks JavaScript dates. */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 9999;

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (so 2015-02-30 is not), in 1900-9999. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 30 February over into March; a real date survives the round trip unchanged.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
