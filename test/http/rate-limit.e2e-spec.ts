import { loadRateLimit, DEFAULT_RATE_LIMIT } from '../../src/http/rate-limit';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Per-token rate limiting (429 with our error body), keyed by token subject, or by client
// address for requests without a verified token, so forged tokens are limited too.

describe('rate limiting', () => {
  let s: SecuredApp;
  const LIMIT = 5;

  beforeAll(async () => {
    s = await startSecuredApp({ rateLimit: { limit: LIMIT, windowSeconds: 60 } });
  });
  afterAll(() => s?.close());

  it('answers 429 with the error body and Retry-After once a token spends its budget, across routes', async () => {
    const token = `Bearer ${await s.token(principal({ sub: 'busy-auditor', roles: ['auditor'], areas: ['*'] }))}`;
    const urls = ['/audit/access', '/offenders/NOBODY', '/audit/access', '/offenders/NOBODY/events', '/audit/access'];
    for (const url of urls) expect((await s.http().get(url).set('Authorization', token)).status).not.toBe(429);
    const refused = await s.http().get('/audit/access').set('Authorization', token);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'too-many-requests', message: expect.any(String), details: [expect.objectContaining({ rule: 'rate-limit' })] });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Another token has its own budget.
    const other = `Bearer ${await s.token(principal({ sub: 'calm-auditor', roles: ['auditor'], areas: ['*'] }))}`;
    expect((await s.http().get('/audit/access').set('Authorization', other)).status).toBe(200);
  });

  it('requests with forged or no tokens count against the client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await s.http().get('/audit/access').set('Authorization', `Bearer forged.${i}.token`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, LIMIT)).toEqual(new Array(LIMIT).fill(401));
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
    // The address's budget is spent for token-less requests too, even on public routes.
    expect((await s.http().get('/health')).status).toBe(429);
  });

  it('limits are configurable from the environment, generous by default, 0 turns them off', () => {
    expect(loadRateLimit({})).toEqual(DEFAULT_RATE_LIMIT);
    expect(DEFAULT_RATE_LIMIT.limit).toBeGreaterThanOrEqual(1000);
    expect(loadRateLimit({ RATE_LIMIT_REQUESTS: '100', RATE_LIMIT_WINDOW_SECONDS: '10' })).toEqual({ limit: 100, windowSeconds: 10 });
    expect(loadRateLimit({ RATE_LIMIT_REQUESTS: '0' })).toBe(false);
    expect(() => loadRateLimit({ RATE_LIMIT_REQUESTS: 'lots' })).toThrow(/whole number/);
  });
});
