// Dates as whole days since 1970-01-01 (UTC) for the generator's arithmetic, and back to the
// `YYYY-MM-DD` strings the domain uses (DOMAIN.md 2). Strings are cached: a history of twenty
// years has fewer than 8,000 distinct dates and millions of events.

const DAY_MS = 86_400_000;
const cache = new Map<number, string>();

export const dayOf = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;

export function dateOfDay(day: number): string {
  let date = cache.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cache.set(day, date);
  }
  return date;
}

export const DAYS_PER_YEAR = 365.25;
