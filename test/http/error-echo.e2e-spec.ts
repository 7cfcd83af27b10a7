import { loadAuthConfig } from '../../src/auth/auth-config';
import { historyOptions } from '../../src/cli/generate.command';
import { parseTtl, tokenCommand } from '../../src/cli/token.command';
import { loadConfig } from '../../src/config/app-config';
import { echo } from '../../src/errors';
import { loadRateLimit } from '../../src/http/rate-limit';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 10, item 10: an error message repeats at most 64 characters of what the caller sent, so a
// megabyte of input is not sent back (or logged) whole. Each input is a long run of one letter.

const LONG = 'Q'.repeat(5_000);
const tooMuchEcho = /Q{65}/; // 64 is ECHO_MAX_LENGTH

describe('error messages echo at most 64 characters of input', () => {
  let s: SecuredApp;
  const recorder = principal({ roles: ['recorder'], agency: 'moj', areas: ['kent'] });
  const auditor = principal({ roles: ['analyst', 'auditor'], agency: 'moj', areas: ['kent'] });
  const as = async (who = auditor) => `Bearer ${await s.token(who)}`;
  beforeAll(async () => {
    s = await startSecuredApp();
  }, 60_000);
  afterAll(() => s?.close());

  const expectShortEcho = (res: { status: number; text: string }) => {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(tooMuchEcho);
  };

  it('a report year', async () => {
    const res = await s
      .http()
      .get(`/reports/kent/${LONG}`)
      .set('Authorization', await as());
    expect(res.body.message).toContain(`'${'Q'.repeat(64)}…'`);
    expectShortEcho(res);
  });

  it('an unknown area and an unknown cell of a trace', async () => {
    expectShortEcho(
      await s
        .http()
        .get(`/reports/${LONG}/2014-15`)
        .set('Authorization', await as()),
    );
    const cell = `offendersOnSnapshot.${'Q'.repeat(100)}.total`;
    expectShortEcho(
      await s
        .http()
        .get(`/reports/kent/2014-15/cells/${cell}/trace?reason=audit`)
        .set('Authorization', await as()),
    );
  });

  it('an unknown field of a posted event, alone and in a batch', async () => {
    const event = { type: 'LevelChanged', occurredOn: '2015-01-01', data: { level: 2 }, [LONG]: 1 };
    expectShortEcho(
      await s
        .http()
        .post('/offenders/K-1/events')
        .set('Authorization', await as(recorder))
        .send(event),
    );
    const batch = await s
      .http()
      .post('/events')
      .set('Authorization', await as(recorder))
      .set('Content-Type', 'application/x-ndjson')
      .send(JSON.stringify({ ...event, offenderId: 'K-1' }));
    expect(batch.text).not.toMatch(tooMuchEcho);
  });

  it('an unknown field inside the data of an event, with fields and without', async () => {
    for (const event of [
      { type: 'LevelChanged', occurredOn: '2015-01-01', data: { level: 2, [LONG]: 1 } },
      { type: 'SupervisionStarted', occurredOn: '2015-01-01', data: { [LONG]: 1 } },
      {
        type: 'OffenderRegistered',
        occurredOn: '2015-01-01',
        data: { area: 'kent', category: 2, level: 1, inCustody: false, underSupervision: true, onLicence: false, [LONG]: { [LONG]: 1 } },
      },
    ]) {
      expectShortEcho(
        await s
          .http()
          .post('/offenders/K-2/events')
          .set('Authorization', await as(recorder))
          .send(event),
      );
    }
  });

  it('a body that is not JSON', async () => {
    const res = await s
      .http()
      .post('/offenders/K-1/events')
      .set('Authorization', await as(recorder))
      .set('Content-Type', 'application/json')
      .send(`{"${LONG}`);
    expectShortEcho(res);
  });

  it('command-line options and environment settings', async () => {
    const messages: Array<() => unknown> = [
      () => tokenCommand({ role: ['analyst'], agency: LONG, areas: 'kent' }, {}, '/nonexistent'),
      () => tokenCommand({ role: [LONG], agency: 'police', areas: 'kent' }, {}, '/nonexistent'),
      () => tokenCommand({ role: ['analyst'], agency: 'police', areas: `${LONG},${LONG}` }, {}, '/nonexistent'),
      () => parseTtl(`${'9'.repeat(7)}`),
      () => loadConfig({ EVENT_STORE: LONG }),
      () => loadConfig({ PORT: LONG }),
      () => loadRateLimit({ RATE_LIMIT_REQUESTS: LONG }),
      () => loadAuthConfig({ AUTH_DEV_MODE: LONG }),
      () => loadAuthConfig({ AUTH_JWT_MAX_LIFETIME_SECONDS: LONG }),
      () => historyOptions({ scale: LONG }),
      () => historyOptions({ areas: LONG }),
      () => historyOptions({ seed: LONG }),
    ];
    for (const run of messages) {
      const error = await Promise.resolve()
        .then(run)
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      expect(error).toBeInstanceOf(Error);
      expect(error!.message).not.toMatch(tooMuchEcho);
    }
  });

  it('never repeats the password of a mistyped connection string', () => {
    expect(() => loadConfig({ EVENT_STORE: 'postgres://mappa:s3cret-password@db:5432/mappa' })).toThrow(/'postgres:\/\/…@db:5432\/mappa'/);
  });

  it('echo() keeps 64 characters and marks the cut', () => {
    expect(echo('x'.repeat(64))).toBe('x'.repeat(64));
    expect(echo('x'.repeat(65))).toBe(`${'x'.repeat(64)}…`);
  });
});
