import type { RecordedOffenderEvent } from '../domain/offender-event';
import type { SubscribeOptions, Subscription } from './event-store';
import { yieldToIo } from '../sql/yield-to-io';

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_POLL_INTERVAL_MS = 200;

/** Wakes a store's own subscriptions on append; a generation counter, so a wake-up during a busy handler is not lost. */
export class AppendSignal {
  private generation = 0;
  private readonly sleepers = new Set<() => void>();

  get current(): number {
    return this.generation;
  }

  notify(): void {
    this.generation++;
    for (const wake of [...this.sleepers]) wake();
  }

  /** Resolves after `ms`, or at once if anything was appended since generation `since`; `wake` ends it early. */
  sleep(ms: number, since: number): { done: Promise<void>; wake: () => void } {
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      if (this.generation !== since) return resolve();
      const timer = setTimeout(() => finish(), ms);
      finish = () => {
        clearTimeout(timer);
        this.sleepers.delete(finish);
        resolve();
      };
      this.sleepers.add(finish);
    });
    return { done, wake: () => finish() };
  }
}

type ReadAll = (after: bigint | null, limit: number) => Promise<RecordedOffenderEvent[]>;
type Handler = (events: RecordedOffenderEvent[]) => Promise<void>;

/** subscribe() by polling `position > checkpoint`, safe only over a log whose visible positions never get earlier neighbours; retries from the same checkpoint. */
export class PollingSubscription implements Subscription {
  private closed = false;
  private wakeSleeper: (() => void) | null = null;
  private readonly finished: Promise<void>;

  constructor(
    private readonly readAll: ReadAll,
    private readonly signal: AppendSignal,
    after: bigint | null,
    private readonly handler: Handler,
    private readonly options: SubscribeOptions = {},
  ) {
    this.finished = this.run(after);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleeper?.();
    await this.finished;
  }

  private async run(after: bigint | null): Promise<void> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const pollIntervalMs = this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    let checkpoint = after;
    while (!this.closed) {
      const generation = this.signal.current;
      try {
        const events = await this.readAll(checkpoint, batchSize);
        if (this.closed) return;
        if (events.length > 0) {
          await this.handler(events);
          checkpoint = events[events.length - 1].position;
          // A full batch means more are probably waiting: read on without sleeping (but let I/O in).
          if (events.length === batchSize) {
            await yieldToIo();
            continue;
          }
        }
      } catch (error) {
        this.reportError(error);
      }
      if (this.closed) return;
      const sleep = this.signal.sleep(pollIntervalMs, generation);
      this.wakeSleeper = sleep.wake;
      await sleep.done;
      this.wakeSleeper = null;
    }
  }

  private reportError(error: unknown): void {
    if (this.options.onError) {
      try {
        this.options.onError(error);
      } catch {
        // A throwing error callback must not stop the subscription.
      }
    } else {
      console.error('Event store subscription failed; retrying from its checkpoint.', error);
    }
  }
}
