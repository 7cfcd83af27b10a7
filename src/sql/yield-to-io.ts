/** Lets timers and sockets run: a store answering in microtasks alone (the in-memory one) would keep HTTP waiting through a loop of queries. */
export const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
