import { Writable } from 'node:stream';
import type { ProjectionRunner } from '../../projections/projection-runner';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import { createLogger } from '../../src/http/request-logging';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 11, item 5: what an operator sees. /health/live never asks the database; /health/ready
// says whether the store and read models answer, whether a rebuild runs, and how far behind the
// read models are (in events, not positions); /metrics times requests by route template and counts
// store errors; each request is one JSON log line with its id and the caller's subject, never a
// body, a token or a query string.

const GM = 'greater-manchester';
const registration = { type: 'OffenderRegistered', occurredOn: '2014-04-01', data: { area: GM, category: 2, level: 1, inCustody: false, underSupervision: true } };
/** Words that must never reach a log line: a payload field, a read's free-text reason. */
const SECRET_REASON = 'reason-text-that-must-not-be-logged';

describe('the operator view: health, metrics and logs', () => {
  let s: SecuredApp;
  const lines: string[] = [];
  let admin: string;
  let recorder: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    s = await startSecuredApp({ logger: createLogger({ level: 'info', format: 'json' }, sink) });
    admin = await s.token(principal({ sub: 'ops-admin', roles: ['admin'], agency: 'moj', areas: ['*'] }));
    recorder = await s.token(principal({ sub: 'officer-7', roles: ['recorder', 'analyst', 'auditor'], agency: 'moj', areas: ['*'] }));
  }, 60_000);
  afterAll(() => s?.close());

  const runner = () => s.app.get<ProjectionRunner>(PROJECTION_RUNNER);
  const metrics = async () => (await s.http().get('/metrics').set('Authorization', `Bearer ${admin}`).expect(200)).text;
  const metric = (text: string, name: string): number => {
    const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`${name} not in /metrics`);
    return Number(m[1]);
  };

  it('answers /health/live without a token, and /health/ready with the read models current', async () => {
    await s.http().post('/offenders/OPS-1/events').set('Authorization', `Bearer ${recorder}`).send(registration).expect(201);
    const head = await s.storage.store.lastPosition();
    await runner().waitFor(head!, 10_000);
    expect((await s.http().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await s.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ready',
      eventStore: 'embedded',
      lastPosition: head!.toString(),
      readModels: { position: head!.toString(), eventsBehind: 0, rebuilding: false, rebuild: null },
      reasons: [],
    });
  });

  it('says how many events the read models are behind, counted by the store, while staying ready', async () => {
    await runner().stop();
    try {
      for (const id of ['OPS-2', 'OPS-3', 'OPS-4']) await s.http().post(`/offenders/${id}/events`).set('Authorization', `Bearer ${recorder}`).send(registration).expect(201);
      const ready = await s.http().get('/health/ready').expect(200);
      expect(ready.body.readModels.eventsBehind).toBe(3);
      expect(metric(await metrics(), 'mappa_read_model_lag_events')).toBe(3);
    } finally {
      runner().start();
    }
    await runner().waitFor((await s.storage.store.lastPosition())!, 10_000);
    expect((await s.http().get('/health/ready').expect(200)).body.readModels.eventsBehind).toBe(0);
  });

  it('is not ready (503, Retry-After) while a rebuild runs, and live stays 200', async () => {
    // Another process's rebuild, as the checkpoint shows it.
    await s.storage.sql!.query("UPDATE rm_checkpoint SET rebuilding = true, updated_at = now() WHERE name = 'read-models'");
    try {
      const ready = await s.http().get('/health/ready').expect(503);
      expect(ready.headers['retry-after']).toBe('5');
      expect(ready.body).toMatchObject({ status: 'not-ready', readModels: { rebuilding: true } });
      expect(ready.body.reasons.join(' ')).toMatch(/being rebuilt/);
      expect(metric(await metrics(), 'mappa_rebuild_running')).toBe(1);
      await s.http().get('/health/live').expect(200);
    } finally {
      await s.storage.sql!.query("UPDATE rm_checkpoint SET rebuilding = false WHERE name = 'read-models'");
    }
    expect(metric(await metrics(), 'mappa_rebuild_running')).toBe(0);
  });

  it('times requests by route template, not by the raw URL', async () => {
    await s.http().get('/offenders/OPS-1').query({ reason: SECRET_REASON }).set('Authorization', `Bearer ${recorder}`).expect(200);
    await s.http().get('/offenders/OPS-2').query({ reason: SECRET_REASON }).set('Authorization', `Bearer ${recorder}`).expect(200);
    await s.http().get('/no/such/page').expect(404);
    const text = await metrics();
    expect(metric(text, 'mappa_http_request_duration_seconds_count{method="GET",route="/offenders/:offenderId",status="200"}')).toBe(2);
    // An address no route serves is counted under one label (Nest's catch-all, or "unmatched"), never its URL.
    expect(text).toMatch(/^mappa_http_request_duration_seconds_count\{method="GET",route="[^"]+",status="404"\} 1$/m);
    expect(text).not.toMatch(/OPS-1|OPS-2|no\/such/);
  });

  it('logs each request as one JSON line with its id and subject, never the body, the token or the query', async () => {
    const res = await s
      .http()
      .post('/offenders/OPS-5/events')
      .set('Authorization', `Bearer ${recorder}`)
      .set('X-Request-Id', 'proxy-id-42')
      .send({ ...registration, data: { ...registration.data, area: GM } })
      .expect(201);
    expect(res.headers['x-request-id']).toBe('proxy-id-42');
    const fresh = await s
      .http()
      .get('/offenders/OPS-5')
      .query({ reason: SECRET_REASON })
      .set('Authorization', `Bearer ${recorder}`)
      .set('X-Request-Id', 'not a plain id; $(reboot)')
      .expect(200);
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log lines of several shapes, read field by field
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, any>);
    const posted = parsed.find((l) => l.req?.id === 'proxy-id-42');
    expect(posted).toMatchObject({
      level: 30,
      subject: 'officer-7',
      req: { method: 'POST', path: '/offenders/OPS-5/events' },
      res: { statusCode: 201 },
      msg: 'POST /offenders/:offenderId/events 201',
    });
    expect(parsed.find((l) => l.req?.id === fresh.headers['x-request-id'])).toMatchObject({ subject: 'officer-7', req: { path: '/offenders/OPS-5' } });
    const all = lines.join('\n');
    expect(all).not.toContain(recorder.split('.')[2]);
    expect(all).not.toContain('Bearer');
    expect(all).not.toContain(SECRET_REASON);
    expect(all).not.toContain('underSupervision');
    // Probes are not logged: an orchestrator asks every few seconds.
    expect(parsed.filter((l) => /^\/health/.test(l.req?.path ?? ''))).toEqual([]);
  });

  it('counts requests answered 503 because the store failed', async () => {
    const before = metric(await metrics(), 'mappa_store_errors_total{source="request"}');
    await runner().stop();
    await s.storage.sql!.close(); // the database is gone
    const res = await s.http().post('/offenders/OPS-9/events').set('Authorization', `Bearer ${recorder}`).send(registration);
    expect(res.status).toBe(503);
    const text = await metrics();
    expect(metric(text, 'mappa_store_errors_total{source="request"}')).toBe(before + 1);
    await s.http().get('/health/live').expect(200);
    const ready = await s.http().get('/health/ready').expect(503);
    expect(ready.body.reasons.join(' ')).toMatch(/does not answer/);
  });
});
