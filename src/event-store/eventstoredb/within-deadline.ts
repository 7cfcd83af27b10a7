import { CancelledError, DeadlineExceededError, NotLeaderError, TimeoutError, UnavailableError } from '@eventstore/db-client';
import { StoreUnavailableError } from '../../errors';
import { isConnectionError, storeUnavailable } from '../../sql/connection-errors';

const WHAT = 'The event store';

/** gRPC status codes that mean "not reachable / not now": DEADLINE_EXCEEDED, UNAVAILABLE. */
const UNAVAILABLE_GRPC_CODES = new Set([4, 14]);

function isEsdbUnavailable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    // A cluster in the middle of electing a leader: worth retrying shortly.
    error instanceof NotLeaderError
  ) {
    return true;
  }
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code)) return true;
  return /failed to discover/i.test(error.message) || isConnectionError(error);
}

/** Connection failures become the 503 StoreUnavailableError; anything else is returned unchanged. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  return isEsdbUnavailable(error) ? storeUnavailable(error, WHAT) : error;
}

/** Races one ESDB call against our own timer: the client waits forever on a server that never answers (see docs/decisions.md, "Moved from code comments"). */
export async function withinDeadline<T>(what: string, timeoutMs: number, run: () => Promise<T>, abandon?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const work = Promise.resolve().then(run);
  // The losing promise may still reject later; that must not become an unhandled rejection.
  work.catch(() => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon?.();
      reject(storeUnavailable(new Error(`EventStoreDB did not answer ${what} within ${timeoutMs} ms`), WHAT));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    throw toStoreError(error);
  } finally {
    clearTimeout(timer);
  }
}
