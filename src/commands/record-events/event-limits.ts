import type { ErrorDetail } from '../../errors';
import { hasUnsafeText } from '../../domain/printable-text';
import { ECHO_MAX_LENGTH, echo } from '../../errors';

// Limits checked before field validation (docs/security.md 4): no real event reaches them, and each kept a hostile line from failing its batch.

/** Largest event, as JSON: one posted event, or one NDJSON line. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** Deepest nesting of objects and arrays; a real event has 2 (the event, its data). */
export const MAX_EVENT_DEPTH = 8;

/** Keys that reach JavaScript's object machinery; no event type has a field of these names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** At most this many problems are named: a hostile event must not get a longer answer than it is. */
export const MAX_ERROR_DETAILS = 10;

/** What in `raw` breaks the limits (depth, forbidden key, control character), walked without recursion so no input is too deep to judge. */
export function eventLimitErrors(raw: unknown): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const pending: Array<{ value: object; field: string; depth: number }> = [];
  if (raw !== null && typeof raw === 'object') pending.push({ value: raw, field: '', depth: 0 });
  while (pending.length > 0 && details.length < MAX_ERROR_DETAILS) {
    const { value, field, depth } = pending.pop()!;
    if (depth >= MAX_EVENT_DEPTH) {
      details.push({ field: echo(field), rule: 'depth', message: `${echo(field)} is nested more than ${MAX_EVENT_DEPTH} levels deep; no event is` });
      continue;
    }
    const keys = Object.keys(value);
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k];
      const child = (value as Record<string, unknown>)[key];
      if (FORBIDDEN_KEYS.has(key)) {
        const keyField = fieldPath(field, key);
        details.push({ field: echo(keyField), rule: 'forbidden-key', message: `${echo(keyField)} is not a field of an event` });
      } else if (hasUnsafeText(key)) {
        const keyField = fieldPath(field, key);
        details.push({ field: echo(keyField), rule: 'control-character', message: `${echo(keyField)}: a field name may not hold control characters` });
      } else if (typeof child === 'string') {
        if (hasUnsafeText(child)) details.push(unsafeTextDetail(fieldPath(field, key)));
      } else if (child !== null && typeof child === 'object') {
        pending.push({ value: child, field: fieldPath(field, key), depth: depth + 1 });
      }
    }
  }
  return details.slice(0, MAX_ERROR_DETAILS);
}

function unsafeTextDetail(field: string): ErrorDetail {
  return {
    field: echo(field),
    rule: 'control-character',
    message: `${echo(field)} may not hold control characters (such as NUL, tabs or line breaks), direction overrides or broken Unicode`,
  };
}

/** A field's path; one already longer than an error message shows grows no further. */
const fieldPath = (parent: string, key: string): string => (parent.length > ECHO_MAX_LENGTH ? parent : parent ? `${parent}.${key}` : key);
