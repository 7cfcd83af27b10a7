import type { SeededRandom } from './seeded-random';

// Date arithmetic on `YYYY-MM-DD` strings for the synthetic histories (UTC days, no time of day).

const DAY_MS = 86_400_000;

const toDays = (date: string): number => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;

const fromDays = (days: number): string => new Date(days * DAY_MS).toISOString().slice(0, 10);

export const addDays = (date: string, days: number): string => fromDays(toDays(date) + days);

/** Days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => toDays(to) - toDays(from);

/** A date in [from, to], both included. */
export const randomDate = (random: SeededRandom, from: string, to: string): string => addDays(from, random.int(0, Math.max(0, daysBetween(from, to))));

export const minDate = (a: string, b: string): string => (a < b ? a : b);
export const maxDate = (a: string, b: string): string => (a > b ? a : b);
