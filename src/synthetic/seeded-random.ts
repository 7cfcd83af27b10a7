// The one seeded random source (mulberry32) of every synthetic and test history: the same seed always gives the same history.

export interface SeededRandom {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: 32 bits of state, good enough for test data (not for anything secret). */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('Cannot pick from an empty list.');
      return items[int(0, items.length - 1)];
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
  };
}

/** A generator of its own for the `counter`-th thing drawn from `seed` (an offender's life, an event id). */
export const derivedRandom = (seed: number, counter: number): SeededRandom => seededRandom((seed ^ Math.imul(counter + 1, 0x9e3779b1)) >>> 0);

/** A v4-shaped UUID from `seed` and `counter` alone (the counter in the last 8 hex digits), so a pair always gives the same id. */
export function seededUuid(seed: number, counter: number): string {
  const random = derivedRandom(seed, counter);
  const word = () => Math.floor(random.next() * 4294967296);
  const hex = (n: number, digits: number) => (n >>> 0).toString(16).padStart(digits, '0').slice(-digits);
  const a = word();
  const b = word();
  const c = word();
  const version = (b & 0xffff0fff) | 0x00004000; // version 4 in the third group
  const variant = (c & 0x3fffffff) | 0x80000000; // RFC 4122 variant in the fourth group
  const tail = counter >>> 0; // unique per counter
  return `${hex(a, 8)}-${hex(version >>> 16, 4)}-${hex(version, 4)}-${hex(variant >>> 16, 4)}-${hex(variant, 4)}${hex(tail, 8)}`;
}
