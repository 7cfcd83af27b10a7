import type { EventStore, SubscribeOptions } from '../../src/event-store/event-store';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';

const STORE_READS: readonly PropertyKey[] = ['readAll', 'readStreamsInOrder', 'readStream', 'readStreams', 'lastPosition'];

export interface CountingStore {
  store: EventStore;
  /** Calls of each read method so far (a subscription's own polling included). */
  reads: Map<string, number>;
  total(): number;
  /** Where each subscribe() asked to start, and with which options. */
  subscriptions: Array<{ after: bigint | null; options?: SubscribeOptions; handedOver: bigint | null }>;
}

/**
 * The store with every read counted. A Proxy rather than a wrapper class: a polling subscription
 * reads through `this`, so its reads are counted too.
 */
export function countingReads(inner: EventStore): CountingStore {
  const reads = new Map<string, number>();
  const subscriptions: CountingStore['subscriptions'] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'subscribe') {
        return function (this: EventStore, after: bigint | null, handler: (events: RecordedOffenderEvent[]) => Promise<void>, options?: SubscribeOptions) {
          const seen = { after, options, handedOver: null as bigint | null };
          subscriptions.push(seen);
          return (value as EventStore['subscribe']).call(
            this,
            after,
            async (events) => {
              seen.handedOver = events[events.length - 1].position;
              await handler(events);
            },
            options,
          );
        };
      }
      if (!STORE_READS.includes(property)) return value;
      return function (this: unknown, ...args: unknown[]) {
        reads.set(String(property), (reads.get(String(property)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(this, args);
      };
    },
  });
  return { store, reads, subscriptions, total: () => [...reads.values()].reduce((a, b) => a + b, 0) };
}
