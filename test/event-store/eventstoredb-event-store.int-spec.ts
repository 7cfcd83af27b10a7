import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { describeEventStoreContract } from './event-store.contract';

// Needs a running EventStoreDB, e.g. EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  describeEventStoreContract(
    'EventStoreDbEventStore on EventStoreDB',
    async () => EventStoreDbEventStore.fromConnectionString(connectionString, { timeoutMs: 10_000 }),
    async () => undefined,
    { concurrentWriters: 4, batchesPerWriter: 8 },
  );
} else {
  // Written past Jest's console capture, which hides the output of fully skipped files.
  process.stdout.write('SKIPPED: no EventStoreDB (set EVENTSTORE_CONNECTION_STRING): EventStoreDbEventStore contract\n');
  describe.skip('EventStoreDbEventStore on EventStoreDB (EventStore contract)', () => {
    it('needs EVENTSTORE_CONNECTION_STRING', () => undefined);
  });
}
