import { LOCAL_OPERATOR } from '../../src/auth/principal';
import type { Clock } from '../../src/config/clock';
import { RecordOffenderEventsCommand, type RecordContext, type RecordOutcome } from '../../src/commands/record-events/record-offender-events.command';
import { MAX_CONFLICT_RETRIES, RecordOffenderEventsHandler } from '../../src/commands/record-events/record-offender-events.handler';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { EventStore, StreamAppend, StreamAppendResult } from '../../src/event-store/event-store';
import { InMemoryEvents, InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { custodyEntered, levelChanged, OFFENDER, registered, released } from '../domain/offender-scenario';

// The command handler's cases given/when/then, on the in-memory store (issue 13, item 2): idempotent
// retries, If-Match, another writer moving a stream on between read and append, a stale cache.

const clock: Clock = { now: () => new Date('2016-01-01T12:00:00Z') };
const context: RecordContext = { principal: LOCAL_OPERATOR, actor: 'test', agency: 'moj', source: 'api', correlationId: 'c' };

let n = 0;
/** The scenario's event with a UUID, as the store requires. */
const posted = (event: NewOffenderEvent): NewOffenderEvent => ({ ...event, eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });

/** A store in which `interfere` runs once, just before the handler's next append reaches it (another writer). */
class InterferingStore extends InMemoryEventStore {
  interfere: (() => Promise<void>) | null = null;
  appends = 0;
  override async appendToStreams(items: readonly StreamAppend[]): Promise<StreamAppendResult[]> {
    this.appends++;
    const before = this.interfere;
    this.interfere = null;
    await before?.();
    return super.appendToStreams(items);
  }
}

function given(...history: NewOffenderEvent[]) {
  const events = new InMemoryEvents();
  const store = new InterferingStore(events);
  const handler = new RecordOffenderEventsHandler(store, clock);
  const other = new RecordOffenderEventsHandler(new InMemoryEventStore(events), clock);
  const record = (h: RecordOffenderEventsHandler, batch: NewOffenderEvent[], ctx: Partial<RecordContext> = {}) =>
    h.execute(new RecordOffenderEventsCommand(batch, { ...context, ...ctx }));
  const ready = history.length > 0 ? record(other, history).then(expectAllAppended) : Promise.resolve([]);
  return {
    store,
    /** Another process writing to the same store. */
    other: (batch: NewOffenderEvent[]) => record(other, batch),
    when: async (batch: NewOffenderEvent[], ctx: Partial<RecordContext> = {}) => {
      await ready;
      return record(handler, batch, ctx);
    },
    stream: () => store.readStream(OFFENDER),
  };
}

function expectAllAppended(outcomes: RecordOutcome[]): RecordOutcome[] {
  expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 'appended'));
  return outcomes;
}

const refusal = (o: RecordOutcome) => (o.status === 'refused' ? { status: o.error.status, code: o.error.code, rules: o.error.details.map((d) => d.rule) } : o.status);

