import { AccessDeniedError, ANY, NO_STREAM, UnavailableError, type AppendResult, type EventData } from '@eventstore/db-client';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { StoreUnavailableError } from '../../src/errors';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { positionOf, toRecordedEvent, UNKNOWN_POSITION } from '../../src/event-store/eventstoredb/esdb-event-mapping';
import { FakeEventStoreDbClient } from '../support/fake-eventstoredb-client';
import { appendOf, levelChanged, offenderRegistered, testMetadata } from '../support/offender-event-fixtures';

describe('EventStoreDbEventStore mapping onto the ESDB client', () => {
  let client: FakeEventStoreDbClient;
  let store: EventStoreDbEventStore;

  beforeEach(() => {
    client = new FakeEventStoreDbClient();
    store = new EventStoreDbEventStore(client, { timeoutMs: 500, readPageSize: 4 });
  });

  afterEach(async () => {
    await store.close();
  });

  describe('appending', () => {
    it('appends to stream offender-<id> with our event ids, types, envelope data and metadata', async () => {
      const append = jest.spyOn(client, 'appendToStream');
      const events = [offenderRegistered('GM-1'), levelChanged('GM-1', 2)];
      const metadata = testMetadata({ source: 'import' });
      const recordedAt = '2015-04-01T09:30:00.000Z';

      await store.appendToStreams([appendOf('GM-1', 'no-stream', events, { metadata, recordedAt })]);

      expect(append).toHaveBeenCalledTimes(1);
      const [streamName, sent, options] = append.mock.calls[0];
      expect(streamName).toBe('offender-GM-1');
      expect(options).toEqual({ expectedRevision: NO_STREAM });
      const written = sent as EventData[];
      expect(written.map((e) => e.id)).toEqual(events.map((e) => e.eventId));
      expect(written.map((e) => e.type)).toEqual(['OffenderRegistered', 'LevelChanged']);
      expect(written.every((e) => e.contentType === 'application/json')).toBe(true);
      expect(written[1].data).toEqual({ offenderId: 'GM-1', occurredOn: events[1].occurredOn, data: events[1].data });
      expect(written[0].metadata).toEqual({ ...metadata, recordedAt, appendId: expect.any(String) });
      expect(written[1].metadata).toEqual(written[0].metadata);
    });

    it("maps expected revisions: 'no-stream' to NO_STREAM, a number to a bigint revision, 'any' to ANY", async () => {
      const append = jest.spyOn(client, 'appendToStream');
      await store.appendToStreams([
        appendOf('GM-2', 'no-stream', [offenderRegistered('GM-2')]),
        appendOf('GM-2', 0, [levelChanged('GM-2')]),
        appendOf('GM-2', 'any', [levelChanged('GM-2', 3)]),
      ]);
      expect(append.mock.calls.map(([, , options]) => options?.expectedRevision)).toEqual([NO_STREAM, 0n, ANY]);
    });

    it('answers with the events as recorded: revisions, commit positions, recordedAt, metadata without internals', async () => {
      const metadata = testMetadata();
      const [result] = await store.appendToStreams([
        appendOf('GM-3', 'no-stream', [offenderRegistered('GM-3'), levelChanged('GM-3')], { metadata, recordedAt: '2015-01-02T03:04:05.000Z' }),
      ]);

      if (result.status !== 'appended') throw new Error(result.status);
      const ours = client.log.filter((r) => r.streamId === 'offender-GM-3');
      expect(result.events.map((e) => e.revision)).toEqual([0, 1]);
      expect(result.events.map((e) => e.position)).toEqual(ours.map((r) => r.position));
      expect(result.events.map((e) => e.recordedAt)).toEqual(['2015-01-02T03:04:05.000Z', '2015-01-02T03:04:05.000Z']);
      expect(result.events[0].metadata).toEqual(metadata);
    });

    it('turns WrongExpectedVersionError into a conflict with the actual revision, and carries on with the batch', async () => {
      await store.appendToStreams([appendOf('GM-4', 'no-stream', [offenderRegistered('GM-4'), levelChanged('GM-4')])]);

      const results = await store.appendToStreams([
        appendOf('GM-4', 0, [levelChanged('GM-4', 3)]),
        appendOf('GM-5', 2, [levelChanged('GM-5')]),
        appendOf('GM-6', 'no-stream', [offenderRegistered('GM-6')]),
      ]);

      expect(results[0]).toEqual({ status: 'conflict', offenderId: 'GM-4', expectedRevision: 0, actualRevision: 1 });
      expect(results[1]).toEqual({ status: 'conflict', offenderId: 'GM-5', expectedRevision: 2, actualRevision: null });
      expect(results[2].status).toBe('appended');
    });

    it("reports ESDB's silent no-op for a repeated append as 'duplicate-event-id'", async () => {
      const item = appendOf('GM-7', 'no-stream', [offenderRegistered('GM-7')]);
      await store.appendToStreams([item]);
      const writtenBefore = client.log.length;

      const [repeat] = await store.appendToStreams([item]);

      expect(repeat).toEqual({ status: 'duplicate-event-id', offenderId: 'GM-7', eventIds: [item.events[0].eventId] });
      expect(client.log).toHaveLength(writtenBefore);
    });

    it('lets errors other than conflicts and unavailability through unchanged', async () => {
      const denied = new AccessDeniedError();
      jest.spyOn(client, 'appendToStream').mockRejectedValueOnce(denied);
      await expect(store.appendToStreams([appendOf('GM-8', 'any', [levelChanged('GM-8')])])).rejects.toBe(denied);
    });

    it('answers 503 when the client reports the server unavailable', async () => {
      jest.spyOn(client, 'appendToStream').mockRejectedValueOnce(new UnavailableError());
      await expect(store.appendToStreams([appendOf('GM-9', 'any', [levelChanged('GM-9')])])).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('answers 503 when a call does not settle within the timeout', async () => {
      jest.spyOn(client, 'appendToStream').mockReturnValueOnce(new Promise<AppendResult>(() => undefined));
      const started = Date.now();
      const error = await store.appendToStreams([appendOf('GM-10', 'any', [levelChanged('GM-10')])]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    });
  });

  describe('reading', () => {
    it('reads a stream that does not exist (StreamNotFoundError) as []', async () => {
      expect(await store.readStream('nobody')).toEqual([]);
      expect(await store.readStreams(['nobody'])).toEqual(new Map());
    });

    it('reads resolved events back as RecordedOffenderEvents', async () => {
      const registered = offenderRegistered('GM-11');
      const metadata = testMetadata({ causationId: 'c-1' });
      await store.appendToStreams([appendOf('GM-11', 'no-stream', [registered], { metadata, recordedAt: '2015-05-05T05:05:05.000Z' })]);

      const [event] = await store.readStream('GM-11');

      expect(event).toEqual({
        eventId: registered.eventId,
        type: 'OffenderRegistered',
        offenderId: 'GM-11',
        occurredOn: registered.occurredOn,
        data: registered.data,
        revision: 0,
        position: client.log.find((r) => r.id === registered.eventId)?.position,
        recordedAt: '2015-05-05T05:05:05.000Z',
        metadata,
      });
    });

    it('leaves out system events and other streams when reading $all, across pages', async () => {
      client.writeSystemRecord('$settings', '$settings');
      await store.appendToStreams([appendOf('GM-12', 'no-stream', [offenderRegistered('GM-12')])]);
      client.writeSystemRecord('$$offender-GM-12', '$metadata');
      client.writeSystemRecord('offender-GM-99', '$>'); // a link event in an offender stream
      await client.appendToStream('invoices-1', [{ id: crypto.randomUUID(), contentType: 'application/json', type: 'InvoiceRaised', data: {}, metadata: undefined }]);
      await store.appendToStreams([appendOf('GM-12', 0, [levelChanged('GM-12'), levelChanged('GM-12', 3)])]);

      const all = await store.readAll(null, 100);

      expect(all.map((e) => e.type)).toEqual(['OffenderRegistered', 'LevelChanged', 'LevelChanged']);
      expect(all.map((e) => e.offenderId)).toEqual(['GM-12', 'GM-12', 'GM-12']);
      expect(await store.readAll(all[0].position, 1)).toEqual([all[1]]);
      expect(await store.readAll(all[2].position, 10)).toEqual([]);
    });

    it('finds the last position past trailing system records, and none in a store without offender events', async () => {
      client.writeSystemRecord();
      expect(await store.lastPosition()).toBeNull();

      await store.appendToStreams([appendOf('GM-13', 'no-stream', [offenderRegistered('GM-13')])]);
      for (let i = 0; i < 9; i++) client.writeSystemRecord();

      expect(await store.lastPosition()).toBe(client.log.find((r) => r.streamId === 'offender-GM-13')?.position);
    });

    it('maps the commit position, and marks a record without one as of unknown position', () => {
      const event = {
        streamId: 'offender-X',
        id: 'e',
        isJson: true as const,
        revision: 0n,
        type: 'LevelChanged',
        created: new Date(0),
        data: { offenderId: 'X', occurredOn: '2014-01-01', data: {} },
        metadata: { recordedAt: '2014-01-01T00:00:00.000Z' },
      };
      expect(positionOf({ event: { ...event, position: { commit: 42n, prepare: 42n } } })).toBe(42n);
      expect(positionOf({ event, commitPosition: 43n })).toBe(43n);
      // Servers before 22.6 send 2^64 - 1 for events read from a stream.
      expect(positionOf({ event: { ...event, position: { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n } } })).toBe(UNKNOWN_POSITION);
      expect(toRecordedEvent({ event: { ...event, type: '$metadata' } })).toBeNull();
      expect(toRecordedEvent({ event: { ...event, streamId: 'other-X' } })).toBeNull();
    });
  });

  describe('subscribing', () => {
    it('subscribes to $all from the checkpoint, filtered to offender streams, and delivers only offender events after it', async () => {
      const subscribe = jest.spyOn(client, 'subscribeToAll');
      const [first] = await store.appendToStreams([appendOf('GM-14', 'no-stream', [offenderRegistered('GM-14'), levelChanged('GM-14')])]);
      if (first.status !== 'appended') throw new Error(first.status);
      const checkpoint = first.events[0].position;
      const received: RecordedOffenderEvent[] = [];

      const subscription = store.subscribe(checkpoint, async (events) => void received.push(...events));
      await store.appendToStreams([appendOf('GM-14', 1, [levelChanged('GM-14', 3)])]);
      client.writeSystemRecord();
      await waitFor(() => received.length >= 2);
      await subscription.close();

      const [options] = subscribe.mock.calls[0];
      expect(options?.fromPosition).toEqual({ commit: checkpoint, prepare: checkpoint });
      expect(options?.filter).toMatchObject({ filterOn: 'streamName', prefixes: ['offender-'] });
      expect(received.map((e) => e.revision)).toEqual([1, 2]);
    });

    it('reports a dropped subscription to onError and resubscribes from its checkpoint', async () => {
      const errors: unknown[] = [];
      const original = client.subscribeToAll;
      let calls = 0;
      jest.spyOn(client, 'subscribeToAll').mockImplementation((options) => {
        const subscription = original(options);
        if (++calls === 1) setImmediate(() => subscription.destroy(new UnavailableError()));
        return subscription;
      });
      const received: RecordedOffenderEvent[] = [];
      const subscription = store.subscribe(null, async (events) => void received.push(...events), {
        onError: (error) => errors.push(error),
        pollIntervalMs: 10,
      });
      await store.appendToStreams([appendOf('GM-15', 'no-stream', [offenderRegistered('GM-15')])]);
      await waitFor(() => received.length >= 1 && calls >= 2, 5000);
      await subscription.close();

      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
      expect(received.map((e) => e.offenderId)).toEqual(['GM-15']);
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
