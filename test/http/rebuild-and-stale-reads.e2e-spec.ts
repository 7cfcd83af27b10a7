import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { Principal } from '../../src/auth/principal';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 12, item 7: POST /admin/rebuild swallowed any error (reports stayed at 503, nothing
// logged). Issue 18, item 6: a read whose minPosition the read models did not reach answered 200
// with older figures. Issue 18, item 4: a report refused during a rebuild says when to come back.

const GM = 'greater-manchester';

describe('rebuilds and stale reads over HTTP', () => {
  let s: SecuredApp;
  let runner: ProjectionRunner;
  const analyst = principal({ roles: ['analyst'], agency: 'moj', areas: [GM] });
  const recorder = principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] });
  const admin = principal({ roles: ['admin'], agency: 'moj', areas: ['*'] });
  const as = async (p: Principal) => `Bearer ${await s.token(p)}`;
  const post = async (lines: object[]) =>
    s
      .http()
      .post('/events')
      .set('Authorization', await as(recorder))
      .set('Content-Type', 'application/x-ndjson')
      .send(lines.map((l) => JSON.stringify(l)).join('\n'));
  const registration = () => ({
    type: 'OffenderRegistered',
    offenderId: `RB-${randomUUID().slice(0, 8)}`,
    occurredOn: '2014-01-10',
    data: { area: GM, category: 1, level: 1, division: 'salford', inCustody: false, underSupervision: true, onLicence: true },
  });
  const readReport = async (query = '') =>
    s
      .http()
      .get(`/reports/${GM}/2014-15${query}`)
      .set('Authorization', await as(analyst));
  const askRebuild = async () =>
    s
      .http()
      .post('/admin/rebuild')
      .set('Authorization', await as(admin));
  const reportsAnswerAgain = () => waitUntil(async () => (await readReport()).status === 200);

  beforeAll(async () => {
    s = await startSecuredApp();
    runner = s.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    const res = await post([registration(), registration()]);
    expect(res.body.refused).toBe(0);
    await runner.waitFor(BigInt(res.body.lastPosition), 10_000);
  }, 300_000); // creating an embedded store runs initdb: minutes on a loaded machine
  afterAll(() => s?.close(), 60_000);

  describe('minPosition the read models do not reach within the wait', () => {
    it('answers 503 with Retry-After and says so, in every format; never an older 200', async () => {
      await runner.stop(); // the read models stop following: the next write is not projected
      try {
        const res = await post([registration()]);
        const written = res.body.lastPosition as string;
        for (const accept of ['application/json', 'text/csv']) {
          const started = Date.now();
          const read = await s
            .http()
            .get(`/reports/${GM}/2014-15?minPosition=${written}`)
            .set('Authorization', await as(analyst))
            .set('Accept', accept);
          expect(Date.now() - started).toBeGreaterThanOrEqual(4_500); // it did wait
          expect(read.status).toBe(503);
          expect(Number(read.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          expect(read.headers['x-event-store-position']).toBeUndefined();
          expect(read.body.error).toBe('store-unavailable');
          expect(read.body.message).toMatch(new RegExp(`not yet reached position ${written}.*would not include that write`));
          expect(read.body.details).toEqual([expect.objectContaining({ field: 'minPosition', rule: 'read-models-behind' })]);
        }
      } finally {
        runner.start();
      }
    }, 30_000);

    it('a position beyond the whole store is the caller’s mistake: 400, not a wait-and-retry', async () => {
      const head = await s.storage.store.lastPosition();
      const read = await readReport(`?minPosition=${(head ?? 0n) + 1000n}`);
      expect(read.status).toBe(400);
      expect(read.body.details).toEqual([expect.objectContaining({ field: 'minPosition', rule: 'known-position' })]);
    }, 30_000);

    it('once caught up, the same read answers 200 at or after the position', async () => {
      const head = (await s.storage.store.lastPosition())!.toString();
      const read = await readReport(`?minPosition=${head}`);
      expect(read.status).toBe(200);
      expect(BigInt(read.body.position)).toBeGreaterThanOrEqual(BigInt(head));
    }, 30_000);
  });

  describe('POST /admin/rebuild', () => {
    // The rebuild's reads of the store wait on (or fail with) what the test says: outside any
    // transaction, so the embedded store's one connection stays free for other requests.
    let readStreamsInOrder: SecuredApp['storage']['store']['readStreamsInOrder'];
    beforeAll(() => {
      readStreamsInOrder = s.storage.store.readStreamsInOrder;
    });
    afterEach(() => {
      s.storage.store.readStreamsInOrder = readStreamsInOrder;
    });

    it('answers 409 while one runs, refuses reports with Retry-After meanwhile, and a failure is logged and shown in /health', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error');
      let fail!: (error: Error) => void;
      const failing = new Promise<never>((_, reject) => (fail = reject));
      failing.catch(() => undefined);
      s.storage.store.readStreamsInOrder = async (after, upTo, limit) =>
        runner.rebuildStatus().state === 'running' ? failing : readStreamsInOrder!.call(s.storage.store, after, upTo, limit);

      const begun = await askRebuild();
      expect(begun.status).toBe(202);
      expect(begun.body).toMatchObject({ status: 'rebuilding', total: expect.any(Number) });
      expect((await s.http().get('/health')).body.rebuild).toMatchObject({ state: 'running' });

      const again = await askRebuild();
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('rebuild-running');

      const report = await readReport();
      expect(report.status).toBe(503);
      expect(Number(report.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(report.body.details).toEqual([expect.objectContaining({ rule: 'rebuilding' })]);

      fail(new Error('could not extend file: No space left on device'));
      // The answer that showed the failure is the one examined: the follow loop soon runs the rebuild again.
      let health!: Awaited<ReturnType<ReturnType<typeof s.http>['get']>>;
      await waitUntil(async () => (health = await s.http().get('/health')).body.rebuild.state === 'failed');
      expect(health.status).toBe(200);
      expect(health.body.rebuild).toMatchObject({ state: 'failed', error: expect.stringMatching(/No space left on device/) });
      expect(logged.mock.calls.some(([message]) => /rebuild failed: .*No space left on device/s.test(String(message)))).toBe(true);
      logged.mockRestore();

      // The cause gone, the service runs the interrupted rebuild again by itself; reports come back.
      s.storage.store.readStreamsInOrder = readStreamsInOrder;
      await reportsAnswerAgain();
      expect((await s.http().get('/health')).body.rebuild).toMatchObject({ state: 'completed', error: null });
    }, 60_000);

    it('a rebuild that cannot begin is this request’s answer, not a silent 202', async () => {
      await s.storage.sql!.exec('ALTER TABLE rm_fact_areas RENAME TO rm_fact_areas_away');
      try {
        const res = await askRebuild();
        expect(res.status).toBe(500);
        expect(res.body.error).toBe('internal');
      } finally {
        await s.storage.sql!.exec('ALTER TABLE rm_fact_areas_away RENAME TO rm_fact_areas');
      }
      await reportsAnswerAgain();
    }, 60_000);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
