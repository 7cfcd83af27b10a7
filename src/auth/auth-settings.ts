import type { TokenVerifier } from './jwt-verifier';
import type { Principal } from './principal';

export const AUTH_SETTINGS = Symbol('AuthSettings');

/** How the HTTP service knows who is calling (docs/security.md, "Authentication"). */
export interface AuthSettings {
  /** A request without a token acts as `developmentPrincipal`; only ever asked for explicitly (`--dev-auth`, AUTH_DEV_MODE=1, a test). */
  development: boolean;
  /** Who a token-less request is in development mode (default DEVELOPMENT_PRINCIPAL). */
  developmentPrincipal?: Principal;
  /** Verifies bearer tokens; a token sent to a service without one is refused (401). */
  verifier?: TokenVerifier;
}

export const DEVELOPMENT_PRINCIPAL: Principal = { sub: 'development', agency: 'moj', roles: ['recorder', 'analyst', 'auditor', 'admin'], areas: ['*'] };
