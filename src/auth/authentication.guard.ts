import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from './public.decorator';
import type { Principal } from './principal';

export const AUTH_SETTINGS = Symbol('AuthSettings');

export interface AuthSettings {
  /** Development mode: every request acts as `developmentPrincipal`. Never the silent default of a deployed server. */
  development: boolean;
  developmentPrincipal: Principal;
}

export const DEVELOPMENT_PRINCIPAL: Principal = { sub: 'development', agency: 'moj', roles: ['recorder', 'analyst', 'auditor', 'admin'], areas: ['*'] };

/** Sets the request's principal. (Token verification: see the security issue.) */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ principal?: Principal }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    request.principal = this.settings.developmentPrincipal;
    return isPublic || this.settings.development;
  }
}
