import { LRUCache } from 'lru-cache';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import type { StreamTail } from '../../domain/stream-tail';

/** A stream as kept: its events and, when known, its tail (the fold to its end, src/domain/stream-tail.ts). */
export interface CachedStream {
  readonly events: readonly RecordedOffenderEvent[];
  readonly tail?: StreamTail;
}

/**
 * Offender streams kept between commands, least recently used first out, so that a large import
 * does not read each offender's stream again for every batch. An entry may be stale (another
 * process appended meanwhile): the handler never trusts it for anything final. An append made
 * from a stale stream fails its expected revision and is decided again on a fresh read, and an
 * event refused on a cached stream is re-read and decided again before the refusal stands.
 * Bounded by the number of events held, not by offenders, so memory stays flat at any scale.
 *
 * Built on lru-cache (a linked list over typed arrays: every operation O(1)). A Map re-ordered by
 * delete-and-set, evicting from its front, slowed as the import went: the front fills with
 * deleted slots that every eviction walks past (17% of the import's last tenth, national history).
 */
export class OffenderStreamCache {
  private readonly streams: LRUCache<string, CachedStream>;

  constructor(readonly maxEvents: number) {
    this.streams = new LRUCache({ maxSize: maxEvents, sizeCalculation: (stream) => stream.events.length });
  }

  get size(): number {
    return this.streams.size;
  }

  /** The stream, now marked most recently used. */
  get(offenderId: string): CachedStream | undefined {
    return this.streams.get(offenderId);
  }

  /** Keeps the stream (an empty one, or one longer than the whole bound, is not kept); a tail of another length is dropped. */
  set(offenderId: string, events: readonly RecordedOffenderEvent[], tail?: StreamTail): void {
    if (events.length === 0 || events.length > this.maxEvents) this.streams.delete(offenderId);
    else this.streams.set(offenderId, { events, tail: tail?.length === events.length ? tail : undefined });
  }

  delete(offenderId: string): void {
    this.streams.delete(offenderId);
  }

  clear(): void {
    this.streams.clear();
  }

  /** Events held (at most maxEvents). */
  get events(): number {
    return this.streams.calculatedSize;
  }
}
