/**
 * Lets timers and sockets run. The embedded database (PGlite) answers a query in microtasks alone,
 * so a loop of queries never yields to the event loop by itself: HTTP would wait for it to end.
 */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
