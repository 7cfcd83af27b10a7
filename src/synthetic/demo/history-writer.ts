import type { NewOffenderEvent } from '../../domain/offender-event';
import { addDays, randomDate } from '../synthetic-calendar';
import { seededRandom, type SeededRandom } from '../seeded-random';
import { EventIds } from '../synthetic-ids';
import { OffenderStory, type StoryItem } from './offender-story';

// What the demonstration history is written with: the seeded generator, the event ids, the
// offenders' stories, and pseudonymous offender ids. Knows nothing of Greater Manchester's figures.

/** Two-letter prefixes of pseudonymous offender ids, by the area that first registered the offender. */
const ID_PREFIXES: Record<string, string> = {
  'greater-manchester': 'GM',
  lancashire: 'LA',
  merseyside: 'MY',
  cheshire: 'CH',
  'west-yorkshire': 'WY',
  derbyshire: 'DB',
  cumbria: 'CU',
  'south-yorkshire': 'SY',
  staffordshire: 'ST',
  london: 'LN',
};

/** Areas next to Greater Manchester: where its offenders move to and come from. */
export const NEIGHBOURING_AREAS = ['lancashire', 'merseyside', 'cheshire', 'west-yorkshire', 'derbyshire', 'cumbria', 'south-yorkshire', 'staffordshire', 'london'] as const;

export class HistoryWriter {
  readonly random: SeededRandom;
  private readonly ids: EventIds;
  /** Every offender's story, in creation order, by the role it plays in the history. */
  readonly stories: { story: OffenderStory; role: 'case' | 'background' }[] = [];
  private readonly counters = new Map<string, number>();

  constructor(seed: number) {
    this.random = seededRandom(seed);
    this.ids = new EventIds(seed);
  }

  /** A new offender first registered in `area`, with an id like GM-123456. */
  offender(area: string, role: 'case' | 'background'): OffenderStory {
    const prefix = ID_PREFIXES[area];
    if (!prefix) throw new Error(`No offender id prefix for ${area}.`);
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    // A bijection of 1..999982 (multiplication modulo a prime), so ids look unordered but never repeat.
    const number = (n * 7919) % 999_983;
    const story = new OffenderStory(`${prefix}-${String(number).padStart(6, '0')}`, this.ids);
    this.stories.push({ story, role });
    return story;
  }

  /** A date in [from, to]. */
  date(from: string, to: string): string {
    return randomDate(this.random, from, to);
  }

  /** A date between `after` + minDays and `after` + maxDays, never later than `limit`; null if none fits. */
  dateAfter(after: string, minDays: number, maxDays: number, limit: string): string | null {
    const from = addDays(after, minDays);
    if (from > limit) return null;
    const to = addDays(after, maxDays);
    return this.date(from, to < limit ? to : limit);
  }

  /** Every event in arrival order, checking each offender's events still fold in the order they were written. */
  arrivalOrder(): { event: NewOffenderEvent; recordedOn: string }[] {
    const items: StoryItem[] = this.stories.flatMap(({ story }) => story.items);
    items.sort((a, b) => (a.recordedOn < b.recordedOn ? -1 : a.recordedOn > b.recordedOn ? 1 : a.seq - b.seq));
    this.assertSameEffectiveOrder(items);
    return items.map(({ event, recordedOn }) => ({ event, recordedOn }));
  }

  // Same-day events take their stream order from arrival: a late event written before another of its day would fold after it. The histories avoid that; this catches a mistake.
  private assertSameEffectiveOrder(arrival: readonly StoryItem[]): void {
    const arrivalIndex = new Map(arrival.map((item, i) => [item.seq, i]));
    for (const { story } of this.stories) {
      const written = story.items.filter((i) => i.event.type !== 'EventRetracted');
      const folded = [...written].sort((a, b) =>
        a.event.occurredOn < b.event.occurredOn ? -1 : a.event.occurredOn > b.event.occurredOn ? 1 : (arrivalIndex.get(a.seq) as number) - (arrivalIndex.get(b.seq) as number),
      );
      const at = folded.findIndex((item, i) => item !== written[i]);
      if (at >= 0) throw new Error(`${story.offenderId}: events of ${folded[at].event.occurredOn} would fold in another order than written.`);
    }
  }
}
