import { LRUCache } from 'lru-cache';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import type { StreamTail } from '../../domain/stream-tail';

/** A stream as kept: its events and, when known, its tail (the fold to its end, src/domain/stream-tail.ts). */
export interface CachedStream {
  readonly events: readonly RecordedOffenderEvent[];
  readonly tail?: StreamTail;
}

/** Offender streams kept between commands, bounded in bytes; an entry may be stale, so nothing final is decided on it (see docs/decisions.md, "Moved from code comments"). */
export class OffenderStreamCache {
  private readonly streams: LRUCache<string, CachedStream>;

  constructor(readonly maxBytes: number) {
    this.streams = new LRUCache({ maxSize: Math.max(1, Math.floor(maxBytes)), sizeCalculation: streamBytes }); // 0: nothing is kept (set refuses)
  }

  get size(): number {
    return this.streams.size;
  }

  /** The stream, now marked most recently used. */
  get(offenderId: string): CachedStream | undefined {
    return this.streams.get(offenderId);
  }

  /** Keeps the stream (an empty one, or one larger than the whole budget, is not kept); a tail of another length is dropped. */
  set(offenderId: string, events: readonly RecordedOffenderEvent[], tail?: StreamTail): void {
    const stream = { events, tail: tail?.length === events.length ? tail : undefined };
    if (events.length === 0 || streamBytes(stream) > this.maxBytes) this.streams.delete(offenderId);
    else this.streams.set(offenderId, stream);
  }

  delete(offenderId: string): void {
    this.streams.delete(offenderId);
  }

  clear(): void {
    this.streams.clear();
  }

  /** Estimated bytes held (at most maxBytes). */
  get bytes(): number {
    return this.streams.calculatedSize;
  }
}

// Constants from V8's 64-bit layout, checked against the real heap by test/commands/offender-stream-cache.spec.ts (see docs/decisions.md, "Moved from code comments").
/** The entry, its array and lru-cache's slots for it. */
const STREAM_BYTES = 200;
/** An event object (9 fields), its bigint position and its eventId and occurredOn strings. */
const EVENT_BYTES = 400;
/** An object: header and the slots of its fields, whatever they hold. */
const OBJECT_BYTES = 32;
const FIELD_BYTES = 16;
/** A string's header; its characters are counted apart (one byte each, two when not Latin-1). */
const STRING_BYTES = 24;
/** The tail: a fold of the offender's state (a few small objects and arrays). */
const TAIL_BYTES = 400;

/** Estimated heap bytes of a cached stream; metadata shared by one batch's events is counted once. */
export function streamBytes(stream: CachedStream): number {
  let bytes = STREAM_BYTES + 8 * stream.events.length + (stream.tail ? TAIL_BYTES : 0);
  let previous: RecordedOffenderEvent | undefined;
  for (const event of stream.events) {
    bytes += EVENT_BYTES + STRING_BYTES + event.offenderId.length + valueBytes(event.data);
    if (event.metadata !== previous?.metadata) bytes += valueBytes(event.metadata);
    if (event.recordedAt !== previous?.recordedAt) bytes += STRING_BYTES + event.recordedAt.length;
    previous = event;
  }
  return bytes;
}

/** Heap bytes of a JSON value (a payload, a metadata object). */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return STRING_BYTES + value.length * (/^[\0-\xff]*$/.test(value) ? 1 : 2);
  if (value === null || typeof value !== 'object') return 0; // small numbers, booleans and null live in the field itself
  let bytes = OBJECT_BYTES;
  for (const field in value) bytes += FIELD_BYTES + valueBytes((value as Record<string, unknown>)[field]);
  return bytes;
}
