import { readFile } from 'node:fs/promises';
import { loadOrCreateDevSigningKey, signingKeyFromPem, type SigningKey } from '../auth/dev-signing-key';
import { maxTokenLifetime } from '../auth/auth-config';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, MIN_SECRET_BYTES } from '../auth/jwt-verifier';
import { mintToken } from '../auth/mint-token';
import { AGENCIES, ALL_AREAS, ROLES, type Agency, type Principal, type Role } from '../auth/principal';
import { isArea } from '../domain/reference-areas';
import { echo } from '../errors';

// `mappa token`: a bearer token for development and tests, signed with --private-key FILE, else AUTH_JWT_SECRET, else the local development key.

export interface TokenCommandOptions {
  role: string[];
  agency: string;
  areas: string;
  sub?: string;
  ttl?: string;
  privateKey?: string;
}

/** The signed token, or an Error whose message tells the user what to fix. */
export async function tokenCommand(options: TokenCommandOptions, env: NodeJS.ProcessEnv, dataDir: string, now = new Date()): Promise<string> {
  const roles = [
    ...new Set(
      options.role
        .flatMap((r) => r.split(','))
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ];
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || bad.length > 0) throw new Error(`--role must be one or more of ${ROLES.join(', ')}${bad.length ? `, not ${echo(bad.join(', '))}` : ''}.`);
  if (!(AGENCIES as readonly string[]).includes(options.agency)) throw new Error(`--agency must be one of ${AGENCIES.join(', ')}, not '${echo(options.agency)}'.`);
  const areas = [
    ...new Set(
      options.areas
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
  const badAreas = areas.filter((a) => a !== ALL_AREAS && !isArea(a));
  if (areas.length === 0 || badAreas.length > 0)
    throw new Error(`--areas must be MAPPA area ids separated by commas, or *${badAreas.length ? `; not areas: ${echo(badAreas.join(', '))}` : ''}.`);
  const ttlSeconds = parseTtl(options.ttl ?? '1h', maxTokenLifetime(env));

  const principal: Principal = {
    sub: options.sub ?? `dev-${options.agency}-${roles.join('-')}`,
    agency: options.agency as Agency,
    roles: roles as Role[],
    areas: areas.includes(ALL_AREAS) ? [ALL_AREAS] : areas,
  };
  return mintToken(principal, {
    key: await signingKey(options.privateKey, env, dataDir),
    ttlSeconds,
    issuer: env.AUTH_JWT_ISSUER?.trim() || undefined,
    audience: env.AUTH_JWT_AUDIENCE?.trim() || undefined,
    now,
  });
}

/** The public key of the local development key, PEM (to configure a server with AUTH_JWT_PUBLIC_KEY_FILE). */
export async function devPublicKeyPem(dataDir: string): Promise<string> {
  const key = await loadOrCreateDevSigningKey(dataDir);
  return key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

async function signingKey(privateKeyFile: string | undefined, env: NodeJS.ProcessEnv, dataDir: string): Promise<SigningKey | { secret: string }> {
  if (privateKeyFile) return signingKeyFromPem(await readFile(privateKeyFile, 'utf8'), privateKeyFile);
  const secret = env.AUTH_JWT_SECRET;
  if (secret) {
    if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) throw new Error(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long.`);
    return { secret };
  }
  return loadOrCreateDevSigningKey(dataDir);
}

/** `3600`, `90s`, `30m`, `8h`, `2d`: at most `max` seconds (the server's AUTH_JWT_MAX_LIFETIME_SECONDS). */
export function parseTtl(value: string, max = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS): number {
  const m = /^(\d{1,7})([smhd]?)$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(seconds > 0)) throw new Error('--ttl must be a lifetime such as 3600, 30m or 8h.');
  if (seconds > max) {
    throw new Error(
      `--ttl ${echo(value)} is longer than tokens may live: at most ${max} seconds (${max / 3600} h; AUTH_JWT_MAX_LIFETIME_SECONDS), or the service refuses the token.`,
    );
  }
  return seconds;
}
