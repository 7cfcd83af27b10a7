import { streamsOf } from '../../projections/projection';
import type { EventStore } from '../../src/event-store/event-store';
import type { SqlClient } from '../../src/sql/sql-client';

// A refold reads offenders' streams from the event store while its projection's transaction is open: through that
// transaction when the store keeps its events in the read models' database (the embedded store has one connection,
// so a read beside the transaction would wait for it forever), else through the store's own connection.
describe('streamsOf', () => {
  const db = { dialect: 'embedded' } as SqlClient;
  const tx = { dialect: 'embedded' } as SqlClient;

  const storeKeepingEventsIn = (own: SqlClient | null) => {
    const calls: Array<SqlClient | undefined> = [];
    const store: Pick<EventStore, 'readStreams' | 'keepsEventsIn'> = {
      readStreams: async (_ids, within) => {
        calls.push(within);
        return new Map();
      },
      ...(own && { keepsEventsIn: (sql: SqlClient) => sql === own }),
    };
    return { store, calls };
  };

  it('reads through the projection’s transaction when the store keeps its events in the read models’ database', async () => {
    const { store, calls } = storeKeepingEventsIn(db);
    await streamsOf(store, db)(['o1'], tx);
    expect(calls).toEqual([tx]);
  });

  it('reads through the store’s own connection when its events are elsewhere (read models on another database)', async () => {
    const { store, calls } = storeKeepingEventsIn({ dialect: 'postgres' } as SqlClient);
    await streamsOf(store, db)(['o1'], tx);
    expect(calls).toEqual([undefined]);
  });

  it('reads through the store’s own connection for a store outside SQL (EventStoreDB)', async () => {
    const { store, calls } = storeKeepingEventsIn(null);
    await streamsOf(store, db)(['o1'], tx);
    expect(calls).toEqual([undefined]);
  });
});
