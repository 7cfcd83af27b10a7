import { seededUuid } from './seeded-random';

// The ids a synthetic history hands out: event ids derived from the seed, and ids of orders, charges and reviews, which DOMAIN.md 4 asks to be unique per offender.

/** Hands out event ids and creation sequence numbers for one history. */
export class EventIds {
  private counter = 0;
  constructor(private readonly seed: number) {}
  next(): { eventId: string; seq: number } {
    const seq = this.counter++;
    return { eventId: seededUuid(this.seed, seq), seq };
  }
}

export type RecordKind = 'SOPO' | 'NO' | 'FTO' | 'SFO' | 'SCR';

/** Ids of one offender's orders, charges and reviews: GM-000123-SOPO-1, GM-000123-SFO-2, … */
export class RecordIds {
  private counter = 0;
  constructor(private readonly offenderId: string) {}
  next(kind: RecordKind): string {
    return `${this.offenderId}-${kind}-${++this.counter}`;
  }
}
