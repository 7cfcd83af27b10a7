import { Inject, Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../errors';
import { AUTH_SETTINGS, DEVELOPMENT_PRINCIPAL, type AuthSettings } from './auth-settings';
import type { Principal } from './principal';

export type Authentication =
  { ok: true; principal: Principal; /** false: the development principal of a token-less request */ fromToken: boolean } | { ok: false; error: UnauthenticatedError };

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** Who a request comes from, worked out once per request because the rate limiter and the guard both ask. */
@Injectable()
export class Authenticator {
  private readonly seen = new WeakMap<object, Promise<Authentication>>();

  constructor(@Inject(AUTH_SETTINGS) private readonly settings: AuthSettings) {}

  authenticate(request: HttpRequestLike): Promise<Authentication> {
    let result = this.seen.get(request);
    if (!result) {
      result = this.work(request);
      this.seen.set(request, result);
    }
    return result;
  }

  private async work(request: HttpRequestLike): Promise<Authentication> {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      if (this.settings.development) return { ok: true, principal: this.settings.developmentPrincipal ?? DEVELOPMENT_PRINCIPAL, fromToken: false };
      return refuse('A bearer token is needed: send Authorization: Bearer <token>.', 'required');
    }
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) return refuse('The Authorization header must be "Bearer <token>".', 'bearer');
    if (!this.settings.verifier) return refuse('This service has no key to verify tokens with; send no token in development mode.', 'no-verifier');
    try {
      return { ok: true, principal: await this.settings.verifier.verify(match[1]), fromToken: true };
    } catch (error) {
      if (error instanceof UnauthenticatedError) return { ok: false, error };
      return refuse('The bearer token is malformed or cannot be verified.', 'malformed');
    }
  }
}

const refuse = (message: string, rule: string): Authentication => ({
  ok: false,
  error: new UnauthenticatedError(message, [{ field: 'Authorization', rule, message }]),
});