describe('RecordOffenderEventsHandler, given/when/then on the in-memory store', () => {
  it('answers a repeated post with the first receipt, and a reused eventId with other content with 409', async () => {
    const reg = posted(registered('2014-04-01'));
    const scenario = given(reg);
    const change = posted(levelChanged('2014-06-01', 2));
    const [first] = await scenario.when([change]);
    const [again] = await scenario.when([change]);
    expect(again).toEqual({ ...first, status: 'duplicate' });
    const [conflict] = await scenario.when([{ ...change, data: { level: 3 } } as NewOffenderEvent]);
    expect(refusal(conflict)).toEqual({ status: 409, code: 'idempotency-conflict', rules: ['idempotency'] });
    expect(await scenario.stream()).toHaveLength(2);
  });

  it('answers an event repeated within one batch with the receipt of its first copy', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    const change = posted(levelChanged('2014-06-01', 2));
    const [first, repeat] = await scenario.when([change, change]);
    expect(first.status).toBe('appended');
    expect(repeat).toEqual({ ...first, status: 'duplicate' });
  });

  it('refuses an eventId already used by another offender', async () => {
    const reg = posted(registered('2014-04-01'));
    const scenario = given(reg);
    const [outcome] = await scenario.when([{ ...posted(registered('2014-04-01')), eventId: reg.eventId, offenderId: 'GM-999' }]);
    expect(refusal(outcome)).toEqual({ status: 409, code: 'idempotency-conflict', rules: ['idempotency'] });
  });

  it('appends with If-Match at the current revision and refuses a stale one without appending', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    expect((await scenario.when([posted(levelChanged('2014-06-01', 2))], { expectedRevision: 0 }))[0]).toMatchObject({ status: 'appended', revision: 1 });
    const [stale] = await scenario.when([posted(levelChanged('2014-07-01', 3))], { expectedRevision: 0 });
    expect(refusal(stale)).toEqual({ status: 409, code: 'concurrency-conflict', rules: ['expected-revision'] });
    expect(await scenario.stream()).toHaveLength(2);
  });

  it('with If-Match, refuses when another writer appends between the read and the append', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    scenario.store.interfere = async () => void (await scenario.other([posted(levelChanged('2014-05-01', 3))]));
    const [outcome] = await scenario.when([posted(levelChanged('2014-06-01', 2))], { expectedRevision: 0 });
    expect(refusal(outcome)).toMatchObject({ status: 409, code: 'concurrency-conflict' });
    expect((await scenario.stream()).map((e) => e.type)).toEqual(['OffenderRegistered', 'LevelChanged']);
  });

  it('without If-Match, decides again after another writer moved the stream on, and appends after its event', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    const custody = posted(custodyEntered('2014-05-01'));
    scenario.store.interfere = async () => void (await scenario.other([custody]));
    const change = posted(levelChanged('2014-06-01', 2));
    const [outcome] = await scenario.when([change]);
    expect(outcome).toMatchObject({ status: 'appended', revision: 2 });
    expect((await scenario.stream()).map((e) => e.eventId)).toEqual([expect.any(String), custody.eventId, change.eventId]);
    expect(scenario.store.appends).toBe(2);
  });

  it('decides again on a fresh read an event refused on a stale cached stream', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    await scenario.when([posted(levelChanged('2014-05-01', 2))]); // the handler now caches the stream
    await scenario.other([posted(custodyEntered('2014-06-01'))]);
    const reads = jest.spyOn(scenario.store, 'readStreams');
    // Release is only valid from custody, which the cached copy does not know.
    const [outcome] = await scenario.when([posted(released('2014-07-01', false))]);
    expect(outcome).toMatchObject({ status: 'appended', revision: 3 });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('answers a re-post with its receipt when another instance appended it since this one cached the stream', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    await scenario.when([posted(levelChanged('2014-05-01', 2))]); // cached here
    const change = posted(levelChanged('2014-06-01', 3));
    const [there] = await scenario.other([change]); // recorded through another instance
    const [again] = await scenario.when([change]); // the agency retries against this one
    expect(again).toEqual({ ...there, status: 'duplicate' });
  });

  it('answers the replay when an append committed but its answer was lost', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    await scenario.when([posted(levelChanged('2014-05-01', 2))]); // cached here
    const change = posted(levelChanged('2014-06-01', 3));
    const append = scenario.store.appendToStreams.bind(scenario.store);
    jest.spyOn(scenario.store, 'appendToStreams').mockImplementationOnce(async (items) => {
      await append(items);
      throw new Error('connection lost after commit');
    });
    await expect(scenario.when([change])).rejects.toThrow('connection lost after commit');
    const [again] = await scenario.when([change]);
    expect(again).toMatchObject({ status: 'duplicate', eventId: change.eventId, revision: 2 });
  });

  it('gives up with 409 after a bounded number of retries when the stream keeps changing', async () => {
    const scenario = given(posted(registered('2014-04-01')));
    let level: 1 | 2 | 3 = 1;
    const keepChanging = async () => {
      level = level === 2 ? 3 : 2;
      await scenario.other([posted(levelChanged('2014-05-01', level))]);
      scenario.store.interfere = keepChanging;
    };
    scenario.store.interfere = keepChanging;
    const [outcome] = await scenario.when([posted(custodyEntered('2014-06-01'))]);
    expect(refusal(outcome)).toMatchObject({ status: 409, code: 'concurrency-conflict' });
    expect(scenario.store.appends).toBe(MAX_CONFLICT_RETRIES + 1); // the first attempt and every retry
    scenario.store.interfere = null;
    expect((await scenario.stream()).some((e) => e.type === 'CustodyEntered')).toBe(false);
  });

  it('settles every event of a mixed batch in order: accepted, refused, duplicate', async () => {
    const reg = posted(registered('2014-04-01'));
    const scenario = given(reg);
    const outcomes = await scenario.when([posted(released('2014-05-01', false)), reg, posted(custodyEntered('2014-05-02')), posted(released('2014-05-03', true))]);
    expect(outcomes.map(refusal)).toEqual([{ status: 422, code: 'invalid-timeline', rules: ['release-only-from-custody'] }, 'duplicate', 'appended', 'appended']);
  });
});

/** Keeps the type of EventStore in view: the in-memory store is a full adapter. */
export const _adapter: EventStore = new InMemoryEventStore();
