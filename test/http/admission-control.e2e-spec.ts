import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Authenticator } from '../../src/auth/authenticator';
import { RecordOffenderEventsHandler } from '../../src/commands/record-events/record-offender-events.handler';
import { ADMISSION_CONTROL, type AdmissionControl } from '../../src/http/admission-control';
import { AdmissionLeaseInterceptor } from '../../src/http/admission.middleware';
import { ReportService } from '../../src/reports/report.service';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 17, item 1: past the bound of work in flight, a request is answered 503 with Retry-After
// at once (never queued until its caller gives up), before its body is read; reads and writes
// have budgets of their own; a refused post is safe to send again with its eventId.
// "In flight" is a fact of each test, not a timing: the admitted requests are held open by a gate
// in the handler, and every refusal is checked to arrive while they are still held.

const GM = 'greater-manchester';
const EW = '/reports/england-and-wales/2014-15';
const registration = (eventId: string) => ({
  eventId,
  type: 'OffenderRegistered',
  occurredOn: '2014-04-01',
  data: { area: GM, category: 2, level: 1, inCustody: false, underSupervision: true },
});

describe('admission control', () => {
  let s: SecuredApp;
  let admission: AdmissionControl;
  let recorder: string;
  let analyst: string;
  let admin: string;
  let offenders = 0;
  const nextOffender = () => `ADM-${++offenders}`;

  beforeAll(async () => {
    // Two writes and a read weight of four in flight; an expensive read (or a large batch) weighs four, capped at its budget.
    s = await startSecuredApp({ admission: { writes: 2, reads: 4, expensiveWeight: 4 }, reportReads: false });
    admission = s.app.get(ADMISSION_CONTROL);
    recorder = `Bearer ${await s.token(principal({ roles: ['recorder'] }))}`;
    analyst = `Bearer ${await s.token(principal({ sub: 'national-analyst', roles: ['analyst'], agency: 'moj', areas: ['*'] }))}`;
    admin = `Bearer ${await s.token(principal({ roles: ['admin'], agency: 'moj', areas: ['*'] }))}`;
  }, 180_000);
  afterAll(() => s?.close());
  afterEach(() => {
    openEveryGate();
    jest.restoreAllMocks();
  });

  const post = (offenderId: string, eventId = randomUUID()) => s.http().post(`/offenders/${offenderId}/events`).set('Authorization', recorder).send(registration(eventId));
  const get = (url: string) => s.http().get(url).set('Authorization', analyst);
  const eventsWithId = async (eventId: string) =>
    Number((await s.storage.sql!.query<{ n: string }>('SELECT count(*)::text AS n FROM events WHERE event_id = $1', [eventId])).rows[0].n);

  it('answers 503 with Retry-After at once past the write bound, and the refused post sent again with its eventId is recorded exactly once', async () => {
    const writes = gateWrites(s.app.get(RecordOffenderEventsHandler));
    const held = [post(nextOffender()), post(nextOffender())].map(track);
    await writes.enteredTimes(2);
    const before = await s.storeFingerprint();

    const refusedOffender = nextOffender();
    const eventId = randomUUID();
    const started = performance.now();
    const refused = await post(refusedOffender, eventId);
    const elapsedMs = performance.now() - started;

    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({ error: 'store-unavailable', message: expect.stringContaining('busy'), details: [expect.objectContaining({ rule: 'admission-control' })] });
    // Answered while both admitted posts are still held: it did not wait for room (loose bound, for the record).
    expect(held.every((h) => !h.settled)).toBe(true);
    expect(elapsedMs).toBeLessThan(2000);
    expect(await s.storeFingerprint()).toEqual(before);
    expect(await eventsWithId(eventId)).toBe(0);

    writes.open();
    expect((await Promise.all(held.map((h) => h.answer))).map((r) => r.status)).toEqual([201, 201]);
    const retried = await post(refusedOffender, eventId);
    expect(retried.status).toBe(201);
    const again = await post(refusedOffender, eventId);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(await eventsWithId(eventId)).toBe(1);
    expect(admission.inFlightOf('writes')).toBe(0);
  });

  it('refuses a large batch without reading its body: the 503 arrives while most of the body is still unsent', async () => {
    const writes = gateWrites(s.app.get(RecordOffenderEventsHandler));
    const held = [post(nextOffender()), post(nextOffender())].map(track);
    await writes.enteredTimes(2);
    try {
      const answer = await partialUpload(s, '/events', recorder, 8 * 1024 * 1024, 64 * 1024);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ error: 'store-unavailable' }));
      expect(held.every((h) => !h.settled)).toBe(true);
    } finally {
      writes.open();
      await Promise.all(held.map((h) => h.answer));
    }
  });

  it("a batch over one event's size weighs a whole write budget; a small one weighs one post", async () => {
    expect(admission.weightOf({ budget: 'writes', expensive: true })).toBe(2);
    const writes = gateWrites(s.app.get(RecordOffenderEventsHandler));
    const held = track(post(nextOffender()));
    await writes.enteredTimes(1);
    // One post of two in flight: a large batch does not fit, a small one does.
    expect((await partialUpload(s, '/events', recorder, 1024 * 1024, 1024)).status).toBe(503);
    const smallBatch = track(
      s
        .http()
        .post('/events')
        .set('Authorization', recorder)
        .set('Content-Type', 'application/x-ndjson')
        .send(`${JSON.stringify({ ...registration(randomUUID()), offenderId: nextOffender() })}\n`),
    );
    await writes.enteredTimes(2);
    expect((await post(nextOffender())).status).toBe(503);
    writes.open();
    expect((await held.answer).status).toBe(201);
    expect((await smallBatch.answer).body).toEqual(expect.objectContaining({ appended: 1 }));
  });

  it('a flood of reads does not refuse writes, and a flood of writes does not refuse reads', async () => {
    // Reads full: one england-and-wales report held (weight 4 of 4).
    const national = gateNationalReports(s.app.get(ReportService));
    const report = track(get(EW));
    await national.entered;
    expect((await get('/reports/kent/2014-15')).status).toBe(503);
    expect((await get('/snapshots/kent?date=2015-03-31')).status).toBe(503);
    expect((await post(nextOffender())).status).toBe(201);
    expect(report.settled).toBe(false);
    national.open();
    expect((await report.answer).status).toBe(200);

    // Writes full: two posts held.
    const writes = gateWrites(s.app.get(RecordOffenderEventsHandler));
    const held = [post(nextOffender()), post(nextOffender())].map(track);
    await writes.enteredTimes(2);
    expect((await post(nextOffender())).status).toBe(503);
    expect((await get('/reports/kent/2014-15')).status).toBe(200);
    expect((await get(EW)).status).toBe(200);
    expect(held.every((h) => !h.settled)).toBe(true);
    writes.open();
    expect((await Promise.all(held.map((h) => h.answer))).map((r) => r.status)).toEqual([201, 201]);
  });

  it('never refuses health, metrics or the API documentation, and counts each refusal in the metrics', async () => {
    const refusedBefore = await refusedMetric();
    const national = gateNationalReports(s.app.get(ReportService));
    const writes = gateWrites(s.app.get(RecordOffenderEventsHandler));
    const held = [track(get(EW)), track(post(nextOffender())), track(post(nextOffender()))];
    await national.entered;
    await writes.enteredTimes(2);
    expect((await post(nextOffender())).status).toBe(503);
    expect((await get('/reports/kent/2014-15')).status).toBe(503);
    expect((await get('/reports/kent/2014-15')).status).toBe(503);

    expect((await s.http().get('/health')).status).toBe(200);
    expect((await s.http().get('/docs-json')).status).toBe(200);
    const refusedAfter = await refusedMetric();
    expect(refusedAfter.writes - refusedBefore.writes).toBe(1);
    expect(refusedAfter.reads - refusedBefore.reads).toBe(2);
    expect(held.every((h) => !h.settled)).toBe(true);
    national.open();
    writes.open();
    await Promise.all(held.map((h) => h.answer));
  });

  it('gives the weight back when a request is refused before its handler (401) or its handler fails', async () => {
    for (let i = 0; i < 5; i++) expect((await s.http().get('/reports/kent/2014-15')).status).toBe(401);
    jest.spyOn(s.app.get(ReportService), 'report').mockRejectedValueOnce(new Error('the database went away'));
    expect((await get(EW)).status).toBe(500);
    expect(admission.inFlightOf('reads')).toBe(0);
    expect((await get(EW)).status).toBe(200);
  });

  it('does no work for a client that left before its handler started, and gives its weight back', async () => {
    const authenticator = s.app.get(Authenticator);
    const realAuthenticate = authenticator.authenticate.bind(authenticator);
    const guard = gate((hold) => jest.spyOn(authenticator, 'authenticate').mockImplementation((request) => hold(() => realAuthenticate(request))));
    const execute = jest.spyOn(s.app.get(RecordOffenderEventsHandler), 'execute');
    const intercepted = jest.spyOn(AdmissionLeaseInterceptor.prototype, 'intercept');
    const eventId = randomUUID();
    const { port } = s.app.getHttpServer().address() as AddressInfo;
    const body = JSON.stringify(registration(eventId));
    const request = http.request({
      host: '127.0.0.1',
      port,
      path: `/offenders/${nextOffender()}/events`,
      method: 'POST',
      headers: { Authorization: recorder, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    request.on('error', () => undefined);
    request.end(body);
    await guard.entered;
    expect(admission.inFlightOf('writes')).toBe(1);
    request.destroy();
    while (admission.inFlightOf('writes') > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    guard.open();
    // The guard lets it through now; the interceptor finds its client gone and its weight given back.
    while (intercepted.mock.results.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(intercepted.mock.results[0].type).toBe('throw');
    expect(execute).not.toHaveBeenCalled();
    expect(await eventsWithId(eventId)).toBe(0);
    expect(admission.inFlightOf('writes')).toBe(0);
  });

  async function refusedMetric(): Promise<{ writes: number; reads: number }> {
    const text = (await s.http().get('/metrics').set('Authorization', admin).expect(200)).text;
    const value = (budget: string) => Number(new RegExp(`^mappa_admission_refused_total\\{budget="${budget}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { writes: value('writes'), reads: value('reads') };
  }
});

describe('admission control beside the per-caller report read limit', () => {
  let s: SecuredApp;
  let admission: AdmissionControl;

  beforeAll(async () => {
    s = await startSecuredApp({ admission: { writes: 8, reads: 8, expensiveWeight: 4 }, reportReads: { budgetPerCaller: 4, expensiveWeight: 4 } });
    admission = s.app.get(ADMISSION_CONTROL);
  }, 180_000);
  afterAll(() => s?.close());
  afterEach(() => {
    openEveryGate();
    jest.restoreAllMocks();
  });

  it("a caller past its own budget gets 429 and gives the service's read weight straight back; past the service's bound everyone gets 503", async () => {
    const bearer = async (sub: string) => `Bearer ${await s.token(principal({ sub, roles: ['analyst'], agency: 'moj', areas: ['*'] }))}`;
    const [a, b, c] = await Promise.all([bearer('analyst-a'), bearer('analyst-b'), bearer('analyst-c')]);
    const get = (url: string, who: string) => s.http().get(url).set('Authorization', who);
    const national = gateNationalReports(s.app.get(ReportService));
    const first = track(get(EW, a));
    await national.entered;
    // A's own budget is spent: the per-caller limit answers 429, and A's refused read holds nothing.
    expect((await get(EW, a)).status).toBe(429);
    expect(admission.inFlightOf('reads')).toBe(4);
    // B's national report fills the service's read budget (4 + 4 of 8): C, within its own budget, gets 503.
    const second = track(get(EW, b));
    await national.enteredTimes(2);
    const refused = await get('/reports/kent/2014-15', c);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(first.settled || second.settled).toBe(false);
    national.open();
    expect((await first.answer).status).toBe(200);
    expect((await second.answer).status).toBe(200);
    expect((await get('/reports/kent/2014-15', c)).status).toBe(200);
  });
});

/** A pending request whose settling can be looked at without awaiting it. */
function track<T>(request: PromiseLike<T>): { answer: Promise<T>; settled: boolean } {
  const tracked = { answer: Promise.resolve(request), settled: false };
  tracked.answer.then(
    () => (tracked.settled = true),
    () => (tracked.settled = true),
  );
  return tracked;
}

/** Holds every recorded command until open(), counting how many arrived. */
function gateWrites(handler: RecordOffenderEventsHandler) {
  const real = handler.execute.bind(handler);
  return gate((spy) => jest.spyOn(handler, 'execute').mockImplementation(async (command) => spy(() => real(command))));
}

/** Holds england-and-wales reports until open(); other reports run as usual. */
function gateNationalReports(service: ReportService) {
  const real = ReportService.prototype.report.bind(service);
  return gate((spy) =>
    jest
      .spyOn(service, 'report')
      .mockImplementation(async (area, year, options) => (area === 'england-and-wales' ? spy(() => real(area, year, options)) : real(area, year, options))),
  );
}

/** Every gate of the test, opened after it whatever happened: a failed check must not leave requests hanging. */
const gates: Array<() => void> = [];
const openEveryGate = () => gates.splice(0).forEach((open) => open());

function gate(install: (hold: <T>(run: () => Promise<T>) => Promise<T>) => unknown) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  let arrived = 0;
  const waiters: Array<() => void> = [];
  install(async (run) => {
    arrived++;
    waiters.splice(0).forEach((w) => w());
    await opened;
    return run();
  });
  const enteredTimes = async (n: number) => {
    while (arrived < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    open,
    enteredTimes,
    get entered() {
      return enteredTimes(1);
    },
  };
}

/** Sends the headers of a `declaredBytes` NDJSON body and only its first `sentBytes`, then waits for an answer. */
function partialUpload(s: SecuredApp, path: string, bearer: string, declaredBytes: number, sentBytes: number) {
  const { port } = s.app.getHttpServer().address() as AddressInfo;
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer within 10 s: the service is waiting for the rest of the body')), 10_000);
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: { Authorization: bearer, 'Content-Type': 'application/x-ndjson', 'Content-Length': declaredBytes },
    });
    request.on('response', (response) => {
      let body = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => {
          clearTimeout(timer);
          request.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      // The service closes the connection after its answer; writing the rest may then fail.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    request.write(Buffer.alloc(sentBytes, 0x20));
  });
}
