import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore } from '../../src/event-store/event-store';
import { openEventStore, type EventStoreConfig } from '../../src/event-store/open-event-store';

/** Every event of the store `config` names, in position order, read through a store of its own (closed after). */
export async function readWholeStore(config: EventStoreConfig): Promise<RecordedOffenderEvent[]> {
  const { store, sql } = await openEventStore(config);
  try {
    return await readAllEvents(store, 10_000);
  } finally {
    await store.close();
    await sql?.close();
  }
}

/** Every event of an open store, in position order, read in pages of `pageSize`. */
export async function readAllEvents(store: EventStore, pageSize: number): Promise<RecordedOffenderEvent[]> {
  const events: RecordedOffenderEvent[] = [];
  for (let after: bigint | null = null; ;) {
    const page = await store.readAll(after, pageSize);
    if (page.length === 0) return events;
    events.push(...page);
    after = page[page.length - 1].position;
  }
}
