import type { Server } from 'node:http';
import type { Logger } from 'pino';

/** How long SIGTERM waits for requests in flight before closing their connections (SHUTDOWN_GRACE_SECONDS). */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

export interface Draining {
  /** True once SIGTERM or SIGINT arrived. */
  stopping(): boolean;
}

/** Graceful stop on SIGTERM or SIGINT, exiting 0 (Nest's own hooks would re-raise the signal: exit 143). */
export function drainOnSignals(server: Server, close: () => Promise<void>, logger: Logger, graceMs: number): Draining {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: accepting no new connections; finishing the requests in flight (at most ${Math.round(graceMs / 1000)} s)`);
    void (async () => {
      try {
        await closeServer(server, graceMs);
        logger.info('requests finished; stopping the read models after their current batch');
        await close();
        logger.info('stopped');
        process.exit(0);
      } catch (error) {
        logger.error(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      }
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return { stopping: () => stopping };
}

/** Resolves once every connection has ended: idle ones are closed at once, busy ones after their answer. */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection turns idle when its answer is sent: close it then, not after keepAliveTimeout.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(deadline);
  }
}
