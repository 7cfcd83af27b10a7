import { UNSAFE_TEXT_ALL } from './domain/printable-text';
// Every error a user can cause has a type, a status and a plain sentence; HTTP maps them in one place (src/http/error.filter.ts).

export interface ErrorDetail {
  field?: string;
  rule?: string;
  message: string;
}

export abstract class MappaError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
  toBody(): { error: string; message: string; details: ErrorDetail[] } {
    return { error: this.code, message: this.message, details: this.details };
  }
}

/** 400: malformed JSON, a missing, unknown, wrongly typed or out-of-range field. */
export class InvalidInputError extends MappaError {
  readonly status = 400;
  readonly code = 'invalid-input';
}

/** 401: no credentials, or credentials that cannot be trusted. */
export class UnauthenticatedError extends MappaError {
  readonly status = 401;
  readonly code = 'unauthenticated';
}

/** 403: the caller is known but may not do this. */
export class ForbiddenError extends MappaError {
  readonly status = 403;
  readonly code = 'forbidden';
}

/** 404: the offender (or another named thing) is not known to the service. */
export class NotFoundError extends MappaError {
  readonly status = 404;
  readonly code = 'not-found';
}

/** 409: the stream moved on since the caller read it (If-Match or a lost race). */
export class ConcurrencyConflictError extends MappaError {
  readonly status = 409;
  readonly code = 'concurrency-conflict';
}

/** 409: the eventId was already used for different content. */
export class IdempotencyConflictError extends MappaError {
  readonly status = 409;
  readonly code = 'idempotency-conflict';
}

/** 413: the request body is larger than the service accepts. */
export class PayloadTooLargeError extends MappaError {
  readonly status = 413;
  readonly code = 'payload-too-large';
}

/** 431: the request line or headers are larger than the HTTP server reads (an over-long URL or token). */
export class HeadersTooLargeError extends MappaError {
  readonly status = 431;
  readonly code = 'headers-too-large';
}

/** 422: the fields are valid, but the event would make the offender's timeline invalid (DOMAIN.md 5). */
export class InvalidTimelineError extends MappaError {
  readonly status = 422;
  readonly code = 'invalid-timeline';
}

/** 429: too many requests for this token. */
export class TooManyRequestsError extends MappaError {
  readonly status = 429;
  readonly code = 'too-many-requests';
}

/** 503: the event store or database did not answer in time, or refused the connection. */
export class StoreUnavailableError extends MappaError {
  readonly status = 503;
  readonly code = 'store-unavailable';
  /** Seconds a client should wait before trying again. */
  readonly retryAfterSeconds: number = 5;
}

/** 503 from admission control (issue 17): refused before anything was read or done, so safe to send again. */
export class ServiceBusyError extends StoreUnavailableError {
  override readonly retryAfterSeconds: number = 1;
}

/** 503: every database connection is in use and the wait for one ran out; the database itself answers (issue 18.3). */
export class StoreBusyError extends StoreUnavailableError {
  override readonly retryAfterSeconds: number = 1;
}

/** 503 while the read models cannot answer yet (a rebuild, or behind a position asked for); Retry-After is the estimate. */
export class ReadModelsNotReadyError extends StoreUnavailableError {
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
    details: ErrorDetail[] = [],
  ) {
    super(message, details);
  }
}

export type StorageFaultKind = 'disk-full' | 'read-only' | 'not-writable' | 'io-error';

/** 503: the disk under the store is full, read-only or failing; the message names the path and what to do. */
export class StorageFaultError extends StoreUnavailableError {
  constructor(
    message: string,
    readonly kind: StorageFaultKind,
    readonly path: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(message, [{ rule: kind, message: `store at ${path}` }]);
  }
}

/** 409: a rebuild of the read models is already running (here or in another process). */
export class RebuildRunningError extends MappaError {
  readonly status = 409;
  readonly code = 'rebuild-running';
}

/** Most characters of a caller's input an error message repeats back (the rest is cut, marked …). */
export const ECHO_MAX_LENGTH = 64;

/** `value` for an error message: at most 64 characters, unsafe ones shown as U+FFFD, so no message carries escapes to a terminal. */
export function echo(value: unknown): string {
  const text = String(value);
  const shown = text.length > ECHO_MAX_LENGTH ? `${text.slice(0, ECHO_MAX_LENGTH)}…` : text;
  return shown.replace(UNSAFE_TEXT_ALL, '\ufffd');
}

/** A connection string without the user and password it may carry (`postgres://…@db:5432/mappa`), for messages. */
export const withoutCredentials = (url: string): string => url.replace(/\/\/[^@/]*@/, '//…@');
