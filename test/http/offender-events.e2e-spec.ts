import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { STORAGE, type Storage } from '../../src/app.module';
import { DEVELOPMENT_PRINCIPAL } from '../../src/auth/auth-settings';
import type { Clock } from '../../src/config/clock';
import { contentEventId } from '../../src/commands/record-events/event-input';
import { createHttpApp } from '../../src/http/create-http-app';
import { offenderIds } from '../support/offender-event-fixtures';

// The write side over HTTP (INTERFACES.md "Posting events", DOMAIN.md 3 and 5): one event per
// POST with idempotency and If-Match, every refusal with its status and error body, the reads
// of one offender as of a date and as known at a time, and NDJSON batches line by line.

const GM = 'greater-manchester';
const ERROR_BODY = { error: expect.any(String), message: expect.any(String), details: expect.any(Array) };
/** Offender-level reads state why (DPA 2018 s.62). */
const WITH_REASON = { reason: 'test of the offender routes' };

/** A clock the test moves: each event is recorded at a later, known instant. */
class TestClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): Date {
    this.at = new Date(this.at.getTime() + ms);
    return this.now();
  }
}

/** Service time between two posts. */
const STEP = 60_000;
const registration = (overrides: Record<string, unknown> = {}) => ({
  type: 'OffenderRegistered',
  occurredOn: '2014-04-01',
  data: { area: GM, category: 2, level: 1, inCustody: false, underSupervision: true },
  ...overrides,
});
const levelChanged = (level: number, occurredOn: string, extra: Record<string, unknown> = {}) => ({ type: 'LevelChanged', occurredOn, data: { level }, ...extra });

