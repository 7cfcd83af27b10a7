import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StoreUnavailableError } from '../../src/errors';
import { ReportService } from '../../src/reports/report.service';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// The attack: one caller fires england-and-wales reports in parallel, as many as it likes, to
// crowd out every other caller's reports. Each caller may have one expensive read in flight (or
// four cheap ones); past that it is answered 429 with Retry-After at once, others still served.
// The national report is held open by a gate, so "in flight" is a fact of the test, not a timing.

describe('per-caller limit on report reads', () => {
  let s: SecuredApp;
  let service: ReportService;
  let national: Gate;
  let bearerA: string;
  let bearerB: string;
  const EW = '/reports/england-and-wales/2014-15';

  beforeAll(async () => {
    s = await startSecuredApp({ reportReads: { budgetPerCaller: 4, expensiveWeight: 4 } });
    service = s.app.get(ReportService);
    bearerA = `Bearer ${await s.token(principal({ sub: 'national-analyst', roles: ['analyst', 'auditor'], areas: ['*'] }))}`;
    bearerB = `Bearer ${await s.token(principal({ sub: 'kent-analyst', roles: ['analyst'], areas: ['kent'] }))}`;
  });
  afterAll(() => s?.close());

  beforeEach(() => {
    national = gateNationalReports(service);
  });
  afterEach(() => {
    national.open();
    jest.restoreAllMocks();
  });

  const get = (url: string, bearer: string) => s.http().get(url).set('Authorization', bearer);

  it("refuses a caller's second concurrent england-and-wales report with 429 and Retry-After, while another caller is served", async () => {
    const first = get(EW, bearerA).then((r) => r);
    await national.entered;
    const second = await get(EW, bearerA);
    expect(second.status).toBe(429);
    expect(second.body).toEqual({ error: 'too-many-requests', message: expect.any(String), details: [expect.objectContaining({ rule: 'report-read-limit' })] });
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    // The same caller's cheap reads, a trace and a long period are refused too: its budget is spent.
    expect((await get('/reports/kent/2014-15', bearerA)).status).toBe(429);
    expect((await get('/periods/kent?from=2005-04-01&to=2025-03-31', bearerA)).status).toBe(429);
    expect((await get('/reports/kent/2014-15/cells/level23InYear.total.total/trace?reason=audit', bearerA)).status).toBe(429);

    // Another caller is not held up by the first one's budget.
    expect((await get('/reports/kent/2014-15', bearerB)).status).toBe(200);
    expect((await get('/snapshots/kent?date=2015-03-31', bearerB)).status).toBe(200);

    national.open();
    expect((await first).status).toBe(200);
    // Released after completion: the next national report is served.
    expect((await get(EW, bearerA)).status).toBe(200);
  });

  it('lets a caller have four cheap reads in flight, not five', async () => {
    const area = gateAreaReports(service);
    const pending = [0, 1, 2, 3].map(() => get('/reports/kent/2014-15', bearerA).then((r) => r));
    await area.enteredTimes(4);
    expect((await get('/snapshots/kent?date=2015-03-31', bearerA)).status).toBe(429);
    area.open();
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await get('/snapshots/kent?date=2015-03-31', bearerA)).status).toBe(200);
  });

  it('releases the budget when the read fails', async () => {
    jest.spyOn(service, 'report').mockRejectedValueOnce(new StoreUnavailableError('The database is not available at the moment.'));
    expect((await get(EW, bearerA)).status).toBe(503);
    national.open();
    expect((await get(EW, bearerA)).status).toBe(200);
  });

  it('releases the budget when the client goes away, once the abandoned read has ended', async () => {
    const aborted = abandonedRequest(s, EW, bearerA);
    await national.entered;
    aborted.destroy();
    await aborted.closed;
    // The database is still working for the abandoned read: a disconnect is no way round the limit.
    expect((await get(EW, bearerA)).status).toBe(429);
    national.open();
    await national.finished;
    await new Promise((resolve) => setImmediate(resolve));
    expect((await get(EW, bearerA)).status).toBe(200);
  });
});

interface Gate {
  entered: Promise<void>;
  finished: Promise<void>;
  open(): void;
}

/** Holds england-and-wales reports until open(); other reports run as usual. */
function gateNationalReports(service: ReportService): Gate {
  const real = ReportService.prototype.report.bind(service);
  let open!: () => void;
  let entered!: () => void;
  let finished!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const gate: Gate = { entered: new Promise((r) => (entered = r)), finished: new Promise((r) => (finished = r)), open };
  jest.spyOn(service, 'report').mockImplementation(async (area, year, options) => {
    if (area !== 'england-and-wales') return real(area, year, options);
    entered();
    await opened;
    try {
      return await real(area, year, options);
    } finally {
      finished();
    }
  });
  return gate;
}

/** Holds every area report until open(), counting how many are waiting. */
function gateAreaReports(service: ReportService) {
  const real = ReportService.prototype.report.bind(service);
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  const waiters: Array<() => void> = [];
  jest.spyOn(service, 'report').mockImplementation(async (area, year, options) => {
    waiting++;
    waiters.splice(0).forEach((w) => w());
    await opened;
    return real(area, year, options);
  });
  return {
    open,
    async enteredTimes(n: number) {
      while (waiting < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/** A GET whose client can hang up before the answer comes. */
function abandonedRequest(s: SecuredApp, url: string, bearer: string) {
  const { port } = s.app.getHttpServer().address() as AddressInfo;
  const request = http.get({ host: '127.0.0.1', port, path: url, headers: { Authorization: bearer } });
  request.on('error', () => undefined);
  return { destroy: () => request.destroy(), closed: new Promise<void>((resolve) => request.on('close', () => resolve())) };
}
