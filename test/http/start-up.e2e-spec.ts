import { NestFactory } from '@nestjs/core';
import type { INestApplication, Provider } from '@nestjs/common';
import request from 'supertest';
import { ProjectionRunner } from '../../projections/projection-runner';
import { AppModule, STORAGE, type Storage } from '../../src/app.module';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import type { SqlClient } from '../../src/sql/sql-client';
import { bulkEvents } from '../support/bulk-ndjson';
import { countingReads } from '../support/counting-store';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { testMetadata } from '../support/offender-event-fixtures';
import { wholeStreamAppends } from '../support/whole-stream-appends';

// Issue 11, item 1: `mappa serve` on a large store with current read models. Start-up must read
// the store a handful of times, not once per event (the wake-up subscription used to start at
// position 0 with batches of one event: 200,000 reads here, and on the embedded store no request
// was answered until they were done). Counted, not timed: the times are in `npm run bench`.

const OFFENDERS = 4_000;
const EVENTS_PER_OFFENDER = 50; // 200,000 events
/** The service's own module, on a store opened here (so that its reads can be counted). */
async function serveOn(storage: Storage): Promise<INestApplication> {
  const module = AppModule.register({ config: { eventStore: 'embedded', dataDir: '/nonexistent', databaseUrl: undefined, port: 0, schema: undefined }, rateLimit: false });
  module.providers = (module.providers ?? []).map((p: Provider) =>
    typeof p === 'object' && 'provide' in p && p.provide === STORAGE ? { provide: STORAGE, useValue: storage } : p,
  );
  const app = await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

function describeStartUp(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`start-up on ${name} with 200,000 events and current read models`, () => {
    let sql: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;
    let head: bigint | null;

    beforeAll(async () => {
      ({ db: sql, cleanup } = await open());
      store = new PostgresEventStore(sql);
      await store.init();
      // The store's own bulk path: whole streams per item, many items per append (one COPY each).
      const events = bulkEvents({ offenders: OFFENDERS, eventsPerOffender: EVENTS_PER_OFFENDER, runId: 'startup' });
      const items = wholeStreamAppends(events);
      for (let i = 0; i < items.length; i += 200) {
        const results = await store.appendToStreams(items.slice(i, i + 200));
        expect(results.every((r) => r.status === 'appended')).toBe(true);
      }
      const runner = new ProjectionRunner(store, sql);
      await runner.init();
      head = await runner.rebuild(); // the read models are current before the service starts
    }, 900_000);

    afterAll(async () => {
      await cleanup?.(); // the service closed the client already; this drops a server's schema
    });

    it('answers /health and a report after a handful of store reads, then keeps following new events', async () => {
      expect(head).toBe(BigInt(OFFENDERS * EVENTS_PER_OFFENDER));
      const { store: counted, reads, total } = countingReads(store);
      const app = await serveOn({ store: counted, sql });
      try {
        const health = await request(app.getHttpServer()).get('/health').expect(200);
        expect(health.body.lastPosition).toBe(String(head));
        const report = await request(app.getHttpServer()).get('/reports/greater-manchester/2005-06').expect(200);
        expect(report.body.position).toBe(String(head));
        const runner = app.get<ProjectionRunner>(PROJECTION_RUNNER);
        await runner.catchUp();

        // Health, the report's position, the runner's catch-up and the wake-up's first look: a handful.
        console.log(`store reads during start-up: ${JSON.stringify(Object.fromEntries(reads))}`);
        expect(total()).toBeLessThanOrEqual(12);

        // Still following: an append after start-up reaches the read models through the wake-up.
        const [appended] = await counted.appendToStreams([
          {
            offenderId: 'K-startup-0',
            expectedRevision: EVENTS_PER_OFFENDER - 1,
            events: [bulkEvents({ offenders: 1, eventsPerOffender: 2, runId: 'late' })[1]].map((e) => ({ ...e, offenderId: 'K-startup-0' })),
            metadata: testMetadata(),
            recordedAt: new Date().toISOString(),
          },
        ]);
        expect(appended.status).toBe('appended');
        expect(await runner.waitFor((head as bigint) + 1n, 60_000)).toBe((head as bigint) + 1n);
      } finally {
        await app.close();
      }
    }, 900_000);
  });
}

describeOnEachDatabase('start-up on a large store', describeStartUp);
