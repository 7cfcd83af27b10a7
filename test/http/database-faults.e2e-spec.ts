import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { ProjectionRunner } from '../../projections/projection-runner';
import { STATEMENT_ANSWER_GRACE_MS, type DatabaseSettings } from '../../src/config/app-config';
import { STORAGE, type Storage } from '../../src/app.module';
import { ACCESS_AUDIT_APPEND_LOCK } from '../../src/audit/access-audit.schema';
import { createHttpApp } from '../../src/http/create-http-app';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import { describeWithOwnPostgres } from '../support/own-postgres';

// Issues 11.2, 11.3, 18.2, 18.3: the service on a PostgreSQL of its own, which the tests crash
// (kill -9), freeze (SIGSTOP) and starve (every pooled connection held). What must hold: the
// process lives; every request answers, 503 with Retry-After while the database cannot serve
// it, within the documented bound; /health says why; the service comes back by itself; every
// acknowledged post is in the store exactly once and the read models catch up.

const GM = 'greater-manchester';
const READ_REASON = { reason: 'database fault test' };
/** The documented bound (docs/operations.md, "Database faults") plus slack for a shared machine. */
const ANSWER_BOUND_MS = 5_000 + 2_000;

const registration = (eventId: string) => ({
  eventId,
  type: 'OffenderRegistered',
  occurredOn: '2014-04-01',
  data: { area: GM, category: 2, level: 1, inCustody: false, underSupervision: true },
});
/** The k-th change of a writer: a day after the one before (dates never wrap back), a level other than the last. */
const levelChange = (eventId: string, k: number) => ({
  eventId,
  type: 'LevelChanged',
  occurredOn: new Date(Date.UTC(2014, 4, 1) + k * 86_400_000).toISOString().slice(0, 10),
  data: { level: (k % 3) + 1 },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  retryAfter?: string;
  replay: boolean;
  ms: number;
  /** When the request was sent (Date.now()). */
  sentAt: number;
  body: { error?: string; message?: string; details?: Array<{ rule?: string }> };
}

describeWithOwnPostgres('database faults (a PostgreSQL of its own)', (pg) => {
  let schemaCount = 0;
  const opened: NestExpressApplication[] = [];

  async function startService(database: Partial<DatabaseSettings> = {}): Promise<{ app: NestExpressApplication; schema: string }> {
    const schema = `faults_${++schemaCount}`;
    const app = await createHttpApp({
      config: { eventStore: 'postgres', databaseUrl: pg().url, dataDir: '/nonexistent', port: 0, schema, database: { ...SETTINGS, ...database } },
      rateLimit: false,
      reportReads: false,
    });
    app.useLogger(false);
    await app.listen(0, '127.0.0.1');
    opened.push(app);
    return { app, schema };
  }

  afterAll(async () => {
    for (const app of opened) await app.close().catch(() => undefined);
  });

  async function send(app: NestExpressApplication, build: (http: ReturnType<typeof request>) => request.Test): Promise<Answer> {
    const started = Date.now();
    // A client that gives up after 30 s, as the integrator in issue 18 did: a hang shows as status 0.
    const res = await build(request(app.getHttpServer()))
      .timeout(30_000)
      .catch((error: { response?: request.Response }) => error.response ?? null);
    return {
      status: res?.status ?? 0,
      retryAfter: res?.headers['retry-after'],
      replay: res?.headers['idempotent-replay'] === 'true',
      ms: Date.now() - started,
      sentAt: started,
      body: res?.body ?? {},
    };
  }
  const post = (app: NestExpressApplication, offenderId: string, body: object) => send(app, (http) => http.post(`/offenders/${offenderId}/events`).send(body));
  const readEvents = (app: NestExpressApplication, offenderId: string) => send(app, (http) => http.get(`/offenders/${offenderId}/events`).query(READ_REASON));
  const health = (app: NestExpressApplication) => send(app, (http) => http.get('/health'));

  /** Every event id in the store, with how many times it is there. */
  async function storedEventIds(schema: string): Promise<Map<string, number>> {
    const client = new Client({ connectionString: pg().url });
    await client.connect();
    try {
      const { rows } = await client.query<{ event_id: string; n: number }>(`SELECT event_id::text, count(*)::int AS n FROM "${schema}".events GROUP BY event_id`);
      return new Map(rows.map((r) => [r.event_id, r.n]));
    } finally {
      await client.end();
    }
  }

  /**
   * Writers, each posting one offender's events in order and retrying a post that got 503 with the
   * same eventId until it is acknowledged (201, or 200 replay); readers reading streams meanwhile.
   */
  function load(app: NestExpressApplication, writers: number) {
    const acknowledged = new Set<string>();
    const answers: Array<Answer & { at: number; what: 'post' | 'read' }> = [];
    let running = true;
    const writer = async (w: number) => {
      const offenderId = `FAULT-${randomUUID().slice(0, 8)}-${w}`;
      for (let k = 0; running || k === 0; k++) {
        const eventId = randomUUID();
        const body = k === 0 ? registration(eventId) : levelChange(eventId, k);
        for (;;) {
          const answer = await post(app, offenderId, body);
          answers.push({ ...answer, at: Date.now(), what: 'post' });
          if (answer.status === 201) {
            acknowledged.add(eventId);
            break;
          }
          if (answer.status !== 503) throw new Error(`post answered ${answer.status}: ${JSON.stringify(answer.body)}`);
          await sleep(200);
        }
        const read = await readEvents(app, offenderId);
        answers.push({ ...read, at: Date.now(), what: 'read' });
      }
    };
    const done = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    return {
      acknowledged,
      answers,
      async stop() {
        running = false;
        await done;
      },
    };
  }

  /** Every acknowledged event stored exactly once, nothing stored twice, and the read models at the store's head. */
  async function expectNothingLostOrDoubled(app: NestExpressApplication, schema: string, acknowledged: ReadonlySet<string>): Promise<void> {
    const stored = await storedEventIds(schema);
    expect([...acknowledged].filter((id) => stored.get(id) !== 1)).toEqual([]);
    expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
    const { projected, last } = await readModelsCatchUp(app, 30_000);
    expect(projected).toBe(last);
    expect(Number(last)).toBe(stored.size);
  }

  async function waitUntilHealthy(app: NestExpressApplication, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if ((await health(app)).status === 200) return Date.now() - started;
      await sleep(250);
    }
    return -1;
  }

  async function adminClient(): Promise<Client> {
    const admin = new Client({ connectionString: pg().url });
    admin.on('error', () => undefined); // it lives through the faults the tests make
    await admin.connect();
    return admin;
  }

  /** Waits until the read models reflect everything the store holds. */
  async function readModelsCatchUp(app: NestExpressApplication, timeoutMs: number): Promise<{ projected: bigint | null; last: bigint | null }> {
    const runner = app.get<ProjectionRunner>(PROJECTION_RUNNER);
    const storage = app.get<Storage>(STORAGE);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = await storage.store.lastPosition().catch(() => undefined);
      const projected = await runner.position().catch(() => undefined);
      if ((last !== undefined && projected !== undefined && last === projected) || Date.now() > deadline) return { projected: projected ?? null, last: last ?? null };
      await sleep(200);
    }
  }

  it('a kill -9 of the database under load: the process lives, answers 503 with Retry-After, recovers by itself, loses nothing and stores nothing twice', async () => {
    const { app, schema } = await startService();
    const traffic = load(app, 6);
    await sleep(1500);
    expect(traffic.acknowledged.size).toBeGreaterThan(0);

    await pg().kill();
    const killedAt = Date.now();
    await sleep(3000);
    const during = await health(app);
    const postDuring = await post(app, `FAULT-${randomUUID().slice(0, 8)}-probe`, registration(randomUUID()));
    const readDuring = await readEvents(app, 'FAULT-nobody');

    const restartBeganAt = Date.now();
    await pg().restart();
    const restartedAt = Date.now();
    let recoveredAfterMs = -1;
    while (Date.now() - restartedAt < 30_000) {
      const probe = await health(app);
      if (probe.status === 200) {
        recoveredAfterMs = Date.now() - restartedAt;
        break;
      }
      await sleep(250);
    }
    await sleep(1000); // a little load after recovery
    await traffic.stop();

    // The process lived: it still answers, and answered during the outage.
    expect(recoveredAfterMs).toBeGreaterThanOrEqual(0);
    expect({ status: postDuring.status, retryAfter: postDuring.retryAfter, error: postDuring.body.error }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^\d+$/),
      error: 'store-unavailable',
    });
    expect({ status: readDuring.status, retryAfter: readDuring.retryAfter }).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ status: 'unavailable', database: { state: 'unreachable', message: expect.stringMatching(/cannot be reached/) } });
    // Every request sent during the outage answered 503 with Retry-After, none a 500 or a hang.
    // Sent after every server process was gone (not at - ms: a busy event loop delays `at`), and answered
    // before the restart began: the new server accepts connections before restart() returns.
    const outage = traffic.answers.filter((a) => a.sentAt > killedAt && a.at < restartBeganAt);
    expect(outage.filter((a) => a.status !== 503 || !a.retryAfter).map((a) => `${a.what} ${a.status}`)).toEqual([]);
    expect(outage.length).toBeGreaterThan(0);
    expect(traffic.answers.filter((a) => a.status !== 201 && a.status !== 200 && a.status !== 503).map((a) => `${a.what} ${a.status}`)).toEqual([]);

    // Nothing acknowledged lost, nothing appended twice; the read models caught up from their checkpoint.
    await expectNothingLostOrDoubled(app, schema, traffic.acknowledged);
  }, 120_000);

  it('a frozen database (SIGSTOP) under load: requests in flight answer 503 with Retry-After within the bound, not when the database wakes', async () => {
    const { app, schema } = await startService();
    const traffic = load(app, 6);
    await sleep(1500);
    const before = traffic.answers.length;

    pg().freeze();
    const frozenAt = Date.now();
    let during: Answer;
    try {
      // Longer than the bound: a request waiting on the frozen database would show as one slower than it.
      await sleep(ANSWER_BOUND_MS + 1000);
      during = await health(app);
    } finally {
      pg().thaw();
    }
    const thawedAt = Date.now();
    const recoveredAfterMs = await waitUntilHealthy(app, 30_000);
    await sleep(1000);
    await traffic.stop();

    expect(recoveredAfterMs).toBeGreaterThanOrEqual(0);
    expect(traffic.answers.length).toBeGreaterThan(before);
    // In flight at the freeze, or sent during it: each answered within the bound, 503 with Retry-After unless it completed before.
    const affected = traffic.answers.filter((a) => a.at > frozenAt && a.at - a.ms < thawedAt);
    expect(affected.filter((a) => a.ms > ANSWER_BOUND_MS).map((a) => `${a.what} ${a.status} after ${a.ms} ms`)).toEqual([]);
    expect(affected.filter((a) => a.status === 503 && a.retryAfter).length).toBeGreaterThan(0);
    expect(affected.filter((a) => !(a.status === 503 && a.retryAfter) && a.status !== 201 && a.status !== 200).map((a) => `${a.what} ${a.status}`)).toEqual([]);
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ status: 'unavailable', database: { state: expect.stringMatching(/^(not-answering|unreachable)$/) } });
    await expectNothingLostOrDoubled(app, schema, traffic.acknowledged);
  }, 120_000);

  it('a post whose answer never came (the database froze while it committed) is safe to send again with the same eventId: replayed, stored once', async () => {
    // A statement timeout longer than the 3 s elsewhere: it also ends the wait for the standby (the commit
    // then stands and the post answers 201), so the freeze below must come first even on a loaded machine.
    // One pooled connection, so the report read below makes it take up the new setting before the post.
    const statementTimeoutMs = 10_000;
    const { app, schema } = await startService({ statementTimeoutMs, poolSize: 1 });
    const admin = await adminClient();
    const offenderId = `FAULT-${randomUUID().slice(0, 8)}-unknown`;
    expect((await post(app, offenderId, registration(randomUUID()))).status).toBe(201);
    await readModelsCatchUp(app, 10_000); // so no projection batch is committing below
    // Every COMMIT now waits for a standby that does not exist: the append is committed on the
    // server but not yet answered, the very moment a frozen database leaves a caller not knowing.
    await admin.query(`ALTER SYSTEM SET synchronous_standby_names = 'no_such_standby'`);
    await admin.query('SELECT pg_reload_conf()');
    // A backend takes up a reloaded setting between two statements: the one running first after the
    // reload still commits without the standby (the post's append is a single statement).
    expect((await send(app, (http) => http.get(`/reports/${GM}/2014-15`))).status).toBe(200);
    const eventId = randomUUID();
    let first: Answer;
    try {
      const pending = post(app, offenderId, levelChange(eventId, 1));
      const deadline = Date.now() + 5000;
      // The one-statement append waits for the standby as its own transaction commits; the judged one at its COMMIT.
      const atCommit = `SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND (query = 'COMMIT' OR query LIKE '%INSERT INTO events%')`;
      while ((await admin.query(atCommit)).rows.length === 0) {
        if (Date.now() > deadline) throw new Error('The post never reached its COMMIT.');
        await sleep(20);
      }
      pg().freeze();
      try {
        first = await pending;
      } finally {
        pg().thaw();
      }
    } finally {
      // On waking, the server's statement timeout ends the wait for the standby; the commit stands ("already committed locally").
      await admin.query('ALTER SYSTEM RESET synchronous_standby_names');
      await admin.query('SELECT pg_reload_conf()');
    }
    expect({ status: first.status, retryAfter: first.retryAfter, rule: first.body.details?.[0]?.rule }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^\d+$/),
      rule: 'database-not-answering',
    });
    expect(first.body.message).toMatch(/same eventId/);
    expect(first.ms).toBeLessThanOrEqual(statementTimeoutMs + STATEMENT_ANSWER_GRACE_MS + 2_000);

    expect(await waitUntilHealthy(app, 30_000)).toBeGreaterThanOrEqual(0);
    const again = await post(app, offenderId, levelChange(eventId, 1));
    expect({ status: again.status, replay: again.replay, body: again.body }).toEqual({ status: 201, replay: true, body: expect.objectContaining({ eventId }) });
    expect((await storedEventIds(schema)).get(eventId)).toBe(1);
    await admin.end();
    await expectNothingLostOrDoubled(app, schema, new Set([eventId]));
  }, 120_000);

  it('every pooled connection in use on a healthy database: "busy", not "unavailable"; at once past the queue bound; /health says so', async () => {
    const { app, schema } = await startService({ poolSize: 2, poolQueue: 1, acquireTimeoutMs: 1000, statementTimeoutMs: 15_000 });
    const admin = await adminClient();
    const offenders = [0, 1].map((k) => `FAULT-${randomUUID().slice(0, 8)}-busy-${k}`);
    expect((await post(app, offenders[1], registration(randomUUID()))).status).toBe(201);
    await readModelsCatchUp(app, 10_000);
    // A post and a read take both connections and wait there, for the event store's head row and the
    // access audit's append lock, both held here (posts arriving meanwhile would wait for that post's
    // append, to go with it in the next: they take no connection of their own).
    await admin.query(`BEGIN; SELECT * FROM "${schema}".event_store_head FOR UPDATE; SELECT pg_advisory_xact_lock(${ACCESS_AUDIT_APPEND_LOCK})`);
    let holders: Array<Promise<Answer>>;
    let queued: Answer;
    let refusedAtOnce: Answer;
    let during: Answer;
    try {
      holders = [post(app, offenders[0], registration(randomUUID())), readEvents(app, offenders[1])];
      const deadline = Date.now() + 5000;
      // Inside the lock's transaction pg_stat_activity is a snapshot from its first read: cleared each
      // time, or a post on a connection the pool opened after that read is never seen waiting.
      const waitingForLock = async () => {
        await admin.query('SELECT pg_stat_clear_snapshot()');
        return (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'postgres'`)).rows.length;
      };
      while ((await waitingForLock()) < 2) {
        if (Date.now() > deadline) throw new Error('The post and the read never waited for the locks.');
        await sleep(20);
      }
      // A third waits for a connection (the queue holds one) until the acquisition timeout...
      const waiting = readEvents(app, offenders[0]);
      await sleep(200);
      // ...and with the queue full, a fourth, and /health, are told at once.
      [refusedAtOnce, during] = await Promise.all([readEvents(app, offenders[1]), health(app)]);
      queued = await waiting;
    } finally {
      await admin.query('COMMIT');
    }
    expect((await Promise.all(holders)).map((a) => a.status)).toEqual([201, 200]);
    for (const answer of [queued, refusedAtOnce]) {
      expect({ status: answer.status, retryAfter: answer.retryAfter, error: answer.body.error, rule: answer.body.details?.[0]?.rule }).toEqual({
        status: 503,
        retryAfter: '1',
        error: 'store-unavailable',
        rule: 'pool-exhausted',
      });
      expect(answer.body.message).toMatch(/busy: all 2 database connections are in use/i);
      expect(answer.body.message).not.toMatch(/not available/);
    }
    // The queued read waited at most the acquisition timeout (at once if the projections' polls had
    // filled the queue first); the waits past the bound are pg-sql-client.int-spec's to time.
    expect(queued.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(refusedAtOnce.ms).toBeLessThan(500);
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({
      status: 'unavailable',
      database: { state: 'busy', message: expect.stringMatching(/^busy: all 2 connections in use, [1-9]\d* waiting; the database itself answers\.$/), pool: { size: 2, inUse: 2 } },
    });
    // The database was fine all along: the held posts complete, and the service answers at once.
    expect((await health(app)).status).toBe(200);
    await admin.end();
    await expectNothingLostOrDoubled(app, schema, new Set());
  }, 120_000);
});

/** Short bounds so a test sees them pass quickly; the defaults are in DEFAULT_DATABASE_SETTINGS. */
const SETTINGS: DatabaseSettings = { poolSize: 10, poolQueue: 100, acquireTimeoutMs: 1000, statementTimeoutMs: 3000 };
