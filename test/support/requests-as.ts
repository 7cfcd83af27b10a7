import type { Principal } from '../../src/auth/principal';
import type { SecuredApp } from './secured-app';

/** Requests to the app `app()` returns, as a principal; each principal's token is minted once and reused. */
export function requestsAs(app: () => SecuredApp) {
  const tokens = new Map<string, string>();
  const bearer = async (p: Principal) => {
    const key = JSON.stringify(p);
    if (!tokens.has(key)) tokens.set(key, await app().token(p));
    return `Bearer ${tokens.get(key)}`;
  };
  return {
    bearer,
    get: async (who: Principal, url: string, accept = 'application/json') =>
      app()
        .http()
        .get(url)
        .set('Authorization', await bearer(who))
        .set('Accept', accept),
    /** A batch of events as NDJSON to POST /events. */
    postBatch: async (who: Principal, lines: readonly object[]) =>
      app()
        .http()
        .post('/events')
        .set('Authorization', await bearer(who))
        .set('Content-Type', 'application/x-ndjson')
        .send(lines.map((l) => JSON.stringify(l)).join('\n')),
    /** One event posted to the offender's stream. */
    postEvent: async (who: Principal, offenderId: string, type: string, occurredOn: string, data: object) =>
      app()
        .http()
        .post(`/offenders/${offenderId}/events`)
        .set('Authorization', await bearer(who))
        .send({ type, occurredOn, data }),
  };
}
