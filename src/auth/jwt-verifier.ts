import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../config/clock';
import { isPrintableText } from '../domain/printable-text';
import { isArea } from '../domain/reference-areas';
import { UnauthenticatedError } from '../errors';
import { AGENCIES, ALL_AREAS, ROLES, type Agency, type Principal, type Role } from './principal';

// Bearer tokens: JWTs signed RS256 or ES256 (a configured public key) or HS256 (a shared secret), verified with jose. Anything that cannot be trusted or used is a 401.

/** Verifies a bearer token and answers whose it is; throws UnauthenticatedError (401) otherwise. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export type JwtAlgorithm = 'RS256' | 'ES256' | 'HS256';

export interface JwtVerifierOptions {
  /** A public key (PEM text or a KeyObject, RSA or EC P-256), or a shared secret of at least 32 bytes. */
  key: { publicKey: string | KeyObject } | { secret: string | Uint8Array };
  /** When set, tokens must carry exactly this `iss`. */
  issuer?: string;
  /** When set, tokens must be for this `aud`. */
  audience?: string;
  /** The service's clock (tests move it); expiry and not-before are judged by it. */
  clock?: Clock;
  /** Allowed clock skew between issuer and service, seconds (default 30). */
  clockToleranceSeconds?: number;
  /** Longest lifetime (`exp` - `iat`) a token may have, seconds (default 12 hours). */
  maxLifetimeSeconds?: number;
}

/** Default longest token lifetime: a working day and a half; a stolen token is useful no longer. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;

/** Longest token accepted: a real one is well under 2 KB. */
export const MAX_TOKEN_LENGTH = 8192;
export const MIN_SECRET_BYTES = 32;
const MAX_SUB_LENGTH = 128;

/** Configuration that cannot work (a bad key, a short secret): the service must not start. */
export class AuthConfigError extends Error {}

