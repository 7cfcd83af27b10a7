import type { RecordedOffenderEvent } from '../../domain/offender-event';

/**
 * Offender streams kept between commands, least recently used first out, so that a large import
 * does not read each offender's stream again for every batch. An entry may be stale (another
 * process appended meanwhile): the handler never trusts it for anything final. An append made
 * from a stale stream fails its expected revision and is decided again on a fresh read, and an
 * event refused on a cached stream is re-read and decided again before the refusal stands.
 * Bounded by the number of events held, not by offenders, so memory stays flat at any scale.
 */
export class OffenderStreamCache {
  private readonly streams = new Map<string, readonly RecordedOffenderEvent[]>();
  private events = 0;

  constructor(readonly maxEvents: number) {}

  get size(): number {
    return this.streams.size;
  }

  get(offenderId: string): readonly RecordedOffenderEvent[] | undefined {
    const stream = this.streams.get(offenderId);
    if (stream) {
      // Map keeps insertion order: moving the entry to the end marks it most recently used.
      this.streams.delete(offenderId);
      this.streams.set(offenderId, stream);
    }
    return stream;
  }

  set(offenderId: string, stream: readonly RecordedOffenderEvent[]): void {
    this.delete(offenderId);
    if (stream.length === 0 || stream.length > this.maxEvents) return;
    this.streams.set(offenderId, stream);
    this.events += stream.length;
    for (const [oldest, evicted] of this.streams) {
      if (this.events <= this.maxEvents) break;
      this.streams.delete(oldest);
      this.events -= evicted.length;
    }
  }

  delete(offenderId: string): void {
    const stream = this.streams.get(offenderId);
    if (!stream) return;
    this.streams.delete(offenderId);
    this.events -= stream.length;
  }

  clear(): void {
    this.streams.clear();
    this.events = 0;
  }
}
