import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 10, item 10, over HTTP: impossible dates and times in a query are a 400, never a 500 and
// never quietly another date; a reason must show what it says.

describe('dates, times and reasons in queries', () => {
  let s: SecuredApp;
  const auditor = principal({ roles: ['analyst', 'auditor'], agency: 'moj', areas: ['*'] });
  const recorder = principal({ roles: ['recorder'], agency: 'moj', areas: ['kent'] });
  let bearer: string;
  beforeAll(async () => {
    s = await startSecuredApp();
    bearer = `Bearer ${await s.token(auditor)}`;
    await s
      .http()
      .post('/offenders/QP-1/events')
      .set('Authorization', `Bearer ${await s.token(recorder)}`)
      .send({ type: 'OffenderRegistered', occurredOn: '2014-05-01', data: { area: 'kent', category: 2, level: 1, inCustody: false, underSupervision: true, onLicence: false } })
      .expect(201);
  }, 60_000);
  afterAll(() => s?.close());

  it.each([
    ['year 0 (was a 500)', '0000-01-01T00:00:00Z'],
    ['30 February (was read as 2 March)', '2015-02-30T00:00:00Z'],
    ['hour 25', '2015-02-01T25:00:00Z'],
  ])('asKnownAt %s is a 400 on reports, snapshots, periods and the offender state', async (_, asKnownAt) => {
    const q = `asKnownAt=${encodeURIComponent(asKnownAt)}`;
    for (const url of [
      `/reports/kent/2014-15?${q}`,
      `/snapshots/kent?date=2015-03-31&${q}`,
      `/periods/kent?from=2014-04-01&to=2015-03-31&${q}`,
      `/offenders/QP-1?reason=audit&${q}`,
    ]) {
      const res = await s.http().get(url).set('Authorization', bearer);
      expect({ url, status: res.status, error: res.body.error }).toEqual({ url, status: 400, error: 'invalid-input' });
    }
  });

  it('dates outside 1900-9999 are a 400', async () => {
    for (const url of ['/snapshots/kent?date=1899-12-31', '/offenders/QP-1?reason=audit&asOf=0001-01-01', '/audit/access?from=1066-10-14']) {
      const res = await s.http().get(url).set('Authorization', bearer);
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
    }
  });

  it('a blank or direction-changing reason is a 400, and nothing is read', async () => {
    for (const reason of ['%20%20%20', encodeURIComponent('audit\u202e'), encodeURIComponent('\u2066audit\u2069')]) {
      const res = await s.http().get(`/offenders/QP-1?reason=${reason}`).set('Authorization', bearer);
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('reason');
    }
  });
});
