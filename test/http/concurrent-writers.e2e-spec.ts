import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { STORAGE, type Storage } from '../../src/app.module';
import type { AppConfig } from '../../src/config/app-config';
import { findTimelineViolations } from '../../src/domain/timeline-rules';
import { createHttpApp } from '../../src/http/create-http-app';
import { dropSchema, SKIPPED_NO_POSTGRES, testDatabaseUrl, uniqueSchemaName } from '../support/postgres-test-database';

// Issue 11, item 3: eight HTTP writers on one offender at once, with and without If-Match. Every
// 201 is in the stream exactly once, the timeline stays valid, and a conflict answers 409 (then
// the writer retries: with the same eventId without If-Match, on a fresh read with it); nothing
// acknowledged is lost. On the embedded store, on PostgreSQL, and on two instances of the service
// sharing one PostgreSQL schema (issue 11, item 4), where each instance keeps its own stream cache.

const WRITERS = 8;
const EVENTS_PER_WRITER = 4;
const REASON = 'concurrent writers test';

interface Variant {
  name: string;
  /** The service instances writers are spread over (one, or two on one database). */
  start(): Promise<{ apps: NestExpressApplication[]; cleanup(): Promise<void> }>;
}

const quiet = async (config: AppConfig) => {
  // Development auth (every role, every area); no rate limit: eight writers post as fast as they can.
  const app = await createHttpApp({ config, rateLimit: false, reportReads: false });
  app.useLogger(false);
  await app.init();
  return app;
};

