import { AdmissionControl, defaultAdmissionLimits, loadAdmissionLimits } from '../../src/http/admission-control';
import { admissionDemand } from '../../src/http/admission-demand';

// Issue 17, item 1: the budgets, the weights and what each request asks of them.

const request = (method: string, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) => ({ method, path, query, headers });

describe('admissionDemand', () => {
  it('never bounds health, metrics, the API documentation or operator actions', () => {
    for (const path of ['/health', '/health/ready', '/metrics', '/docs', '/docs/swagger-ui.css', '/docs-json']) expect(admissionDemand(request('GET', path))).toBeNull();
    expect(admissionDemand(request('POST', '/admin/rebuild'))).toBeNull();
  });

  it("puts posts in the write budget: one event weighs 1, a batch over one event's size or of unknown length weighs more", () => {
    expect(admissionDemand(request('POST', '/offenders/GM-1/events', {}, { 'content-length': '300' }))).toEqual({ budget: 'writes', expensive: false });
    expect(admissionDemand(request('POST', '/events', {}, { 'content-length': '65536' }))).toEqual({ budget: 'writes', expensive: false });
    expect(admissionDemand(request('POST', '/events', {}, { 'content-length': '65537' }))).toEqual({ budget: 'writes', expensive: true });
    expect(admissionDemand(request('POST', '/events', {}, { 'transfer-encoding': 'chunked' }))).toEqual({ budget: 'writes', expensive: true });
  });

  it('puts reads in the read budget: england-and-wales, a trace and a period over a year are expensive', () => {
    const expensive = (path: string, query: Record<string, string> = {}) => admissionDemand(request('GET', path, query))?.expensive;
    expect(admissionDemand(request('GET', '/reports/kent/2014-15'))).toEqual({ budget: 'reads', expensive: false });
    expect(expensive('/reports/england-and-wales/2014-15')).toBe(true);
    expect(expensive('/reports/england%2Dand-wales/2014-15')).toBe(true);
    expect(expensive('/reports/kent/2014-15/cells/level23InYear.total.total/trace')).toBe(true);
    expect(expensive('/snapshots/england-and-wales', { date: '2015-03-31' })).toBe(true);
    expect(expensive('/snapshots/kent', { date: '2015-03-31' })).toBe(false);
    expect(expensive('/periods/kent', { from: '2014-04-01', to: '2015-03-31' })).toBe(false);
    expect(expensive('/periods/kent', { from: '2005-04-01', to: '2025-03-31' })).toBe(true);
    expect(expensive('/offenders/GM-1')).toBe(false);
    expect(expensive('/audit/access')).toBe(false);
  });
});

describe('AdmissionControl', () => {
  it('refuses what would pass a budget, counts refusals, and frees the weight once on release', () => {
    const control = new AdmissionControl({ writes: 2, reads: 4, expensiveWeight: 3 });
    const national = control.tryAcquire({ budget: 'reads', expensive: true });
    expect(control.inFlightOf('reads')).toBe(3);
    expect(control.tryAcquire({ budget: 'reads', expensive: true })).toBeNull();
    const area = control.tryAcquire({ budget: 'reads', expensive: false });
    expect(area).not.toBeNull();
    expect(control.tryAcquire({ budget: 'reads', expensive: false })).toBeNull();
    // Writes have their own room.
    expect(control.tryAcquire({ budget: 'writes', expensive: false })).not.toBeNull();
    expect(control.refused('reads')).toBe(2);
    expect(control.refused('writes')).toBe(0);
    national!.release();
    national!.release();
    expect(control.inFlightOf('reads')).toBe(1);
    expect(national!.released).toBe(true);
  });

  it('caps an expensive weight at its budget, so one always fits; a budget of 0 is unbounded', () => {
    const control = new AdmissionControl({ writes: 2, reads: 0, expensiveWeight: 4 });
    expect(control.weightOf({ budget: 'writes', expensive: true })).toBe(2);
    expect(control.tryAcquire({ budget: 'writes', expensive: true })).not.toBeNull();
    for (let i = 0; i < 100; i++) expect(control.tryAcquire({ budget: 'reads', expensive: true })).not.toBeNull();
  });
});

describe('admission limits', () => {
  it('default to one in flight per connection of the store, at least eight per budget', () => {
    expect(defaultAdmissionLimits({ eventStore: 'embedded', databaseUrl: undefined })).toEqual({ writes: 8, reads: 8, expensiveWeight: 4 });
    // A PostgreSQL server: a pool of ten connections.
    expect(defaultAdmissionLimits({ eventStore: 'postgres', databaseUrl: 'postgres://db/mappa' })).toEqual({ writes: 10, reads: 10, expensiveWeight: 4 });
    // Embedded events, read models on a server.
    expect(defaultAdmissionLimits({ eventStore: 'embedded', databaseUrl: 'postgres://db/mappa' })).toEqual({ writes: 8, reads: 10, expensiveWeight: 4 });
  });

  it('are read from ADMISSION_* settings, with a clear error for a wrong value', () => {
    const embedded = { eventStore: 'embedded', databaseUrl: undefined };
    expect(loadAdmissionLimits(embedded, {})).toEqual({ writes: 8, reads: 8, expensiveWeight: 4 });
    expect(loadAdmissionLimits(embedded, { ADMISSION_WRITE_BUDGET: '20', ADMISSION_READ_BUDGET: '0', ADMISSION_EXPENSIVE_WEIGHT: '2' })).toEqual({
      writes: 20,
      reads: 0,
      expensiveWeight: 2,
    });
    expect(() => loadAdmissionLimits(embedded, { ADMISSION_WRITE_BUDGET: 'many' })).toThrow(/ADMISSION_WRITE_BUDGET must be a whole number/);
    expect(() => loadAdmissionLimits(embedded, { ADMISSION_EXPENSIVE_WEIGHT: '0' })).toThrow(/at least 1/);
  });
});