describe('offender events over HTTP', () => {
  let app: NestExpressApplication;
  let dataDir: string;
  let storage: Storage;
  // Today, for the service, is 1 June 2024 (UK), all file long: 2024-06-02 is in the future.
  const clock = new TestClock(new Date('2024-06-01T00:00:00.000Z'));
  const id = offenderIds('H');
  const http = () => request(app.getHttpServer());

  /** How many events the store holds: what a refused request must not change. */
  const storeCount = async () => {
    const { rows } = await storage.sql!.query<{ count: string }>('SELECT count(*)::text AS count FROM events');
    return Number(rows[0].count);
  };

  const post = (offenderId: string, body: unknown, headers: Record<string, string> = {}) => {
    let req = http().post(`/offenders/${offenderId}/events`);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    return req.send(body as object);
  };

  /** Posts and expects 201, one minute of service time after the previous post. */
  const record = async (offenderId: string, body: object, headers: Record<string, string> = {}) => {
    clock.advance(STEP);
    const res = await post(offenderId, body, headers);
    expect({ status: res.status, body: res.body }).toEqual({ status: 201, body: expect.anything() });
    return res.body as { eventId: string; offenderId: string; revision: number; position: string; recordedAt: string };
  };

  /** Expects the request to be refused with this status and code, leaving the store as it was. */
  const expectRefused = async (send: () => request.Test, status: number, code: string) => {
    const before = await storeCount();
    // A server refusing a large body may answer before it has read it all (EPIPE on the send).
    const res = await send().catch((error: { response?: request.Response }) => {
      if (error.response) return error.response;
      throw error;
    });
    expect({ status: res.status, body: res.body }).toEqual({ status, body: { ...ERROR_BODY, error: code } });
    expect(res.body.message.length).toBeGreaterThan(10);
    expect(await storeCount()).toBe(before);
    return res.body as { error: string; message: string; details: Array<{ field?: string; rule?: string; message: string }> };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-http-'));
    app = await createHttpApp({
      config: { eventStore: 'embedded', dataDir, databaseUrl: undefined, port: 0, schema: undefined },
      clock,
      auth: { development: true, developmentPrincipal: DEVELOPMENT_PRINCIPAL },
      rateLimit: false,
    });
    app.useLogger(false);
    await app.init();
    storage = app.get<Storage>(STORAGE);
  });

  afterAll(async () => {
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('POST /offenders/{id}/events', () => {
    it('appends one event and answers 201 {eventId, offenderId, revision, position, recordedAt}', async () => {
      const offenderId = id('one');
      const eventId = randomUUID();
      const before = await storeCount();
      const at = clock.advance(STEP);
      const res = await post(offenderId, registration({ eventId }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ eventId, offenderId, revision: 0, position: expect.stringMatching(/^\d+$/), recordedAt: at.toISOString() });
      expect(await storeCount()).toBe(before + 1);
      expect(Number(res.body.position)).toBe(before + 1);

      // The body's offenderId may be given, and must then match the path.
      const second = await record(offenderId, { ...levelChanged(2, '2014-05-01'), offenderId });
      expect(second).toMatchObject({ offenderId, revision: 1, position: String(before + 2) });
      const mismatch = await expectRefused(() => post(offenderId, { ...levelChanged(3, '2014-06-01'), offenderId: id('someone-else') }), 400, 'invalid-input');
      expect(mismatch.details).toContainEqual(expect.objectContaining({ field: 'offenderId' }));
    });

    it('a repeat of the same eventId and content answers the original result and appends nothing', async () => {
      const offenderId = id('idempotent');
      const eventId = randomUUID();
      const body = registration({ eventId });
      const first = await record(offenderId, body);
      const before = await storeCount();
      clock.advance(STEP);
      // The same content with keys in another order is the same event.
      const again = await post(offenderId, { data: { ...body.data }, occurredOn: body.occurredOn, type: body.type, eventId });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first);
      expect(again.headers['idempotent-replay']).toBe('true');
      expect(await storeCount()).toBe(before);
    });

    it('the same eventId with different content is a 409 idempotency-conflict', async () => {
      const offenderId = id('conflict');
      const eventId = randomUUID();
      await record(offenderId, registration({ eventId }));
      const body = await expectRefused(() => post(offenderId, registration({ eventId, occurredOn: '2014-04-02' })), 409, 'idempotency-conflict');
      expect(body.details).toContainEqual(expect.objectContaining({ field: 'eventId' }));
      // Reusing it for another offender is a conflict too.
      await expectRefused(() => post(id('conflict-other'), registration({ eventId })), 409, 'idempotency-conflict');
    });

    it('If-Match with a stale revision is a 409 concurrency-conflict and appends nothing', async () => {
      const offenderId = id('if-match');
      await record(offenderId, registration());
      const second = await record(offenderId, levelChanged(2, '2014-05-01'), { 'If-Match': '0' });
      expect(second.revision).toBe(1);
      const stale = await expectRefused(() => post(offenderId, levelChanged(3, '2014-06-01'), { 'If-Match': '0' }), 409, 'concurrency-conflict');
      expect(stale.details).toContainEqual(expect.objectContaining({ field: 'If-Match' }));
      // The ETag forms are accepted; the current revision goes through.
      expect((await record(offenderId, levelChanged(3, '2014-06-01'), { 'If-Match': '"1"' })).revision).toBe(2);
      // A malformed If-Match is a 400, not a silent unconditional write.
      await expectRefused(() => post(offenderId, levelChanged(2, '2014-07-01'), { 'If-Match': 'yesterday' }), 400, 'invalid-input');
    });

    it('an event for an unknown offender is a 404', async () => {
      const body = await expectRefused(() => post(id('nobody'), levelChanged(2, '2014-05-01')), 404, 'not-found');
      expect(body.details).toContainEqual(expect.objectContaining({ field: 'offenderId' }));
    });

    it('an event that makes the timeline invalid is a 422 naming the rule', async () => {
      const offenderId = id('timeline');
      await record(offenderId, registration());
      const body = await expectRefused(() => post(offenderId, levelChanged(1, '2014-05-01')), 422, 'invalid-timeline');
      expect(body.details.length).toBeGreaterThan(0);
      expect(body.details[0]).toEqual(expect.objectContaining({ rule: expect.any(String), message: expect.any(String) }));
      // Already active: a second registration is refused too.
      expect((await post(offenderId, registration({ occurredOn: '2014-06-01' }))).status).toBe(422);
      // Back-dated: a level change before the registration date is refused.
      expect((await post(offenderId, levelChanged(3, '2014-03-01'))).status).toBe(422);
    });

    it.each([
      ['an unknown envelope field', registration({ colour: 'red' }), 'colour'],
      ['an unknown payload field', registration({ data: { area: GM, category: 2, level: 1, inCustody: false, underSupervision: true, name: 'J Smith' } }), 'data.name'],
      ['a field set by the service', registration({ recordedAt: '2014-04-01T00:00:00Z' }), 'recordedAt'],
      ['a payload field of the wrong type', registration({ data: { area: GM, category: '2', level: 1, inCustody: false, underSupervision: true } }), 'data.category'],
      ['a missing payload field', registration({ data: { area: GM, category: 2, level: 1, inCustody: false } }), 'data.underSupervision'],
      ['an out-of-range level', registration({ data: { area: GM, category: 2, level: 4, inCustody: false, underSupervision: true } }), 'data.level'],
      ['an unknown event type', registration({ type: 'OffenderEscaped' }), 'type'],
      ['a date that does not exist', registration({ occurredOn: '2014-02-30' }), 'occurredOn'],
      ['a date in another format', registration({ occurredOn: '01/04/2014' }), 'occurredOn'],
      ['a date in the future', registration({ occurredOn: '2024-06-02' }), 'occurredOn'],
      ['an area that is not one of the 42', registration({ data: { area: 'atlantis', category: 2, level: 1, inCustody: false, underSupervision: true } }), 'data.area'],
      [
        'a division not configured for its area',
        registration({ data: { area: GM, division: 'not-a-division', category: 2, level: 1, inCustody: false, underSupervision: true } }),
        'data.division',
      ],
      ['an eventId that is not a UUID', registration({ eventId: 'event-1' }), 'eventId'],
    ])('%s is a 400 naming the field', async (_what, body, field) => {
      const refusal = await expectRefused(() => post(id('fields'), body), 400, 'invalid-input');
      expect(refusal.details).toContainEqual(expect.objectContaining({ field }));
    });

    it('an event that is not a JSON object is a 400', async () => {
      for (const body of ['[1,2]', '"text"', 'null', '42']) {
        await expectRefused(() => post(id('not-object'), body, { 'Content-Type': 'application/json' }), 400, 'invalid-input');
      }
    });

    it('malformed JSON is a 400', async () => {
      const body = await expectRefused(() => post(id('malformed'), '{"type": "OffenderRegistered", ', { 'Content-Type': 'application/json' }), 400, 'invalid-input');
      expect(body.message).toMatch(/not valid JSON/);
    });

    it('a body over 64kb is a 413', async () => {
      const huge = JSON.stringify(levelChanged(2, '2014-05-01', { data: { level: 2, reason: 'x'.repeat(70 * 1024) } }));
      await expectRefused(() => post(id('huge'), huge, { 'Content-Type': 'application/json' }), 413, 'payload-too-large');
      // Just under the limit the size is not what is refused (the reason is too long: 400).
      const under = JSON.stringify(levelChanged(2, '2014-05-01', { data: { level: 2, reason: 'x'.repeat(60 * 1024) } }));
      await expectRefused(() => post(id('huge'), under, { 'Content-Type': 'application/json' }), 400, 'invalid-input');
    });
  });

  describe('GET /offenders/{id}', () => {
    it('answers the state now, at the end of a past date (asOf), and as known at a past time (asKnownAt)', async () => {
      const offenderId = id('bitemporal');
      const registered = await record(offenderId, registration()); // level 1, category 2, from 2014-04-01
      const raised = await record(offenderId, levelChanged(2, '2014-09-01'));
      const betweenWrites = new Date(new Date(raised.recordedAt).getTime() - STEP / 2).toISOString();
      // Learned later: a category change back-dated to 2014-05-01.
      const backDated = await record(offenderId, { type: 'CategoryChanged', occurredOn: '2014-05-01', data: { category: 1 } });
      expect(new Date(backDated.recordedAt) > new Date(raised.recordedAt)).toBe(true);
      const beforeBackDated = new Date(new Date(backDated.recordedAt).getTime() - 1).toISOString();

      const state = async (query: Record<string, string>) => {
        const res = await http().get(`/offenders/${offenderId}`).query(WITH_REASON).query(query);
        expect(res.status).toBe(200);
        return res.body;
      };

      const now = await state({});
      expect(now).toMatchObject({ offenderId, asOf: null, asKnownAt: null, revision: 2, position: backDated.position });
      expect(now.state).toMatchObject({ active: true, area: GM, category: 1, level: 2, inCustody: false, underSupervision: true });

      // At the end of 30 June 2014 the level change had not yet taken effect.
      const june = await state({ asOf: '2014-06-30' });
      expect(june).toMatchObject({ asOf: '2014-06-30', asKnownAt: null });
      expect(june.state).toMatchObject({ active: true, category: 1, level: 1 });
      // Before the registration date: no MAPPA period open.
      expect((await state({ asOf: '2014-03-31' })).state).toMatchObject({ active: false });

      // As known between the registration and the level change: only the registration counts.
      const knownEarly = await state({ asKnownAt: betweenWrites });
      expect(knownEarly).toMatchObject({ asKnownAt: betweenWrites, revision: 0, position: registered.position });
      expect(knownEarly.state).toMatchObject({ category: 2, level: 1 });

      // As known just before the back-dated change was recorded, June 2014 was category 2 ...
      expect((await state({ asOf: '2014-06-30', asKnownAt: beforeBackDated })).state).toMatchObject({ category: 2, level: 1 });
      // ... and as known now it is category 1: the same date, a different answer.
      expect((await state({ asOf: '2014-06-30', asKnownAt: backDated.recordedAt })).state).toMatchObject({ category: 1, level: 1 });

      // Before anything about it was recorded, the offender was not known.
      const unknownThen = await http()
        .get(`/offenders/${offenderId}`)
        .query(WITH_REASON)
        .query({ asKnownAt: new Date(new Date(registered.recordedAt).getTime() - 1).toISOString() });
      expect(unknownThen.status).toBe(404);
      expect(unknownThen.body).toEqual({ ...ERROR_BODY, error: 'not-found' });
    });

    it('refuses bad asOf and asKnownAt values with 400, and an unknown offender with 404', async () => {
      const offenderId = id('read-params');
      await record(offenderId, registration());
      for (const query of [{ asOf: '2014-02-30' }, { asOf: 'yesterday' }, { asKnownAt: '2015-04-30' }, { asKnownAt: 'soon' }]) {
        const res = await http().get(`/offenders/${offenderId}`).query(WITH_REASON).query(query);
        expect({ query, status: res.status, body: res.body }).toEqual({ query, status: 400, body: { ...ERROR_BODY, error: 'invalid-input' } });
      }
      const unknown = await http()
        .get(`/offenders/${id('never-registered')}`)
        .query(WITH_REASON);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ ...ERROR_BODY, error: 'not-found' });
    });
  });

  describe('GET /offenders/{id}/events', () => {
    it('lists the stream in revision order with retracted events marked', async () => {
      const offenderId = id('retraction');
      const registered = await record(offenderId, registration());
      const mistaken = await record(offenderId, levelChanged(3, '2014-05-01'));
      const retraction = await record(offenderId, {
        type: 'EventRetracted',
        occurredOn: '2014-05-02',
        data: { retractedEventId: mistaken.eventId, reason: 'recorded against the wrong offender' },
      });

      const res = await http().get(`/offenders/${offenderId}/events`).query(WITH_REASON);
      expect(res.status).toBe(200);
      const events = res.body.events as Array<Record<string, unknown>>;
      expect(events.map((e) => [e.eventId, e.revision, e.retractedBy])).toEqual([
        [registered.eventId, 0, null],
        [mistaken.eventId, 1, retraction.eventId],
        [retraction.eventId, 2, null],
      ]);
      // The retracted event stays visible as recorded, with the envelope the service set.
      expect(events[1]).toMatchObject({
        type: 'LevelChanged',
        offenderId,
        occurredOn: '2014-05-01',
        data: { level: 3 },
        position: mistaken.position,
        recordedAt: mistaken.recordedAt,
        metadata: expect.objectContaining({ actor: DEVELOPMENT_PRINCIPAL.sub, source: 'api' }),
      });
      // It no longer counts: the level is back to 1, and it cannot be retracted twice.
      expect((await http().get(`/offenders/${offenderId}`).query(WITH_REASON)).body.state).toMatchObject({ level: 1 });
      await expectRefused(
        () => post(offenderId, { type: 'EventRetracted', occurredOn: '2014-05-03', data: { retractedEventId: mistaken.eventId, reason: 'again' } }),
        422,
        'invalid-timeline',
      );
      expect(
        (
          await http()
            .get(`/offenders/${id('no-stream')}/events`)
            .query(WITH_REASON)
        ).status,
      ).toBe(404);
    });
  });

  describe('POST /events (NDJSON)', () => {
    it('answers every line: good lines appended and counted, bad lines refused with line number and reason', async () => {
      const a = id('batch-a');
      const registeredId = randomUUID();
      const line9Id = randomUUID();
      const line3 = { ...levelChanged(2, '2014-05-01'), offenderId: a }; // no eventId: derived from content
      const lines = [
        /* 1 */ JSON.stringify({ ...registration({ eventId: registeredId }), offenderId: a }),
        /* 2 */ '{"type": "LevelChanged", "offenderId": ',
        /* 3 */ JSON.stringify(line3),
        /* 4 */ JSON.stringify({ ...levelChanged(3, '2014-05-15'), offenderId: a, colour: 'red' }),
        /* 5 */ JSON.stringify({ ...levelChanged(2, '2014-06-01'), offenderId: a }), // already level 2
        /* 6 */ '',
        /* 7 */ JSON.stringify({ ...levelChanged(2, '2014-05-01'), offenderId: id('batch-nobody') }),
        /* 8 */ JSON.stringify({ type: 'CategoryChanged', offenderId: a, occurredOn: '2014-06-01', data: { category: '1' } }),
        /* 9 */ JSON.stringify({ ...levelChanged(3, '2014-07-01'), offenderId: a, eventId: line9Id }),
        /* 10 */ JSON.stringify({ ...levelChanged(1, '2099-01-01'), offenderId: a }),
      ];
      const body = lines.join('\n') + '\n';
      const before = await storeCount();
      clock.advance(STEP);
      const res = await http().post('/events').set('Content-Type', 'application/x-ndjson').send(body);
      expect(res.status).toBe(200);
      // Issue 10: accepted lines are counted, not listed; every refused line is listed (docs/decisions.md).
      const refusals = res.body.refusals as Array<{ line: number; eventId?: string; error: { error: string; details: unknown[] } }>;
      expect(refusals.map((r) => [r.line, r.error.error])).toEqual([
        [2, 'invalid-input'],
        [4, 'invalid-input'],
        [5, 'invalid-timeline'],
        [7, 'not-found'],
        [8, 'invalid-input'],
        [10, 'invalid-input'],
      ]);
      for (const r of refusals) expect(r.error).toEqual(ERROR_BODY);
      const detailsOf = (line: number) => refusals.find((r) => r.line === line)!.error.details;
      expect(detailsOf(2)).toContainEqual(expect.objectContaining({ rule: 'json' }));
      expect(detailsOf(4)).toContainEqual(expect.objectContaining({ field: 'colour' }));
      expect(detailsOf(8)).toContainEqual(expect.objectContaining({ field: 'data.category' }));
      expect(detailsOf(10)).toContainEqual(expect.objectContaining({ field: 'occurredOn' }));
      expect(res.body).toMatchObject({ appended: 3, duplicates: 0, refused: 6, lastPosition: String(before + 3) });
      expect(await storeCount()).toBe(before + 3);

      // The store holds exactly the good lines, in line order on the offender's stream.
      const appendedIds = [registeredId, contentEventId(line3 as Parameters<typeof contentEventId>[0]), line9Id];
      const stream = (await http().get(`/offenders/${a}/events`).query(WITH_REASON)).body.events as Array<{ eventId: string; revision: number }>;
      expect(stream.map((e) => [e.eventId, e.revision])).toEqual(appendedIds.map((eventId, k) => [eventId, k]));

      // Posting the same batch again appends nothing: every good line is a duplicate, even line 3.
      const again = await http().post('/events').set('Content-Type', 'application/x-ndjson').send(body);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ appended: 0, duplicates: 3, refused: 6, lastPosition: null });
      expect(again.body.refusals.map((r: { line: number }) => r.line)).toEqual([2, 4, 5, 7, 8, 10]);
      expect(await storeCount()).toBe(before + 3);
    });

    it('refuses a body that is not NDJSON', async () => {
      await expectRefused(() => http().post('/events').set('Content-Type', 'application/json').send({ type: 'LevelChanged' }), 400, 'invalid-input');
    });
  });

  describe('documentation and operations', () => {
    it('publishes an OpenAPI document at /docs-json listing the routes', async () => {
      const res = await http().get('/docs-json');
      expect(res.status).toBe(200);
      const paths = res.body.paths as Record<string, Record<string, unknown>>;
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(paths['/offenders/{offenderId}/events'] ?? {})).toEqual(expect.arrayContaining(['post', 'get']));
      expect(paths['/offenders/{offenderId}']).toHaveProperty('get');
      expect(paths['/events']).toHaveProperty('post');
      expect(paths['/health']).toHaveProperty('get');
    });

    it('answers /health with the event store it writes to', async () => {
      const res = await http().get('/health');
      expect(res.status).toBe(200);
      const last = await storage.store.lastPosition();
      expect(res.body).toEqual({
        status: 'ok',
        eventStore: 'embedded',
        lastPosition: last === null ? null : last.toString(),
        projector: true,
        rebuild: expect.objectContaining({ state: 'idle' }),
      });
    });
  });
});