const variants: Variant[] = [
  {
    name: 'embedded store',
    async start() {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-writers-'));
      const app = await quiet({ eventStore: 'embedded', dataDir, databaseUrl: undefined, port: 0, schema: undefined });
      return {
        apps: [app],
        cleanup: async () => {
          await app.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];
if (testDatabaseUrl) {
  const url = testDatabaseUrl;
  const onPostgres = (instances: number): Variant => ({
    name: instances === 1 ? 'PostgreSQL' : `${instances} instances on one PostgreSQL`,
    async start() {
      const schema = uniqueSchemaName('writers');
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-writers-'));
      const config: AppConfig = { eventStore: 'postgres', dataDir, databaseUrl: url, port: 0, schema };
      const apps: NestExpressApplication[] = [];
      for (let k = 0; k < instances; k++) apps.push(await quiet(config));
      return {
        apps,
        cleanup: async () => {
          for (const app of apps) await app.close();
          await dropSchema(url, schema);
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  });
  variants.push(onPostgres(1), onPostgres(2));
} else {
  console.log(`${SKIPPED_NO_POSTGRES}: concurrent writers on PostgreSQL`);
}

const registration = {
  type: 'OffenderRegistered',
  occurredOn: '2014-04-01',
  data: { area: 'greater-manchester', category: 1, level: 1, inCustody: false, underSupervision: true },
};
/** Valid in any order (distinct order ids, category 1): only the store decides who goes first. */
const orderImposed = (orderId: string) => ({ eventId: randomUUID(), type: 'NotificationOrderImposed', occurredOn: '2015-01-01', data: { orderId } });

describe.each(variants)('eight concurrent writers on one offender: $name', (variant) => {
  let apps: NestExpressApplication[];
  let cleanup: () => Promise<void>;
  /** Writer w goes through instance w mod n. */
  const http = (writer: number) => request(apps[writer % apps.length].getHttpServer());
  const storage = () => apps[0].get<Storage>(STORAGE);

  beforeAll(async () => {
    ({ apps, cleanup } = await variant.start());
  }, 180_000); // opening a store took 50 s on this shared machine under load
  afterAll(() => cleanup?.());

  const register = async () => {
    const offenderId = `CW-${randomUUID().slice(0, 8)}`;
    const res = await http(0).post(`/offenders/${offenderId}/events`).send(registration);
    expect(res.status).toBe(201);
    return offenderId;
  };

  /** The stored stream: each acknowledged event once, revisions 0..n-1 in position order, a valid timeline. */
  const expectStream = async (offenderId: string, acknowledged: ReadonlyArray<{ eventId: string; revision: number; position: string }>) => {
    const stream = (await storage().store.readStreams([offenderId])).get(offenderId) ?? [];
    expect(stream.map((e) => e.revision)).toEqual(stream.map((_, k) => k));
    expect(stream.map((e) => e.position)).toEqual([...stream.map((e) => e.position)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(stream.map((e) => e.eventId)).size).toBe(stream.length);
    const stored = new Map(stream.map((e) => [e.eventId, e]));
    for (const ack of acknowledged) {
      const e = stored.get(ack.eventId);
      expect(e && { revision: e.revision, position: e.position.toString() }).toEqual({ revision: ack.revision, position: ack.position });
    }
    expect(findTimelineViolations(stream)).toEqual([]);
    return stream;
  };

  it('without If-Match: every post is acknowledged (a 409 is retried with the same eventId) and stored once', async () => {
    const offenderId = await register();
    const conflicts: number[] = [];
    const writer = async (w: number) => {
      const acks = [];
      for (let k = 0; k < EVENTS_PER_WRITER; k++) {
        const event = orderImposed(`W${w}-${k}`);
        for (;;) {
          const res = await http(w).post(`/offenders/${offenderId}/events`).send(event);
          if (res.status === 409 && res.body.error === 'concurrency-conflict') {
            conflicts.push(w);
            continue;
          }
          expect({ status: res.status, body: res.body }).toEqual({ status: 201, body: expect.objectContaining({ eventId: event.eventId }) });
          acks.push(res.body as { eventId: string; revision: number; position: string });
          break;
        }
      }
      return acks;
    };
    const acks = (await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))).flat();
    expect(acks).toHaveLength(WRITERS * EVENTS_PER_WRITER);
    const stream = await expectStream(offenderId, acks);
    expect(stream).toHaveLength(1 + WRITERS * EVENTS_PER_WRITER);
  }, 120_000);

  it('with If-Match: a stale revision answers 409 and appends nothing; writers re-read and retry until every event is stored once', async () => {
    const offenderId = await register();
    let conflicts = 0;
    const writer = async (w: number) => {
      const acks = [];
      for (let k = 0; k < EVENTS_PER_WRITER; k++) {
        const event = orderImposed(`M${w}-${k}`);
        for (;;) {
          const read = await http(w).get(`/offenders/${offenderId}`).query({ reason: REASON });
          expect(read.status).toBe(200);
          const res = await http(w).post(`/offenders/${offenderId}/events`).set('If-Match', String(read.body.revision)).send(event);
          if (res.status === 409) {
            expect(res.body.error).toBe('concurrency-conflict');
            conflicts++;
            continue;
          }
          expect({ status: res.status, body: res.body }).toEqual({ status: 201, body: expect.objectContaining({ eventId: event.eventId, revision: read.body.revision + 1 }) });
          acks.push(res.body as { eventId: string; revision: number; position: string });
          break;
        }
      }
      return acks;
    };
    const acks = (await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))).flat();
    const stream = await expectStream(offenderId, acks);
    expect(stream).toHaveLength(1 + WRITERS * EVENTS_PER_WRITER);
    // Eight writers reading the same revision: most of their first attempts must have lost the race.
    expect(conflicts).toBeGreaterThanOrEqual(WRITERS - 1);
  }, 120_000);

  it('a re-post of an acknowledged event answers the original receipt, whichever instance it reaches', async () => {
    const offenderId = await register();
    // Every instance has this offender's stream in its cache, then one of them moves it on.
    for (let w = 0; w < apps.length; w++)
      expect(
        (
          await http(w)
            .post(`/offenders/${offenderId}/events`)
            .send(orderImposed(`R${w}`))
        ).status,
      ).toBe(201);
    const event = orderImposed('R-again');
    const first = await http(0).post(`/offenders/${offenderId}/events`).send(event);
    expect(first.status).toBe(201);
    for (let w = 0; w < apps.length; w++) {
      const again = await http(w).post(`/offenders/${offenderId}/events`).send(event);
      expect({ status: again.status, replay: again.headers['idempotent-replay'], body: again.body }).toEqual({ status: 201, replay: 'true', body: first.body });
    }
    await expectStream(offenderId, [first.body]);
  }, 60_000);
});
