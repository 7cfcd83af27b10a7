import { START, streamNameFilter, type AllStreamResolvedEvent, type AllStreamSubscription, type EventStoreDBClient } from '@eventstore/db-client';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import type { SubscribeOptions, Subscription } from '../event-store';
import { DEFAULT_BATCH_SIZE } from '../polling-subscription';
import { OFFENDER_STREAM_PREFIX, positionOf, toRecordedEvent } from './esdb-event-mapping';
import { toStoreError, withinDeadline } from './within-deadline';

type Handler = (events: RecordedOffenderEvent[]) => Promise<void>;

const MIN_RETRY_DELAY_MS = 1000;

/** subscribe() over a catch-up subscription to $all filtered to `offender-` streams; on a drop or handler failure, reports and resubscribes from the checkpoint. */
export class EventStoreDbSubscription implements Subscription {
  private closed = false;
  private current: AllStreamSubscription | null = null;
  private retryTimer: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private readonly finished: Promise<void>;

  constructor(
    private readonly client: Pick<EventStoreDBClient, 'subscribeToAll'>,
    private readonly timeoutMs: number,
    after: bigint | null,
    private readonly handler: Handler,
    private readonly options: SubscribeOptions = {},
  ) {
    this.finished = this.run(after);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer.timer);
      this.retryTimer.resolve();
    }
    await this.unsubscribe();
    await this.finished;
  }

  private async run(after: bigint | null): Promise<void> {
    let checkpoint = after;
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    while (!this.closed) {
      const subscription = this.client.subscribeToAll({
        // Exclusive checkpoint; with gRPC appends commit == prepare, so the commit position alone identifies the event.
        fromPosition: checkpoint === null ? START : { commit: checkpoint, prepare: checkpoint },
        filter: streamNameFilter({ prefixes: [OFFENDER_STREAM_PREFIX] }),
      });
      this.current = subscription;
      try {
        for await (const batch of batches(subscription, batchSize)) {
          if (this.closed) break;
          const events: RecordedOffenderEvent[] = [];
          for (const resolved of batch) {
            const event = toRecordedEvent(resolved);
            // Belt and braces: never hand over the checkpoint itself or anything before it.
            if (event && (checkpoint === null || positionOf(resolved) > checkpoint)) events.push(event);
          }
          if (events.length === 0) continue;
          await this.handler(events);
          checkpoint = events[events.length - 1].position;
        }
      } catch (error) {
        if (!this.closed) this.reportError(toStoreError(error));
      } finally {
        await this.unsubscribe();
      }
      if (!this.closed) await this.delay(Math.max(this.options.pollIntervalMs ?? 0, MIN_RETRY_DELAY_MS));
    }
  }

  private async unsubscribe(): Promise<void> {
    const subscription = this.current;
    this.current = null;
    if (!subscription) return;
    await withinDeadline('unsubscribe', this.timeoutMs, () => subscription.unsubscribe()).catch(() => undefined);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.retryTimer = null;
        resolve();
      }, ms);
      this.retryTimer = { timer, resolve };
    });
  }

  private reportError(error: unknown): void {
    if (this.options.onError) {
      try {
        this.options.onError(error);
      } catch {
        // A throwing error callback must not stop the subscription.
      }
    } else {
      console.error('EventStoreDB subscription failed; resubscribing from its checkpoint.', error);
    }
  }
}

/** Groups what the subscription has already buffered into batches, waiting only for the first event of each. */
async function* batches(subscription: AllStreamSubscription, size: number): AsyncGenerator<AllStreamResolvedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  while (true) {
    const first = await iterator.next();
    if (first.done) return;
    const batch: AllStreamResolvedEvent[] = [first.value];
    let next: AllStreamResolvedEvent | null;
    while (batch.length < size && (next = subscription.read() as AllStreamResolvedEvent | null) !== null) batch.push(next);
    yield batch;
  }
}
