import { readFileSync } from 'node:fs';
import type { Clock } from '../config/clock';
import type { AuthSettings } from './auth-settings';
import { devSigningKeyFile, loadOrCreateDevSigningKey } from './dev-signing-key';
import { AuthConfigError, createJwtVerifier, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, type JwtVerifierOptions } from './jwt-verifier';
import { echo } from '../errors';

// Token verification settings from the environment (docs/security.md, "Configuration"); development mode only when asked for explicitly.

export interface AuthEnvConfig {
  /** The key tokens are verified with; undefined when none is configured. */
  key: JwtVerifierOptions['key'] | undefined;
  issuer?: string;
  audience?: string;
  clockToleranceSeconds?: number;
  /** AUTH_JWT_MAX_LIFETIME_SECONDS: longest `exp` - `iat` accepted (default 12 hours). */
  maxLifetimeSeconds: number;
  /** AUTH_DEV_MODE=1 (or its alias MAPPA_DEV_AUTH=1). */
  development: boolean;
}

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthEnvConfig {
  const pem = env.AUTH_JWT_PUBLIC_KEY?.trim();
  const pemFile = env.AUTH_JWT_PUBLIC_KEY_FILE?.trim();
  const secret = env.AUTH_JWT_SECRET;
  const given = [pem && 'AUTH_JWT_PUBLIC_KEY', pemFile && 'AUTH_JWT_PUBLIC_KEY_FILE', secret && 'AUTH_JWT_SECRET'].filter(Boolean);
  if (given.length > 1) throw new AuthConfigError(`Set only one of AUTH_JWT_PUBLIC_KEY, AUTH_JWT_PUBLIC_KEY_FILE and AUTH_JWT_SECRET, not ${given.join(' and ')}.`);

  let key: AuthEnvConfig['key'];
  if (pem) key = { publicKey: pem.replace(/\\n/g, '\n') };
  else if (pemFile) {
    try {
      key = { publicKey: readFileSync(pemFile, 'utf8') };
    } catch (error) {
      throw new AuthConfigError(`AUTH_JWT_PUBLIC_KEY_FILE ${echo(pemFile)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  } else if (secret) key = { secret };

  const tolerance = env.AUTH_JWT_CLOCK_TOLERANCE_SECONDS?.trim();
  if (tolerance && !/^\d{1,4}$/.test(tolerance)) throw new AuthConfigError('AUTH_JWT_CLOCK_TOLERANCE_SECONDS must be a whole number of seconds.');
  return {
    key,
    issuer: env.AUTH_JWT_ISSUER?.trim() || undefined,
    audience: env.AUTH_JWT_AUDIENCE?.trim() || undefined,
    clockToleranceSeconds: tolerance ? Number(tolerance) : undefined,
    maxLifetimeSeconds: maxTokenLifetime(env),
    development: flag('AUTH_DEV_MODE', env.AUTH_DEV_MODE) || flag('MAPPA_DEV_AUTH', env.MAPPA_DEV_AUTH),
  };
}

/** AUTH_JWT_MAX_LIFETIME_SECONDS, or 12 hours; `mappa token` mints within it too. */
export function maxTokenLifetime(env: NodeJS.ProcessEnv): number {
  const value = env.AUTH_JWT_MAX_LIFETIME_SECONDS?.trim();
  if (!value) return DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (!/^\d{1,7}$/.test(value) || Number(value) < 60) {
    throw new AuthConfigError(`AUTH_JWT_MAX_LIFETIME_SECONDS must be a whole number of seconds, at least 60, not '${echo(value)}'.`);
  }
  return Number(value);
}

function flag(name: string, value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new AuthConfigError(`${name} must be 1 or 0, not '${echo(value)}'.`);
}

export const NO_AUTH_CONFIG_MESSAGE = [
  'mappa serve will not start without a way to verify bearer tokens.',
  'Set AUTH_JWT_PUBLIC_KEY (PEM, RS256 or ES256), AUTH_JWT_PUBLIC_KEY_FILE, or AUTH_JWT_SECRET (HS256, at least 32 bytes);',
  'or, on your own machine only, ask for development mode with `mappa serve --dev-auth` or AUTH_DEV_MODE=1.',
  'See docs/security.md.',
].join('\n');

export const NO_ISSUER_AUDIENCE_MESSAGE = [
  'mappa serve will not start without AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE:',
  'tokens must name who issued them (iss) and that they are meant for this service (aud).',
  'Set both to the values your identity provider puts in its tokens. See docs/security.md.',
].join('\n');

export interface ServeAuth {
  settings: AuthSettings;
  /** A warning to print on every start (development mode), or null. */
  banner: string | null;
}

/** The authentication `mappa serve` runs with; AuthConfigError when there is no key and development mode was not asked for. */
export async function resolveServeAuth(env: NodeJS.ProcessEnv, options: { devAuth?: boolean; dataDir: string; clock?: Clock }): Promise<ServeAuth> {
  const config = loadAuthConfig(env);
  const development = Boolean(options.devAuth) || config.development;
  const verifierOptions = {
    issuer: config.issuer,
    audience: config.audience,
    clockToleranceSeconds: config.clockToleranceSeconds,
    maxLifetimeSeconds: config.maxLifetimeSeconds,
    clock: options.clock,
  };
  if (config.key) {
    const verifier = createJwtVerifier({ key: config.key, ...verifierOptions });
    // A token of any issuer trusting the same key, or meant for another service, must not pass here.
    if (!development && (!config.issuer || !config.audience)) throw new AuthConfigError(NO_ISSUER_AUDIENCE_MESSAGE);
    return { settings: { development, verifier }, banner: development ? developmentBanner('the configured key') : null };
  }
  if (!development) throw new AuthConfigError(NO_AUTH_CONFIG_MESSAGE);
  const devKey = await loadOrCreateDevSigningKey(options.dataDir);
  const verifier = createJwtVerifier({ key: { publicKey: devKey.publicKey }, ...verifierOptions });
  return { settings: { development: true, verifier }, banner: developmentBanner(`the local development key ${devSigningKeyFile(options.dataDir)}`) };
}

function developmentBanner(verifiedWith: string): string {
  const lines = [
    'DEVELOPMENT AUTHENTICATION MODE (--dev-auth / AUTH_DEV_MODE=1)',
    'Requests WITHOUT a token act as "development": every role in every area,',
    'so anyone who can reach this port can read and write all offender data.',
    `Tokens that are sent are still verified, with ${verifiedWith}.`,
    'NEVER run a deployed server like this.',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '!'.repeat(width + 3);
  return [rule, ...lines.map((l) => `!! ${l.padEnd(width - 2)}!!`), rule].join('\n');
}
