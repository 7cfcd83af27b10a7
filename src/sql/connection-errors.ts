import { StoreUnavailableError } from '../errors';

/** Socket-level failures: the database cannot be reached or dropped the connection. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** SQLSTATEs meaning "cannot serve you now", not "your statement is wrong": class 08, 53300, 57P01-57P03, 57014 (statement_timeout). */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['53300', '57P01', '57P02', '57P03', '57014'].includes(code);
}

/** Messages pg and PGlite give for an unusable connection, pool or instance (they carry no code). */
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i, // pg pool exhausted or server silent (connectionTimeoutMillis)
  /connection terminated/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /client was closed and is not queryable/i,
  /pglite is closed/i,
];

/** Duck-typed: an error from another realm (a library loaded outside Jest's sandbox) is no instance of this realm's Error. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)))) {
    return true;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // AggregateError (pg connecting to a host with several addresses) wraps the real causes.
  return Array.isArray(errors) && errors.some(isConnectionError);
}

/** The 503 every adapter reports when its store cannot be reached; the cause is kept for logs. */
export function storeUnavailable(cause: unknown, what = 'The database'): StoreUnavailableError {
  const error = new StoreUnavailableError(`${what} is not available at the moment. Please try again shortly.`);
  error.cause = cause;
  return error;
}

/** Re-throws connection failures as StoreUnavailableError, anything else unchanged. */
export function rethrowUnavailable(error: unknown, what?: string): never {
  if (error instanceof StoreUnavailableError) throw error;
  if (isConnectionError(error)) throw storeUnavailable(error, what);
  throw error;
}
