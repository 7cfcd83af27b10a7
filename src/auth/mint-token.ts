import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './dev-signing-key';
import type { Principal } from './principal';

export interface MintOptions {
  /** A private key (RS256/ES256), or the shared secret (HS256) the service verifies with. */
  key: SigningKey | { secret: string };
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  now?: Date;
  /** Not valid before this many seconds after `now` (tests). */
  notBeforeSeconds?: number;
}

/** A signed bearer token carrying the principal's claims (`sub`, `agency`, `roles`, `areas`). */
export async function mintToken(principal: Principal, options: MintOptions): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { signingKey, algorithm } =
    'secret' in options.key
      ? { signingKey: createSecretKey(Buffer.from(options.key.secret, 'utf8')) as KeyObject, algorithm: 'HS256' }
      : { signingKey: options.key.privateKey, algorithm: options.key.algorithm };
  let jwt = new SignJWT({ agency: principal.agency, roles: principal.roles, areas: principal.areas })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setSubject(principal.sub)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now + (options.notBeforeSeconds ?? 0))
    .setExpirationTime(now + (options.ttlSeconds ?? 3600));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(signingKey);
}
