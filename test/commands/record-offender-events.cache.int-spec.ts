import { LOCAL_OPERATOR } from '../../src/auth/principal';
import type { Clock } from '../../src/config/clock';
import { RecordOffenderEventsCommand, type RecordContext } from '../../src/commands/record-events/record-offender-events.command';
import { RecordOffenderEventsHandler } from '../../src/commands/record-events/record-offender-events.handler';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import { eventsOf } from '../support/offender-events';

// The record-events handler keeps offender streams between commands. Two handlers on one store
// stand for two processes: each one's cache goes stale when the other appends. A stale stream must
// never change an answer: appends from it conflict and are decided again, and an event refused on
// a cached stream is decided again on a fresh read before the refusal stands.

const clock: Clock = { now: () => new Date('2024-06-01T12:00:00Z') };
const context: RecordContext = { principal: LOCAL_OPERATOR, actor: 'test', agency: 'moj', source: 'import', correlationId: 'c' };

let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const offender = (offenderId: string) => eventsOf(offenderId, id);

describe('RecordOffenderEventsHandler stream cache', () => {
  let sql: PgliteSqlClient;
  let store: PostgresEventStore;
  let first: RecordOffenderEventsHandler;
  let second: RecordOffenderEventsHandler;
  const record = (h: RecordOffenderEventsHandler, events: NewOffenderEvent[]) => h.execute(new RecordOffenderEventsCommand(events, context));

  beforeAll(async () => {
    sql = await PgliteSqlClient.open();
    store = new PostgresEventStore(sql);
    await store.init();
    first = new RecordOffenderEventsHandler(store, clock);
    second = new RecordOffenderEventsHandler(store, clock);
  });
  afterAll(async () => {
    await store.close();
    await sql.close();
  });

  it('decides again on a fresh read an event refused on a stale cached stream', async () => {
    const c1 = offender('C-1');
    const [reg] = await record(first, [c1.registered('2020-01-01')]);
    expect(reg.status).toBe('appended');
    // The other process puts the offender in custody; the first one's cache does not know.
    expect((await record(second, [c1.custodyEntered('2020-02-01', 'remand')]))[0].status).toBe('appended');
    // Release is only valid from custody: on the stale copy it would be refused.
    const [released] = await record(first, [c1.released('2020-03-01', false)]);
    expect(released).toMatchObject({ status: 'appended', revision: 2 });
  });

  it('appends from a stale cached stream only after the conflict is decided again', async () => {
    const c2 = offender('C-2');
    await record(first, [c2.registered('2020-01-01')]);
    await record(second, [c2.levelChanged('2020-02-01', 2)]);
    // Valid on the stale copy too (level 1 -> 3), but must be appended after revision 1, not as revision 1.
    const [changed] = await record(first, [c2.levelChanged('2020-03-01', 3)]);
    expect(changed).toMatchObject({ status: 'appended', revision: 2 });
    expect((await store.readStream('C-2')).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('keeps refusing what is invalid on the fresh stream, and keeps the batch in order per offender', async () => {
    const c3 = offender('C-3');
    await record(first, [c3.registered('2020-01-01')]);
    await record(second, [c3.custodyEntered('2020-02-01', 'remand')]);
    // In order: a second custody entry is invalid (already in custody), the release after it is valid.
    const outcomes = await record(first, [c3.custodyEntered('2020-02-15', 'remand'), c3.released('2020-03-01', false), c3.levelChanged('2020-03-02', 2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['refused', 'appended', 'appended']);
    expect(outcomes[0]).toMatchObject({ error: { status: 422 } });
    expect((await store.readStream('C-3')).map((e) => e.type)).toEqual(['OffenderRegistered', 'CustodyEntered', 'ReleasedToCommunity', 'LevelChanged']);
  });

  it('answers a re-post as a duplicate when the cached stream predates the first post (its answer lost, or another process stored it)', async () => {
    const c5 = offender('C-5');
    await record(first, [c5.registered('2020-01-01')]);
    const changed = c5.levelChanged('2020-02-01', 2);
    // Stored, but the first handler never learnt it (a 503 whose commit stood; issue 18.2).
    expect((await record(second, [changed]))[0].status).toBe('appended');
    const [again] = await record(first, [{ ...changed }]);
    expect(again).toMatchObject({ status: 'duplicate', eventId: changed.eventId, revision: 1 });
    expect((await store.readStream('C-5')).map((e) => e.eventId)).toEqual([expect.any(String), changed.eventId]);
  });

  it('answers a re-posted event as a duplicate from the cache', async () => {
    const c4 = offender('C-4');
    const event = c4.registered('2020-01-01');
    await record(first, [event]);
    const [again] = await record(first, [event]);
    expect(again).toMatchObject({ status: 'duplicate', revision: 0 });
  });
});
