import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { Authenticator } from './authenticator';
import type { Principal } from './principal';
import { IS_PUBLIC } from './public.decorator';

// Kept here for the modules and tests that import them from the guard.
export { AUTH_SETTINGS, DEVELOPMENT_PRINCIPAL, type AuthSettings } from './auth-settings';

/** Sets the request's principal (401 when missing or untrustworthy); what it may do is the access policy's business. */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<{ principal?: Principal; headers: Record<string, string | string[] | undefined> }>();
    const result = await this.authenticator.authenticate(request);
    if (!result.ok) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="mappa"');
      throw result.error;
    }
    request.principal = result.principal;
    return true;
  }
}
