import { LOCAL_OPERATOR } from '../../src/auth/principal';
import { decideBatch, type LoadedStream } from '../../src/commands/record-events/batch-decision';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../src/domain/offender-event';
import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import { appendOf, levelChanged, offenderRegistered } from '../support/offender-event-fixtures';

// A re-posted event is found through the cache's id set when the stream came from the cache, so a
// batch need not walk every stream it touches; the set may name events the copy decided on lacks.
describe('decideBatch, re-posted events and the cache’s id set', () => {
  const offender = 'BD-1';
  const registration = offenderRegistered(offender);
  const level = levelChanged(offender, 2, '2014-06-02');

  async function storedStream(events: NewOffenderEvent[]): Promise<RecordedOffenderEvent[]> {
    const store = new InMemoryEventStore();
    await store.appendToStreams([appendOf(offender, 'no-stream', events)]);
    return store.readStream(offender);
  }

  const decide = (posted: NewOffenderEvent, loaded: LoadedStream) =>
    decideBatch({
      events: [posted],
      pending: [0],
      streams: new Map([[offender, loaded]]),
      context: { principal: LOCAL_OPERATOR },
      today: '2016-01-01',
      usedElsewhere: new Set(),
    });

  it('answers a re-post as a duplicate by the id set, with the stored event’s receipt', async () => {
    const stored = await storedStream([registration, level]);
    const decision = decide({ ...level }, { events: stored, cached: true, eventIds: new Set(stored.map((e) => e.eventId)) });
    expect(decision.outcomes.get(0)).toMatchObject({ status: 'duplicate', eventId: level.eventId, revision: 1, position: stored[1].position });
    expect(decision.appends).toEqual([]);
  });

  it('answers a re-post as a duplicate by walking the stream when there is no id set (read from the store)', async () => {
    const stored = await storedStream([registration, level]);
    const decision = decide({ ...level }, { events: stored, cached: false });
    expect(decision.outcomes.get(0)).toMatchObject({ status: 'duplicate', revision: 1 });
  });

  it('decides the event on the copy when the set names it but the copy lacks it (appended after the copy was taken)', async () => {
    const stored = await storedStream([registration]);
    const decision = decide({ ...level }, { events: stored, cached: true, eventIds: new Set([registration.eventId, level.eventId]) });
    // Planned at the copy's revision: the store refuses it as a conflict, and the handler decides again on a fresh read.
    expect(decision.outcomes.size).toBe(0);
    expect(decision.appends).toMatchObject([{ offenderId: offender, expectedRevision: 0, indices: [0] }]);
  });

  it('refuses different content under a re-posted id found by the set', async () => {
    const stored = await storedStream([registration, level]);
    const decision = decide({ ...level, occurredOn: '2014-07-01' }, { events: stored, cached: false, eventIds: new Set(stored.map((e) => e.eventId)) });
    const outcome = decision.outcomes.get(0);
    expect(outcome?.status === 'refused' && outcome.error.code).toBe('idempotency-conflict');
  });
});
