import { InMemoryEvents, InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { describeEventStoreContract } from './event-store.contract';

// The in-memory store keeps every promise of the PostgreSQL family (it shares their append planner).
// Every store of the suite shares one set of events, as connections share one database.
const events = new InMemoryEvents();
describeEventStoreContract(
  'InMemoryEventStore',
  async () => new InMemoryEventStore(events),
  async () => undefined,
  {
    gaplessPositions: true,
    recordedAtMovesForward: true,
    duplicatesAcrossStreams: true,
    readsStreamByStream: true,
  },
);
