import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { AuthConfigError, createJwtVerifier, MAX_TOKEN_LENGTH, type TokenVerifier } from '../../src/auth/jwt-verifier';
import { mintToken } from '../../src/auth/mint-token';
import type { Principal } from '../../src/auth/principal';
import { UnauthenticatedError } from '../../src/errors';

const ANALYST: Principal = { sub: 'analyst-1', agency: 'probation', roles: ['analyst'], areas: ['greater-manchester'] };
const NOW = new Date('2026-01-15T12:00:00Z');
const clock = { now: () => NOW };
const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function rejection(verifier: TokenVerifier, token: string): Promise<UnauthenticatedError> {
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error as UnauthenticatedError;
}

describe('bearer token verification', () => {
  let es: { privateKey: KeyObject; publicKey: KeyObject };
  let other: { privateKey: KeyObject; publicKey: KeyObject };
  let verifier: TokenVerifier;
  const esKey = () => ({ ...es, algorithm: 'ES256' as const });
  const sign = (claims: Record<string, unknown>, key: KeyLike = es.privateKey, alg = 'ES256') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg })
      .setIssuedAt(Math.floor(NOW.getTime() / 1000))
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 3600)
      .sign(key);

  beforeAll(async () => {
    es = (await generateKeyPair('ES256')) as unknown as typeof es;
    other = (await generateKeyPair('ES256')) as unknown as typeof other;
    verifier = createJwtVerifier({ key: { publicKey: await exportSPKI(es.publicKey) }, clock });
  });

  it('accepts an ES256 token signed by the configured key (PEM) and answers its principal', async () => {
    const token = await mintToken(ANALYST, { key: esKey(), now: NOW });
    await expect(verifier.verify(token)).resolves.toEqual(ANALYST);
  });

  it('accepts RS256 with an RSA key, and HS256 with a secret', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaVerifier = createJwtVerifier({ key: { publicKey: rsa.publicKey }, clock });
    await expect(rsaVerifier.verify(await mintToken(ANALYST, { key: { ...rsa, algorithm: 'RS256' }, now: NOW }))).resolves.toEqual(ANALYST);
    const secret = 'a-test-secret-that-is-long-enough-0123456789';
    const hsVerifier = createJwtVerifier({ key: { secret }, clock });
    await expect(hsVerifier.verify(await mintToken(ANALYST, { key: { secret }, now: NOW }))).resolves.toEqual(ANALYST);
  });

  it('refuses expired, not-yet-valid and wrongly signed tokens (401)', async () => {
    const expired = await mintToken(ANALYST, { key: esKey(), now: new Date(NOW.getTime() - 2 * 3600_000), ttlSeconds: 3600 });
    expect((await rejection(verifier, expired)).details[0].rule).toBe('expired');
    const early = await mintToken(ANALYST, { key: esKey(), now: NOW, notBeforeSeconds: 600 });
    expect((await rejection(verifier, early)).details[0].rule).toBe('not-yet-valid');
    const foreign = await mintToken(ANALYST, { key: { ...other, algorithm: 'ES256' }, now: NOW });
    expect((await rejection(verifier, foreign)).details[0].rule).toBe('signature');
  });

  it('refuses a tampered payload, alg none, and HS256 signed with the public key (algorithm confusion)', async () => {
    const good = await mintToken(ANALYST, { key: esKey(), now: NOW });
    const [header, , signature] = good.split('.');
    const elevated = b64({ sub: 'analyst-1', agency: 'moj', roles: ['auditor'], areas: ['*'], exp: Math.floor(NOW.getTime() / 1000) + 600 });
    await rejection(verifier, `${header}.${elevated}.${signature}`);
    await rejection(verifier, `${b64({ alg: 'none', typ: 'JWT' })}.${elevated}.`);
    const pem = await exportSPKI(es.publicKey);
    const confused = `${b64({ alg: 'HS256', typ: 'JWT' })}.${elevated}`;
    const mac = createHmac('sha256', pem).update(confused).digest('base64url');
    expect((await rejection(verifier, `${confused}.${mac}`)).details[0].rule).toBe('algorithm');
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['two parts', 'a.b'],
    ['bad base64', '!!!.@@@.###'],
    ['empty', ''],
    ['json header that is not JOSE', `${b64('[]')}.${b64('{}')}.sig`],
  ])('refuses a malformed token: %s', async (_, token) => {
    await rejection(verifier, token);
  });

  it('refuses an over-long token before any work', async () => {
    expect((await rejection(verifier, 'a'.repeat(MAX_TOKEN_LENGTH + 1))).details[0].rule).toBe('token-length');
  });

  it.each([
    ['no sub', { agency: 'police', roles: ['analyst'], areas: ['kent'] }],
    ['unknown agency', { sub: 'x', agency: 'mi5', roles: ['analyst'], areas: ['kent'] }],
    ['unknown role', { sub: 'x', agency: 'police', roles: ['root'], areas: ['kent'] }],
    ['roles not a list', { sub: 'x', agency: 'police', roles: 'analyst', areas: ['kent'] }],
    ['no roles', { sub: 'x', agency: 'police', roles: [], areas: ['kent'] }],
    ['unknown area', { sub: 'x', agency: 'police', roles: ['analyst'], areas: ['atlantis'] }],
    ['england-and-wales is not an area claim', { sub: 'x', agency: 'police', roles: ['analyst'], areas: ['england-and-wales'] }],
    ['no areas', { sub: 'x', agency: 'police', roles: ['analyst'] }],
    ['control characters in sub', { sub: 'x\u0000y', agency: 'police', roles: ['analyst'], areas: ['kent'] }],
  ])('refuses a token whose claims are unusable: %s', async (_, claims) => {
    await rejection(verifier, await sign(claims));
  });

  it('a token without exp is refused; areas "*" as a string means every area', async () => {
    const noExp = await new SignJWT({ sub: 'x', agency: 'police', roles: ['analyst'], areas: ['kent'] }).setProtectedHeader({ alg: 'ES256' }).sign(es.privateKey);
    await rejection(verifier, noExp);
    await expect(verifier.verify(await sign({ sub: 'x', agency: 'moj', roles: ['analyst'], areas: '*' }))).resolves.toMatchObject({ areas: ['*'] });
  });

  it('checks issuer and audience when configured', async () => {
    const strict = createJwtVerifier({ key: { publicKey: es.publicKey }, issuer: 'https://idp.example', audience: 'mappa', clock });
    const right = await mintToken(ANALYST, { key: esKey(), now: NOW, issuer: 'https://idp.example', audience: 'mappa' });
    await expect(strict.verify(right)).resolves.toEqual(ANALYST);
    await rejection(strict, await mintToken(ANALYST, { key: esKey(), now: NOW, issuer: 'https://other.example', audience: 'mappa' }));
    await rejection(strict, await mintToken(ANALYST, { key: esKey(), now: NOW, issuer: 'https://idp.example', audience: 'other' }));
  });

  it('refuses configuration that cannot be safe: a short secret, a private key, a weak or odd key', () => {
    expect(() => createJwtVerifier({ key: { secret: 'short' } })).toThrow(AuthConfigError);
    expect(() => createJwtVerifier({ key: { publicKey: 'not a pem' } })).toThrow(AuthConfigError);
    const ed = generateKeyPairSync('ed25519');
    expect(() => createJwtVerifier({ key: { publicKey: ed.publicKey } })).toThrow(/RSA .* or EC P-256/);
    expect(() => createJwtVerifier({ key: { publicKey: es.privateKey } })).toThrow(/public key/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => createJwtVerifier({ key: { publicKey: weak.publicKey } })).toThrow(/2048/);
  });
});
