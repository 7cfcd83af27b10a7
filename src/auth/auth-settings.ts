import type { TokenVerifier } from './jwt-verifier';
import type { Principal } from './principal';

export const AUTH_SETTINGS = Symbol('AuthSettings');

/** How the HTTP service knows who is calling (docs/security.md, "Authentication"). */
export interface AuthSettings {
  /**
   * Development mode: a request without a token acts as `developmentPrincipal` (every role, every
   * area). Only ever asked for explicitly (`mappa serve --dev-auth`, AUTH_DEV_MODE=1, or a test).
   */
  development: boolean;
  /** Who a token-less request is in development mode (default DEVELOPMENT_PRINCIPAL). */
  developmentPrincipal?: Principal;
  /** Verifies bearer tokens; a token sent to a service without one is refused (401). */
  verifier?: TokenVerifier;
}

export const DEVELOPMENT_PRINCIPAL: Principal = { sub: 'development', agency: 'moj', roles: ['recorder', 'analyst', 'auditor', 'admin'], areas: ['*'] };
