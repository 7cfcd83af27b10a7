import type { SeededRandom } from './seeded-random';

// The synthetic histories' one calendar: `YYYY-MM-DD` strings (cached: under 8,000 distinct dates for millions of events) and days since 1970 for arithmetic.

const DAY_MS = 86_400_000;
const cache = new Map<number, string>();

export const DAYS_PER_YEAR = 365.25;

export const dayOf = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;

export function dateOfDay(day: number): string {
  let date = cache.get(day);
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cache.set(day, date);
  }
  return date;
}

export const addDays = (date: string, days: number): string => dateOfDay(dayOf(date) + days);

/** Days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => dayOf(to) - dayOf(from);

/** A date in [from, to], both included. */
export const randomDate = (random: SeededRandom, from: string, to: string): string => addDays(from, random.int(0, Math.max(0, daysBetween(from, to))));

export const minDate = (a: string, b: string): string => (a < b ? a : b);
export const maxDate = (a: string, b: string): string => (a > b ? a : b);
