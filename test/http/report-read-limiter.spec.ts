import { lastValueFrom, of, throwError } from 'rxjs';
import { TooManyRequestsError } from '../../src/errors';
import { isExpensiveReportRead, ReportReadLimitInterceptor } from '../../src/http/report-read-limit.interceptor';
import { DEFAULT_REPORT_READ_LIMITS, loadReportReadLimits, ReportReadLimiter } from '../../src/http/report-read-limiter';

// The per-caller budget of report reads: refuse past it at once, never queue, give back exactly once.

describe('ReportReadLimiter', () => {
  const limiter = () => new ReportReadLimiter({ budgetPerCaller: 4, expensiveWeight: 2 });

  it("refuses a caller's read past its budget while another caller is still served", () => {
    const l = limiter();
    expect(l.tryAcquire('a', true)).not.toBeNull();
    expect(l.tryAcquire('a', true)).not.toBeNull();
    expect(l.tryAcquire('a', true)).toBeNull();
    expect(l.tryAcquire('a', false)).toBeNull();
    expect(l.tryAcquire('b', true)).not.toBeNull();
    expect(l.inFlightFor('a')).toBe(4);
  });

  it('weighs cheap reads 1, so a budget holds more of them', () => {
    const l = limiter();
    for (let i = 0; i < 4; i++) expect(l.tryAcquire('a', false)).not.toBeNull();
    expect(l.tryAcquire('a', false)).toBeNull();
  });

  it('frees the weight when a lease is released, once only', () => {
    const l = limiter();
    const first = l.tryAcquire('a', true)!;
    l.tryAcquire('a', true);
    expect(l.tryAcquire('a', true)).toBeNull();
    first.release();
    first.release(); // a second release must not free another read's weight
    expect(l.inFlightFor('a')).toBe(2);
    expect(l.tryAcquire('a', true)).not.toBeNull();
    expect(l.tryAcquire('a', false)).toBeNull();
  });

  it('forgets a caller with nothing in flight', () => {
    const l = limiter();
    l.tryAcquire('a', false)!.release();
    expect(l.inFlightFor('a')).toBe(0);
    expect((l as unknown as { inFlight: Map<string, number> }).inFlight.size).toBe(0);
  });

  it('lets one expensive read through even when it is weighed above the budget', () => {
    const l = new ReportReadLimiter({ budgetPerCaller: 2, expensiveWeight: 10 });
    expect(l.tryAcquire('a', true)).not.toBeNull();
    expect(l.tryAcquire('a', false)).toBeNull();
  });
});

describe('isExpensiveReportRead', () => {
  const read = (params: Record<string, string>, query: Record<string, string> = {}) => isExpensiveReportRead({ params, query } as never);

  it('counts england-and-wales, traces and periods of more than a year as expensive', () => {
    expect(read({ area: 'england-and-wales', year: '2014-15' })).toBe(true);
    expect(read({ area: 'kent', year: '2014-15', cellId: 'level23InYear.total.total' })).toBe(true);
    expect(read({ area: 'kent' }, { from: '2005-04-01', to: '2025-03-31' })).toBe(true);
    expect(read({ area: 'kent' }, { from: '2014-04-01', to: '2015-04-01' })).toBe(true);
  });

  it('counts an area report, a snapshot and a period of up to a year as cheap', () => {
    expect(read({ area: 'kent', year: '2014-15' })).toBe(false);
    expect(read({ area: 'kent' }, { date: '2015-03-31' })).toBe(false);
    expect(read({ area: 'kent' }, { from: '2014-04-01', to: '2015-03-31' })).toBe(false);
    expect(read({ area: 'kent' }, { from: 'junk', to: '2015-03-31' })).toBe(false);
  });
});

describe('loadReportReadLimits', () => {
  it('has a default, can be turned off, and refuses junk', () => {
    expect(loadReportReadLimits({})).toEqual(DEFAULT_REPORT_READ_LIMITS);
    expect(loadReportReadLimits({ REPORT_READ_BUDGET: '8', REPORT_READ_EXPENSIVE_WEIGHT: '3' })).toEqual({ budgetPerCaller: 8, expensiveWeight: 3 });
    expect(loadReportReadLimits({ REPORT_READ_BUDGET: '0' })).toBe(false);
    expect(() => loadReportReadLimits({ REPORT_READ_BUDGET: 'lots' })).toThrow(/whole number/);
    expect(() => loadReportReadLimits({ REPORT_READ_EXPENSIVE_WEIGHT: '0' })).toThrow(/at least 1/);
  });
});

describe('ReportReadLimitInterceptor', () => {
  const limiter = new ReportReadLimiter({ budgetPerCaller: 1, expensiveWeight: 1 });
  const interceptor = new ReportReadLimitInterceptor(limiter);
  const context = (sub: string) => {
    const headers: Record<string, string> = {};
    const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
    const request = { principal: { sub }, params: { area: 'england-and-wales' }, query: {} };
    return { headers, context: { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as never };
  };

  it('holds the lease while the read runs and gives it back when it answers', async () => {
    const { context: c } = context('a');
    const read = interceptor.intercept(c, { handle: () => of('report') });
    expect(limiter.inFlightFor('sub:a')).toBe(1);
    await lastValueFrom(read);
    expect(limiter.inFlightFor('sub:a')).toBe(0);
  });

  it('gives the lease back when the read fails', async () => {
    const { context: c } = context('a');
    await expect(lastValueFrom(interceptor.intercept(c, { handle: () => throwError(() => new Error('database gone')) }))).rejects.toThrow('database gone');
    expect(limiter.inFlightFor('sub:a')).toBe(0);
  });

  it('refuses past the budget with 429 and Retry-After, before the read starts', () => {
    const held = interceptor.intercept(context('a').context, { handle: () => of('report') });
    const { context: c, headers } = context('a');
    const handle = jest.fn(() => of('report'));
    expect(() => interceptor.intercept(c, { handle })).toThrow(TooManyRequestsError);
    expect(handle).not.toHaveBeenCalled();
    expect(Number(headers['Retry-After'])).toBeGreaterThan(0);
    return lastValueFrom(held);
  });
});
