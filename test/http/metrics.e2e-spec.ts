import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// docs/security.md: every route but /health and /docs needs a token; /metrics needs the admin role
// (issue 10, item 10: it was public).

describe('GET /metrics', () => {
  let s: SecuredApp;
  beforeAll(async () => {
    s = await startSecuredApp();
  }, 60_000);
  afterAll(() => s?.close());

  it('refuses a request without a token (401) and a token without the admin role (403)', async () => {
    await s.http().get('/metrics').expect(401);
    for (const roles of [['analyst'], ['auditor'], ['recorder']] as const) {
      const token = await s.token(principal({ roles: [...roles], agency: 'moj', areas: ['*'] }));
      await s.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(403);
    }
  });

  it('answers an admin token with the Prometheus figures', async () => {
    const token = await s.token(principal({ roles: ['admin'], agency: 'moj', areas: ['*'] }));
    const res = await s.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^mappa_read_model_lag_events \d+$/m);
  });

  it('health and the API documentation stay public', async () => {
    await s.http().get('/health').expect(200);
    await s.http().get('/docs-json').expect(200);
  });
});
