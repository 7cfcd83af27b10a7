/**
 * Lets timers and sockets run. A store that answers in microtasks alone (PGlite did, before it moved
 * to a worker thread; the in-memory store does) never yields to the event loop in a loop of queries:
 * HTTP would wait for the loop to end.
 */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
