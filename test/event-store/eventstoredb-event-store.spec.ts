import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { FakeEventStoreDbClient } from '../support/fake-eventstoredb-client';
import { describeEventStoreContract } from './event-store.contract';

// The contract against the adapter over an in-memory client that behaves like the server
// (see FakeEventStoreDbClient): checks paging, filtering, positions and subscriptions without
// an EventStoreDB. eventstoredb-event-store.int-spec.ts runs the same contract on a real one.
const client = new FakeEventStoreDbClient();

describeEventStoreContract(
  'EventStoreDbEventStore over an in-memory client',
  // A small page makes every $all read cross pages and system records.
  async () => new EventStoreDbEventStore(client, { readPageSize: 7, timeoutMs: 2000 }),
);
