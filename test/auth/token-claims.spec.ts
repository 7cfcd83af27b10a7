import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompactSign, generateKeyPair } from 'jose';
import { NO_ISSUER_AUDIENCE_MESSAGE, resolveServeAuth } from '../../src/auth/auth-config';
import { AuthConfigError, createJwtVerifier, type TokenVerifier } from '../../src/auth/jwt-verifier';
import { mintToken } from '../../src/auth/mint-token';
import { parseTtl, tokenCommand } from '../../src/cli/token.command';
import { UnauthenticatedError } from '../../src/errors';

// Issue 10, item 10: what a token must carry and how long it may live, and what `mappa serve`
// refuses to start with (docs/security.md, section 1).

const NOW = new Date('2026-01-15T12:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);
const clock = { now: () => NOW };
const CLAIMS = { sub: 'analyst-1', agency: 'probation', roles: ['analyst'], areas: ['kent'] };

describe('token claims', () => {
  let es: { privateKey: KeyObject; publicKey: KeyObject };
  let verifier: TokenVerifier;
  /** A token whose payload is exactly this JSON text (so `1e400` reaches the verifier as written). */
  const signText = (json: string) => new CompactSign(new TextEncoder().encode(json)).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(es.privateKey);
  const sign = (claims: Record<string, unknown>) => signText(JSON.stringify({ ...CLAIMS, ...claims }));
  const refusal = async (token: string, v = verifier) => {
    const error = await v.verify(token).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return (error as UnauthenticatedError).details[0]?.rule;
  };

  beforeAll(async () => {
    es = (await generateKeyPair('ES256')) as unknown as typeof es;
    verifier = createJwtVerifier({ key: { publicKey: es.publicKey }, clock });
  });

  it('refuses exp: 1e400 (Infinity after JSON.parse: a token that never expires)', async () => {
    const token = await signText(`{"sub":"analyst-1","agency":"probation","roles":["analyst"],"areas":["kent"],"iat":${now},"exp":1e400}`);
    await refusal(token);
  });

  it('requires iat, and refuses one in the future beyond the clock skew', async () => {
    expect(await refusal(await sign({ exp: now + 600 }))).toBe('claims');
    expect(await refusal(await sign({ iat: now + 120, exp: now + 600 }))).toBe('not-yet-valid');
    await expect(verifier.verify(await sign({ iat: now + 20, exp: now + 600 }))).resolves.toMatchObject({ sub: 'analyst-1' });
  });

  it('refuses a lifetime (exp - iat) over 12 hours by default, or over the configured maximum', async () => {
    expect(await refusal(await sign({ iat: now - 60, exp: now - 60 + 12 * 3600 + 1 }))).toBe('lifetime');
    await expect(verifier.verify(await sign({ iat: now - 60, exp: now - 60 + 12 * 3600 }))).resolves.toMatchObject({ sub: 'analyst-1' });
    const strict = createJwtVerifier({ key: { publicKey: es.publicKey }, clock, maxLifetimeSeconds: 900 });
    expect(await refusal(await sign({ iat: now, exp: now + 901 }), strict)).toBe('lifetime');
    await expect(strict.verify(await sign({ iat: now, exp: now + 900 }))).resolves.toMatchObject({ sub: 'analyst-1' });
  });

  it('with an issuer and audience configured, refuses tokens that do not carry them', async () => {
    const strict = createJwtVerifier({ key: { publicKey: es.publicKey }, clock, issuer: 'https://idp.example', audience: 'mappa' });
    const times = { iat: now, exp: now + 600 };
    await refusal(await sign({ ...times, aud: 'mappa' }), strict);
    await refusal(await sign({ ...times, iss: 'https://idp.example' }), strict);
    await expect(strict.verify(await sign({ ...times, iss: 'https://idp.example', aud: 'mappa' }))).resolves.toMatchObject({ sub: 'analyst-1' });
  });

  it.each([
    ['blank', '   '],
    ['a right-to-left override', 'alice\u202egnp.exe'],
    ['an isolate', '\u2066bob\u2069'],
    ['a left-to-right mark', 'carol\u200e'],
    ['a zero-width space', 'da\u200bve'],
    ['a byte-order mark', '\ufeffeve'],
  ])('refuses a sub that is %s', async (_, sub) => {
    await refusal(await sign({ sub, iat: now, exp: now + 600 }));
  });
});

describe('mappa serve and mappa token settings', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-token-claims-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('will not serve with a key but without AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE, except in development mode', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    await expect(resolveServeAuth({ AUTH_JWT_PUBLIC_KEY: pem }, { dataDir })).rejects.toThrow(NO_ISSUER_AUDIENCE_MESSAGE);
    await expect(resolveServeAuth({ AUTH_JWT_PUBLIC_KEY: pem, AUTH_JWT_ISSUER: 'https://idp.example' }, { dataDir })).rejects.toThrow(AuthConfigError);
    await expect(resolveServeAuth({ AUTH_JWT_PUBLIC_KEY: pem, AUTH_JWT_AUDIENCE: 'mappa' }, { dataDir })).rejects.toThrow(AuthConfigError);
    const full = await resolveServeAuth({ AUTH_JWT_PUBLIC_KEY: pem, AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'mappa' }, { dataDir });
    expect(full.settings.development).toBe(false);
    expect((await resolveServeAuth({ AUTH_JWT_PUBLIC_KEY: pem }, { dataDir, devAuth: true })).settings.development).toBe(true);
  });

  it('refuses a private key given as the public key, in the variable or a file', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const env = { AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'mappa' };
    for (const type of ['pkcs8', 'sec1'] as const) {
      const pem = privateKey.export({ format: 'pem', type }).toString();
      expect(() => createJwtVerifier({ key: { publicKey: pem } })).toThrow(/private key/);
      await expect(resolveServeAuth({ ...env, AUTH_JWT_PUBLIC_KEY: pem }, { dataDir })).rejects.toThrow(/is a private key/);
      const file = path.join(dataDir, `${type}.pem`);
      await writeFile(file, pem);
      await expect(resolveServeAuth({ ...env, AUTH_JWT_PUBLIC_KEY_FILE: file }, { dataDir })).rejects.toThrow(/is a private key/);
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(resolveServeAuth({ ...env, AUTH_JWT_PUBLIC_KEY: rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString() }, { dataDir })).rejects.toThrow(
      /is a private key/,
    );
  });

  it('AUTH_JWT_MAX_LIFETIME_SECONDS sets the longest lifetime; a bad value stops the start', async () => {
    const secret = 'a-test-secret-that-is-long-enough-0123456789';
    const env = { AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: 'mappa-test', AUTH_JWT_AUDIENCE: 'mappa', AUTH_JWT_MAX_LIFETIME_SECONDS: '600' };
    const auth = await resolveServeAuth(env, { dataDir });
    const long = await mintToken({ ...CLAIMS, agency: 'probation', roles: ['analyst'] }, { key: { secret }, ttlSeconds: 601, issuer: 'mappa-test', audience: 'mappa' });
    await expect(auth.settings.verifier!.verify(long)).rejects.toThrow(/lives longer/);
    await expect(resolveServeAuth({ ...env, AUTH_JWT_MAX_LIFETIME_SECONDS: 'forever' }, { dataDir })).rejects.toThrow(/AUTH_JWT_MAX_LIFETIME_SECONDS/);
  });

  it('mappa token mints usable tokens: the default lifetime is within the maximum, a longer --ttl is refused clearly', async () => {
    const secret = 'a-test-secret-that-is-long-enough-0123456789';
    const env = { AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: 'mappa-test', AUTH_JWT_AUDIENCE: 'mappa' };
    const auth = await resolveServeAuth(env, { dataDir });
    for (const ttl of [undefined, '12h']) {
      const token = await tokenCommand({ role: ['analyst'], agency: 'police', areas: 'kent', ttl }, env, dataDir);
      await expect(auth.settings.verifier!.verify(token)).resolves.toMatchObject({ roles: ['analyst'] });
    }
    await expect(tokenCommand({ role: ['analyst'], agency: 'police', areas: 'kent', ttl: '13h' }, env, dataDir)).rejects.toThrow(
      /--ttl 13h is longer than tokens may live: at most 43200 seconds/,
    );
    await expect(tokenCommand({ role: ['analyst'], agency: 'police', areas: 'kent', ttl: '20m' }, { ...env, AUTH_JWT_MAX_LIFETIME_SECONDS: '600' }, dataDir)).rejects.toThrow(
      /at most 600 seconds/,
    );
    expect(() => parseTtl('2d')).toThrow(/longer than tokens may live/);
  });
});
