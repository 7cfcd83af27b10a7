import type { RecordedOffenderEvent } from '../../domain/offender-event';
import type { EventStore, StreamAppend, StreamCursor, StreamAppendResult, SubscribeOptions, Subscription } from '../event-store';
import { AppendSignal, PollingSubscription } from '../polling-subscription';
import { assertAppendable, planAppends } from '../postgres/plan-appends';

/** An in-memory EventStore judged by the same planner as the PostgreSQL family, for fast tests above the port; not a configuration choice. */
export class InMemoryEventStore implements EventStore {
  readonly kind = 'in-memory';
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  /** @param data the events, shared by every store made over it as connections share one database */
  constructor(private readonly data: InMemoryEvents = new InMemoryEvents()) {}

  async init(): Promise<void> {}

  async appendToStreams(items: readonly StreamAppend[]): Promise<StreamAppendResult[]> {
    this.assertOpen();
    assertAppendable(items);
    const last = this.data.log[this.data.log.length - 1];
    const plan = planAppends(items, {
      lastPosition: last?.position ?? 0n,
      lastRecordedAt: last ? new Date(last.recordedAt) : null,
      lastRevisions: new Map(
        items.flatMap((item) => {
          const stream = this.data.streams.get(item.offenderId);
          return stream ? [[item.offenderId, stream.length - 1] as const] : [];
        }),
      ),
      existingEventIds: new Set(items.flatMap((item) => item.events.map((e) => e.eventId.toLowerCase())).filter((id) => this.data.eventIds.has(id))),
    });
    for (const event of plan.accepted) {
      const stored = Object.freeze(structuredClone(event));
      this.data.log.push(stored);
      this.data.eventIds.add(stored.eventId);
      const stream = this.data.streams.get(stored.offenderId);
      if (stream) stream.push(stored);
      else this.data.streams.set(stored.offenderId, [stored]);
    }
    if (plan.accepted.length > 0) this.data.signal.notify();
    return plan.results;
  }

  async readStream(offenderId: string): Promise<RecordedOffenderEvent[]> {
    this.assertOpen();
    return copies(this.data.streams.get(offenderId) ?? []);
  }

  async readStreams(offenderIds: readonly string[]): Promise<Map<string, RecordedOffenderEvent[]>> {
    this.assertOpen();
    const found = new Map<string, RecordedOffenderEvent[]>();
    for (const id of offenderIds) {
      const stream = this.data.streams.get(id);
      if (stream) found.set(id, copies(stream));
    }
    return found;
  }

  async readAll(after: bigint | null, limit: number): Promise<RecordedOffenderEvent[]> {
    this.assertOpen();
    // Positions are 1, 2, 3...: the event at position p is at index p - 1.
    const from = after === null ? 0 : Number(after);
    return copies(this.data.log.slice(from, from + limit));
  }

  /** Offenders in JavaScript's string order. */
  async readStreamsInOrder(after: StreamCursor | null, upTo: bigint, limit: number): Promise<RecordedOffenderEvent[]> {
    this.assertOpen();
    const found: RecordedOffenderEvent[] = [];
    for (const offenderId of [...this.data.streams.keys()].sort()) {
      if (after !== null && offenderId < after.offenderId) continue;
      for (const e of this.data.streams.get(offenderId)!) {
        if (found.length >= limit) return copies(found);
        if (e.position <= upTo && (after === null || offenderId > after.offenderId || e.revision > after.revision)) found.push(e);
      }
    }
    return copies(found);
  }

  async countAfter(after: bigint | null, atMost?: number): Promise<number> {
    this.assertOpen();
    const count = Math.max(0, this.data.log.length - (after === null ? 0 : Number(after)));
    return atMost === undefined ? count : Math.min(count, atMost);
  }

  async lastPosition(): Promise<bigint | null> {
    this.assertOpen();
    return this.data.log[this.data.log.length - 1]?.position ?? null;
  }

  subscribe(after: bigint | null, handler: (events: RecordedOffenderEvent[]) => Promise<void>, options?: SubscribeOptions): Subscription {
    const subscription = new PollingSubscription((from, limit) => this.readAll(from, limit), this.data.signal, after, handler, options);
    this.subscriptions.add(subscription);
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The in-memory event store is closed.');
  }
}

/** What an in-memory store holds; several InMemoryEventStore instances may share one. */
export class InMemoryEvents {
  readonly log: RecordedOffenderEvent[] = [];
  readonly streams = new Map<string, RecordedOffenderEvent[]>();
  readonly eventIds = new Set<string>();
  readonly signal = new AppendSignal();
}

/** Callers get their own objects: nothing they change reaches the store. */
const copies = (events: readonly RecordedOffenderEvent[]): RecordedOffenderEvent[] => events.map((e) => structuredClone(e));
