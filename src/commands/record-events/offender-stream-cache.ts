import { LRUCache } from 'lru-cache';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import type { StreamTail } from '../../domain/stream-tail';

/** A stream as kept: its events and, when known, its tail (the fold to its end, src/domain/stream-tail.ts). */
export interface CachedStream {
  readonly events: readonly RecordedOffenderEvent[];
  readonly tail?: StreamTail;
  /** The ids of `events`, so a batch need not walk the stream to find a re-posted event; it may also hold ids of events appended after this copy. */
  readonly eventIds?: ReadonlySet<string>;
}

/** A stream as held, with the estimated bytes of its events, so an append counts only what it adds. */
interface Entry extends CachedStream {
  readonly eventBytes: number;
  readonly eventIds: Set<string>;
}

/** Offender streams kept between commands, bounded in bytes; an entry may be stale, so nothing final is decided on it (see docs/decisions.md, "Moved from code comments"). */
export class OffenderStreamCache {
  private readonly streams: LRUCache<string, Entry>;

  constructor(readonly maxBytes: number) {
    // 0: nothing is kept (keep refuses). keep() gives every entry its size, already measured.
    this.streams = new LRUCache({ maxSize: Math.max(1, Math.floor(maxBytes)) });
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
    this.keep(offenderId, events, tail, eventsBytes(events, undefined), new Set(events.map((e) => e.eventId)));
  }

  /** Keeps `stored` followed by `added`; when `stored` is the stream held, only the added events are measured. */
  extend(offenderId: string, stored: readonly RecordedOffenderEvent[], added: readonly RecordedOffenderEvent[], tail?: StreamTail): void {
    const held = this.streams.peek(offenderId);
    const same = held !== undefined && held.events === stored;
    const base = same ? held.eventBytes : eventsBytes(stored, undefined);
    // The held set grows in place: a copy of the stream read before it may then see ids of events it lacks (CachedStream.eventIds).
    const eventIds = same ? held.eventIds : new Set(stored.map((e) => e.eventId));
    for (const e of added) eventIds.add(e.eventId);
    this.keep(offenderId, [...stored, ...added], tail, base + eventsBytes(added, stored[stored.length - 1]), eventIds);
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

  private keep(offenderId: string, events: readonly RecordedOffenderEvent[], tail: StreamTail | undefined, eventBytes: number, eventIds: Set<string>): void {
    const kept = tail?.length === events.length ? tail : undefined;
    const size = entryBytes(events.length, kept !== undefined, eventBytes);
    if (events.length === 0 || size > this.maxBytes) this.streams.delete(offenderId);
    else this.streams.set(offenderId, { events, tail: kept, eventBytes, eventIds }, { size });
  }
}

// Constants from V8's 64-bit layout, checked against the real heap by test/commands/offender-stream-cache.spec.ts (see docs/decisions.md, "Moved from code comments").
/** The entry, its array and lru-cache's slots for it. */
const STREAM_BYTES = 200;
/** An event object (9 fields, made field by field since session 10: a spread of the posted object made it larger), its bigint position and its eventId and occurredOn strings. */
const EVENT_BYTES = 280;
/** An object: header and the slots of its fields, whatever they hold. */
const OBJECT_BYTES = 32;
const FIELD_BYTES = 16;
/** A string's header; its characters are counted apart (one byte each, two when not Latin-1). */
const STRING_BYTES = 24;
/** The tail: a fold of the offender's state (a few small objects and arrays). */
const TAIL_BYTES = 400;

/** Estimated heap bytes of a cached stream; metadata shared by one batch's events is counted once. */
export function streamBytes(stream: CachedStream): number {
  return entryBytes(stream.events.length, stream.tail !== undefined, eventsBytes(stream.events, undefined));
}

/** A slot of the stream's array and one of its id set (whose table grows by doubling). */
const PER_EVENT_BYTES = 8 + 40;

const entryBytes = (events: number, withTail: boolean, eventBytes: number): number => STREAM_BYTES + PER_EVENT_BYTES * events + (withTail ? TAIL_BYTES : 0) + eventBytes;

/** The events' own bytes; `previous`: the event before them in the stream (its metadata and recordedAt are already counted). */
function eventsBytes(events: readonly RecordedOffenderEvent[], previous: RecordedOffenderEvent | undefined): number {
  let bytes = 0;
  for (const event of events) {
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
