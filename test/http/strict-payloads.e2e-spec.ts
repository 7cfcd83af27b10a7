import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { hostileEvent } from '../support/event-payload-arbitraries';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Strict payloads over HTTP (issue 10, item 5): an event of any type carrying __proto__,
// constructor, prototype or any key outside the catalogue, at any depth, is refused with 400 on
// both write routes and nothing reaches the store. The unit property is test/commands/event-input.spec.ts.

const GM = 'greater-manchester';

describe('strict payloads over HTTP', () => {
  let s: SecuredApp;
  let recorder: string;
  const offenderId = `SP-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    s = await startSecuredApp();
    recorder = await s.token(principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] }));
    const res = await s
      .http()
      .post(`/offenders/${offenderId}/events`)
      .set('Authorization', `Bearer ${recorder}`)
      .send({ type: 'OffenderRegistered', occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true } });
    expect(res.status).toBe(201);
  });
  afterAll(() => s?.close());

  it('the attack of issue 10: name and address under __proto__ or constructor in data are refused, not stored', async () => {
    const before = await s.storeFingerprint();
    for (const key of ['__proto__', 'constructor']) {
      const body = `{"type":"LevelChanged","occurredOn":"2014-05-01","data":{"level":2,"${key}":{"name":"John Smith","address":"${'1 High Street '.repeat(4000)}"}}}`;
      const res = await s.http().post(`/offenders/${offenderId}/events`).set('Authorization', `Bearer ${recorder}`).set('Content-Type', 'application/json').send(body);
      expect({ key, status: res.status, field: res.body.details?.[0]?.field }).toEqual({ key, status: 400, field: `data.${key}` });
    }
    expect(await s.storeFingerprint()).toEqual(before);
    expect(JSON.stringify((await s.storage.store.readStream(offenderId)).map((e) => e.data))).not.toContain('High Street');
  });

  it('POST /offenders/{id}/events: every type, a hostile key at any depth is a 400 and the store is unchanged', async () => {
    const before = await s.storeFingerprint();
    await fc.assert(
      fc.asyncProperty(hostileEvent(offenderId), async (e) => {
        const res = await s.http().post(`/offenders/${offenderId}/events`).set('Authorization', `Bearer ${recorder}`).set('Content-Type', 'application/json').send(e.hostileText);
        expect({ key: e.key, depth: e.depth, type: e.type, status: res.status, error: res.body.error }).toEqual({
          key: e.key,
          depth: e.depth,
          type: e.type,
          status: 400,
          error: 'invalid-input',
        });
      }),
      { numRuns: 150 },
    );
    expect(await s.storeFingerprint()).toEqual(before);
  });

  it('POST /events: a batch of such lines refuses every one of them with 400 and records nothing', async () => {
    const before = await s.storeFingerprint();
    const events = fc.sample(hostileEvent(offenderId), { numRuns: 500 });
    const res = await s
      .http()
      .post('/events')
      .set('Authorization', `Bearer ${recorder}`)
      .set('Content-Type', 'application/x-ndjson')
      .send(events.map((e) => e.hostileText).join('\n'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ appended: 0, duplicates: 0, refused: events.length });
    expect(res.body.refusals.every((r: { error: { error: string } }) => r.error.error === 'invalid-input')).toBe(true);
    expect(await s.storeFingerprint()).toEqual(before);
  });
});
