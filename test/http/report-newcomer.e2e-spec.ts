import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Over HTTP as on the command line: a report of a store with no events says so (and a script can
// test it), and a mistyped area or cell id is answered with the nearest valid ones.

const GM = 'greater-manchester';

describe('report endpoints for a newcomer', () => {
  let s: SecuredApp;
  let auditor: string;
  beforeAll(async () => {
    s = await startSecuredApp();
    auditor = `Bearer ${await s.token(principal({ roles: ['analyst', 'auditor'], agency: 'moj', areas: ['*'] }))}`;
  });
  afterAll(() => s?.close());

  it('a report of a store with no events carries empty: true and a readable warning, in JSON and HTML', async () => {
    const json = await s.http().get(`/reports/${GM}/2014-15`).set('Authorization', auditor);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      position: '0',
      empty: true,
      warnings: ['The event store holds no events: every figure is zero because nothing has been recorded, not because nothing happened.'],
    });
    const html = await s.http().get(`/reports/${GM}/2014-15`).set('Authorization', auditor).set('Accept', 'text/html');
    expect(html.text).toContain('<p class="warning"><strong>Warning:</strong> The event store holds no events');
    const snapshot = await s.http().get(`/snapshots/${GM}?date=2015-03-31`).set('Authorization', auditor);
    expect(snapshot.body).toMatchObject({ empty: true, warnings: [expect.stringContaining('holds no events')] });
  });

  it('once an event is recorded, the report is no longer marked empty', async () => {
    const recorder = `Bearer ${await s.token(principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] }))}`;
    const line = {
      type: 'OffenderRegistered',
      offenderId: 'NEW-1',
      occurredOn: '2014-01-10',
      data: { area: GM, category: 1, level: 1, division: 'salford', inCustody: false, underSupervision: true, onLicence: true },
    };
    const posted = await s.http().post('/events').set('Authorization', recorder).set('Content-Type', 'application/x-ndjson').send(JSON.stringify(line));
    expect(posted.body.appended).toBe(1);
    const res = await s.http().get(`/reports/${GM}/2014-15?minPosition=${posted.body.lastPosition}`).set('Authorization', auditor);
    expect(res.body).toMatchObject({ empty: false, warnings: [] });
    // As known before that event, the service knew nothing.
    const before = await s.http().get(`/reports/${GM}/2014-15?asKnownAt=2000-01-01T00:00:00Z`).set('Authorization', auditor);
    expect(before.body).toMatchObject({ empty: true, warnings: [expect.stringContaining('had recorded no events by 2000-01-01T00:00:00.000Z')] });
  });

  it('suggests the nearest area, year and cell id', async () => {
    const area = await s.http().get('/reports/greater-manchster/2014-15').set('Authorization', auditor);
    expect(area.status).toBe(404);
    expect(area.body.message).toBe('greater-manchster is not one of the 42 MAPPA areas or england-and-wales. Did you mean greater-manchester?');
    const year = await s.http().get(`/reports/${GM}/2014-2015`).set('Authorization', auditor);
    expect(year.status).toBe(400);
    expect(year.body.message).toContain('Did you mean 2014-15?');
    const cell = await s.http().get(`/reports/${GM}/2014-15/cells/offendersOnSnapshot.level2.categry1/trace?reason=checking`).set('Authorization', auditor);
    expect(cell.status).toBe(404);
    expect(cell.body.message).toContain('Did you mean offendersOnSnapshot.level2.category1?');
  });
});