/** The verification key and its one algorithm (never taken from the token's header). */
export function verificationKey(key: JwtVerifierOptions['key']): { key: KeyObject; algorithm: JwtAlgorithm } {
  if ('secret' in key) {
    const bytes = typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : Buffer.from(key.secret);
    if (bytes.length < MIN_SECRET_BYTES) throw new AuthConfigError(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long.`);
    return { key: createSecretKey(bytes), algorithm: 'HS256' };
  }
  // createPublicKey accepts a private key PEM too (it derives the public half): the service would then run holding the key that mints every token. Refuse it instead.
  if (typeof key.publicKey === 'string' && isPrivateKeyPem(key.publicKey)) {
    throw new AuthConfigError(
      'The token verification key is a private key. Give the service the public key only (openssl pkey -pubout), and keep the private key with whoever issues tokens.',
    );
  }
  let publicKey: KeyObject;
  try {
    publicKey = typeof key.publicKey === 'string' ? createPublicKey(key.publicKey) : key.publicKey;
  } catch {
    throw new AuthConfigError('AUTH_JWT_PUBLIC_KEY is not a PEM public key (expected -----BEGIN PUBLIC KEY-----).');
  }
  if (publicKey.type !== 'public') throw new AuthConfigError('The token verification key must be a public key, not a private one.');
  if (publicKey.asymmetricKeyType === 'rsa') {
    if ((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new AuthConfigError('An RSA verification key must be at least 2048 bits.');
    return { key: publicKey, algorithm: 'RS256' };
  }
  if (publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key: publicKey, algorithm: 'ES256' };
  throw new AuthConfigError('The token verification key must be RSA (RS256) or EC P-256 (ES256).');
}

function isPrivateKeyPem(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const { key, algorithm } = verificationKey(options.key);
  const tolerance = options.clockToleranceSeconds ?? 30;
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  return {
    async verify(token: string): Promise<Principal> {
      if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated('The bearer token is too long to be one of ours.', 'token-length');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: tolerance,
          currentDate: options.clock?.now(),
          requiredClaims: ['sub', 'exp', 'iat'],
        }));
      } catch (error) {
        throw fromJoseError(error);
      }
      assertLifetime(payload, { now: (options.clock?.now() ?? new Date()).getTime() / 1000, tolerance, maxLifetime });
      return principalFromClaims(payload);
    },
  };
}

/** `iat` not in the future and `exp - iat` within the longest lifetime; numbers only, since jose takes `exp: 1e400` (Infinity) as "never expires". */
function assertLifetime(payload: JWTPayload, limits: { now: number; tolerance: number; maxLifetime: number }): void {
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat) || typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw unauthenticated('The bearer token needs issued-at (iat) and expiry (exp) times.', 'claims');
  }
  if (iat > limits.now + limits.tolerance) throw unauthenticated("The bearer token was issued in the future; check the issuer's clock.", 'not-yet-valid');
  if (exp - iat > limits.maxLifetime) {
    throw unauthenticated(`The bearer token lives longer than this service accepts (at most ${limits.maxLifetime} seconds); ask for a shorter one.`, 'lifetime');
  }
}

/** The claims `sub`, `agency`, `roles`, `areas` as a principal, or a 401 naming the bad claim. */
export function principalFromClaims(payload: JWTPayload): Principal {
  const { sub, agency, roles, areas } = payload as JWTPayload & Record<'agency' | 'roles' | 'areas', unknown>;
  // Not blank, no control or bidi characters: sub becomes the actor of events and audit entries.
  if (!isPrintableText(sub, MAX_SUB_LENGTH)) {
    throw badClaim('sub', `sub must be 1-${MAX_SUB_LENGTH} printable characters, not blank, without control or direction-changing characters`);
  }
  if (typeof agency !== 'string' || !(AGENCIES as readonly string[]).includes(agency)) {
    throw badClaim('agency', `agency must be one of ${AGENCIES.join(', ')}`);
  }
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > ROLES.length || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
    throw badClaim('roles', `roles must be a list of ${ROLES.join(', ')}`);
  }
  const areaList = areas === ALL_AREAS ? [ALL_AREAS] : areas;
  if (!Array.isArray(areaList) || areaList.length === 0 || areaList.length > 64 || !areaList.every((a) => a === ALL_AREAS || isArea(a))) {
    throw badClaim('areas', 'areas must be a list of MAPPA area ids, or *');
  }
  return {
    sub,
    agency: agency as Agency,
    roles: [...new Set(roles as Role[])],
    areas: areaList.includes(ALL_AREAS) ? [ALL_AREAS] : [...new Set(areaList as string[])],
  };
}

function fromJoseError(error: unknown): UnauthenticatedError {
  if (error instanceof joseErrors.JWTExpired) return unauthenticated('The bearer token has expired; ask for a new one.', 'expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return unauthenticated(`The bearer token lacks the ${error.claim} claim this service requires.`, 'claims');
    if (error.claim === 'nbf' || error.claim === 'iat') return unauthenticated('The bearer token is not valid yet.', 'not-yet-valid');
    if (error.claim === 'iss' || error.claim === 'aud') return unauthenticated(`The bearer token was not issued for this service (${error.claim}).`, error.claim);
    return unauthenticated(`The bearer token lacks a usable ${error.claim} claim.`, 'claims');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return unauthenticated('The bearer token is not signed by a key this service trusts.', 'signature');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return unauthenticated('The bearer token is signed with an algorithm this service does not accept.', 'algorithm');
  return unauthenticated('The bearer token is malformed or cannot be verified.', 'malformed');
}

const unauthenticated = (message: string, rule: string) => new UnauthenticatedError(message, [{ field: 'Authorization', rule, message }]);
const badClaim = (claim: string, message: string) =>
  new UnauthenticatedError(`The bearer token's ${claim} claim is not usable: ${message}.`, [{ field: `token.${claim}`, rule: 'claims', message }]);
