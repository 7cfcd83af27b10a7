import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { openEventStore, type EventStoreConfig } from '../../src/event-store/open-event-store';

/** Every event of the store `config` names, in position order, read through a store of its own (closed after). */
export async function readWholeStore(config: EventStoreConfig): Promise<RecordedOffenderEvent[]> {
  const { store, sql } = await openEventStore(config);
  try {
    const events: RecordedOffenderEvent[] = [];
    for (let after: bigint | null = null; ;) {
      const page = await store.readAll(after, 10_000);
      if (page.length === 0) return events;
      events.push(...page);
      after = page[page.length - 1].position;
    }
  } finally {
    await store.close();
    await sql?.close();
  }
}
