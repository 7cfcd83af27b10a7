import { InvalidInputError } from '../errors';

// A paged trace's cursor (issue 14.1): the first page's knowledge moment, so no page gains or loses items as events arrive, and the last item's sort key.

/** The sort key of a trace item: area, offender, counted event's position, then its cell. */
export interface TraceItemKey {
  area: string;
  offenderId: string;
  countedPosition: string;
  row: string;
  column: string;
}

export interface TraceCursor {
  /** The event-store position every page is read at. */
  position: bigint;
  /** The asKnownAt the first page was asked with, echoed in every page. */
  asKnownAt: string | null;
  /** The last item already given; null: start from the first item. */
  after: TraceItemKey | null;
}

/** Most items one page may hold. */
export const TRACE_PAGE_MAX = 10_000;

/** An opaque, URL-safe text for a cursor. */
export function encodeTraceCursor(cursor: TraceCursor): string {
  const k = cursor.after;
  const parts = [cursor.position.toString(), cursor.asKnownAt, k && [k.area, k.offenderId, k.countedPosition, k.row, k.column]];
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The cursor of a text this service gave out, or a 400 saying it is not one. */
export function decodeTraceCursor(text: string): TraceCursor {
  const refused = () =>
    new InvalidInputError('after must be the `next` value of a page of this trace, unchanged.', [
      { field: 'after', rule: 'trace-cursor', message: 'not a cursor this service gave out' },
    ]);
  if (text.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(text)) throw refused();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (!Array.isArray(parts) || parts.length !== 3) throw refused();
  const [position, asKnownAt, key] = parts as unknown[];
  if (typeof position !== 'string' || !/^\d{1,19}$/.test(position)) throw refused();
  if (asKnownAt !== null && (typeof asKnownAt !== 'string' || Number.isNaN(Date.parse(asKnownAt)))) throw refused();
  if (key !== null && !(Array.isArray(key) && key.length === 5 && key.every((k) => typeof k === 'string' && k.length <= 128) && /^\d{1,19}$/.test(key[2] as string))) {
    throw refused();
  }
  const k = key as string[] | null;
  return {
    position: BigInt(position),
    asKnownAt: asKnownAt as string | null,
    after: k && { area: k[0], offenderId: k[1], countedPosition: k[2], row: k[3], column: k[4] },
  };
}

/** The number of items a page holds: 0 (the summary alone) to TRACE_PAGE_MAX, or a 400. */
export function traceLimit(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,6}$/.test(text.trim()) || Number(text) > TRACE_PAGE_MAX) {
    throw new InvalidInputError(`limit must be a whole number from 0 to ${TRACE_PAGE_MAX} (0: the summary alone).`, [
      { field: 'limit', rule: 'range', message: `limit must be 0-${TRACE_PAGE_MAX}` },
    ]);
  }
  return Number(text);
}
