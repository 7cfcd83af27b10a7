import { randomUUID } from 'node:crypto';
import type { Principal } from '../../src/auth/principal';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';
import { requestsAs } from '../support/requests-as';

// The read-scope rule of docs/security.md over HTTP: an area's auditors read the MAPPA periods
// their area managed, and only the number of the others. The attack of issue 10 (item 2): a Kent
// recorder registers into Kent an offender whose MAPPA period ended in London, so that Kent's
// auditors can read the London history.

const KENT = 'kent';
const LONDON = 'london';
const REASON = { reason: 'read-scope test' };

describe('read scope by MAPPA period (issue 10, item 2)', () => {
  let s: SecuredApp;
  const kentRecorder = principal({ sub: 'kent-recorder', roles: ['recorder'], agency: 'police', areas: [KENT] });
  const londonRecorder = principal({ sub: 'london-recorder', roles: ['recorder'], agency: 'police', areas: [LONDON] });
  const kentAuditor = principal({ sub: 'kent-auditor', roles: ['auditor'], agency: 'police', areas: [KENT] });
  const londonAuditor = principal({ sub: 'london-auditor', roles: ['auditor'], agency: 'police', areas: [LONDON] });
  const nationalAuditor = principal({ sub: 'national-auditor', roles: ['auditor'], agency: 'moj', areas: ['*'] });
  const { bearer, postEvent: post } = requestsAs(() => s);
  const posted = async (who: Principal, offenderId: string, type: string, occurredOn: string, data: object): Promise<string> => {
    const res = await post(who, offenderId, type, occurredOn, data);
    expect({ type, status: res.status, body: res.body }).toMatchObject({ type, status: 201 });
    return res.body.eventId as string;
  };
  const get = async (who: Principal, url: string, query: object = REASON) =>
    s
      .http()
      .get(url)
      .query(query)
      .set('Authorization', await bearer(who));
  const registration = (area: string) => ({ area, category: 1, level: 1, inCustody: false, underSupervision: true, onLicence: true });

  beforeAll(async () => {
    s = await startSecuredApp();
  });
  afterAll(() => s?.close());

  /** An offender managed in London from 2014-04-01 to 2015-01-01, with a SOPO and a level change. */
  async function londonHistory() {
    const offenderId = `ATTACK-${randomUUID().slice(0, 8)}`;
    const london = [
      await posted(londonRecorder, offenderId, 'OffenderRegistered', '2014-04-01', registration(LONDON)),
      await posted(londonRecorder, offenderId, 'SopoImposed', '2014-05-01', { orderId: 'SOPO-LONDON-1' }),
      await posted(londonRecorder, offenderId, 'LevelChanged', '2014-06-01', { level: 2 }),
      await posted(londonRecorder, offenderId, 'MappaManagementEnded', '2015-01-01', { reason: 'registration-expired' }),
    ];
    return { offenderId, london };
  }

  it('a Kent auditor sees only the Kent period of an offender London managed before, before and after a retraction', async () => {
    const { offenderId, london } = await londonHistory();
    // Registering an offender known to another area is allowed: people move.
    const kentRegistration = await posted(kentRecorder, offenderId, 'OffenderRegistered', '2016-01-01', registration(KENT));

    const history = await get(kentAuditor, `/offenders/${offenderId}/events`);
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: { eventId: string }) => e.eventId)).toEqual([kentRegistration]);
    expect(history.body.hiddenPeriods).toBe(1);
    const text = JSON.stringify(history.body);
    for (const id of london) expect(text).not.toContain(id);
    expect(text).not.toContain(LONDON);
    expect(text).not.toContain('2014-');

    // The state now is Kent's, and carries nothing of London's period (its SOPO).
    const now = await get(kentAuditor, `/offenders/${offenderId}`);
    expect(now.status).toBe(200);
    expect(now.body.state).toMatchObject({ active: true, area: KENT, level: 1, orders: {} });
    // A date in London's period (or the gap after it): the same refusal as an unknown offender.
    const unknown = await get(kentAuditor, `/offenders/NEVER-${randomUUID().slice(0, 8)}`);
    expect(unknown.status).toBe(403);
    for (const asOf of ['2014-06-30', '2015-06-30']) {
      const refused = await get(kentAuditor, `/offenders/${offenderId}`, { ...REASON, asOf });
      expect({ asOf, status: refused.status, body: refused.body }).toEqual({ asOf, status: unknown.status, body: unknown.body });
    }

    // A retraction in Kent's period changes nothing of that: London's events stay out.
    const mistaken = await posted(kentRecorder, offenderId, 'LevelChanged', '2016-02-01', { level: 2 });
    const retraction = await posted(kentRecorder, offenderId, 'EventRetracted', '2016-02-02', { retractedEventId: mistaken, reason: 'wrong offender' });
    const after = await get(kentAuditor, `/offenders/${offenderId}/events`);
    expect(after.body.events.map((e: { eventId: string; retractedBy: string | null }) => [e.eventId, e.retractedBy])).toEqual([
      [kentRegistration, null],
      [mistaken, retraction],
      [retraction, null],
    ]);
    expect(after.body.hiddenPeriods).toBe(1);

    // London's auditors see London's period, and Kent's only as a count.
    const londonView = await get(londonAuditor, `/offenders/${offenderId}/events`);
    expect(londonView.body.events.map((e: { eventId: string }) => e.eventId)).toEqual(london);
    expect(londonView.body.hiddenPeriods).toBe(1);
    expect((await get(londonAuditor, `/offenders/${offenderId}`, { ...REASON, asOf: '2014-06-30' })).body.state).toMatchObject({ area: LONDON, level: 2 });
    expect((await get(londonAuditor, `/offenders/${offenderId}`)).status).toBe(403); // now: Kent's period

    // `*` sees everything.
    const all = await get(nationalAuditor, `/offenders/${offenderId}/events`);
    expect(all.body.events).toHaveLength(7);
    expect(all.body.hiddenPeriods).toBe(0);
  });

  it('after the Kent registration is retracted, Kent auditors see nothing, as for an unknown offender', async () => {
    const { offenderId } = await londonHistory();
    const kentRegistration = await posted(kentRecorder, offenderId, 'OffenderRegistered', '2016-01-01', registration(KENT));
    expect((await get(kentAuditor, `/offenders/${offenderId}/events`)).status).toBe(200);
    await posted(kentRecorder, offenderId, 'EventRetracted', '2016-01-02', { retractedEventId: kentRegistration, reason: 'registered in error' });

    const unknown = await get(kentAuditor, `/offenders/NEVER-${randomUUID().slice(0, 8)}/events`);
    const history = await get(kentAuditor, `/offenders/${offenderId}/events`);
    expect({ status: history.status, body: history.body }).toEqual({ status: 403, body: unknown.body });
    const state = await get(kentAuditor, `/offenders/${offenderId}`);
    expect(state.status).toBe(403);
    expect(JSON.stringify(state.body)).not.toContain(LONDON);
  });

  it('a registration into another area is in the access audit for the other area only, naming who, where and when', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const { offenderId } = await londonHistory();
    await posted(kentRecorder, offenderId, 'OffenderRegistered', '2016-01-01', registration(KENT));
    await get(kentAuditor, `/offenders/${offenderId}/events`);

    const londonAudit = await get(londonAuditor, '/audit/access', { ...REASON, from: started });
    const entries = (londonAudit.body.entries as Array<Record<string, unknown>>).filter((e) => e.offenderId === offenderId);
    expect(entries).toEqual([
      expect.objectContaining({
        actor: 'kent-recorder',
        action: 'registered-in-another-area',
        areas: [LONDON],
        outcome: 'allowed',
        target: `offender ${offenderId} registered into ${KENT} effective 2016-01-01`,
      }),
    ]);

    // Kent's auditors see their own read, and no entry naming London.
    const kentAudit = await get(kentAuditor, '/audit/access', { ...REASON, from: started });
    const kentEntries = (kentAudit.body.entries as Array<Record<string, unknown>>).filter((e) => e.offenderId === offenderId);
    expect(kentEntries).toEqual([expect.objectContaining({ actor: 'kent-auditor', action: 'offender-history', areas: [KENT], outcome: 'allowed' })]);
    // (Actors are token subjects; these test subjects happen to name their area, so only the rest is checked.)
    for (const e of kentAudit.body.entries as Array<Record<string, unknown>>) {
      expect({ areas: e.areas, target: e.target }).toEqual({ areas: expect.not.arrayContaining([LONDON]), target: expect.not.stringContaining(LONDON) });
    }
  });

  it('an offender transferred within one period is read whole by both areas', async () => {
    const offenderId = `MOVED-${randomUUID().slice(0, 8)}`;
    await posted(londonRecorder, offenderId, 'OffenderRegistered', '2014-04-01', registration(LONDON));
    await posted(londonRecorder, offenderId, 'OffenderTransferred', '2014-09-01', { toArea: KENT });
    await posted(kentRecorder, offenderId, 'LevelChanged', '2014-10-01', { level: 2 });
    for (const who of [kentAuditor, londonAuditor]) {
      const res = await get(who, `/offenders/${offenderId}/events`);
      expect({ sub: who.sub, events: res.body.events?.length, hidden: res.body.hiddenPeriods }).toEqual({ sub: who.sub, events: 3, hidden: 0 });
      expect((await get(who, `/offenders/${offenderId}`, { ...REASON, asOf: '2014-05-01' })).status).toBe(200);
    }
  });
});
