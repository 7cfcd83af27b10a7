import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAuthConfig, NO_AUTH_CONFIG_MESSAGE, resolveServeAuth } from '../../src/auth/auth-config';
import { devSigningKeyFile } from '../../src/auth/dev-signing-key';
import { AuthConfigError, createJwtVerifier } from '../../src/auth/jwt-verifier';
import { devPublicKeyPem, parseTtl, tokenCommand } from '../../src/cli/token.command';
import { UnauthenticatedError } from '../../src/errors';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('token settings from the environment, and what mappa serve makes of them', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-auth-config-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses to serve without key configuration unless development mode is asked for', async () => {
    await expect(resolveServeAuth({}, { dataDir })).rejects.toThrow(NO_AUTH_CONFIG_MESSAGE);
    await expect(resolveServeAuth({ AUTH_DEV_MODE: '0' }, { dataDir })).rejects.toBeInstanceOf(AuthConfigError);
  });

  it.each([
    ['--dev-auth', {}, true],
    ['AUTH_DEV_MODE=1', { AUTH_DEV_MODE: '1' }, false],
    ['MAPPA_DEV_AUTH=true', { MAPPA_DEV_AUTH: 'true' }, false],
  ])('development mode by %s: a loud banner, token-less requests as the development principal', async (_, env, devAuth) => {
    const auth = await resolveServeAuth(env, { dataDir, devAuth });
    expect(auth.settings.development).toBe(true);
    expect(auth.banner).toMatch(/DEVELOPMENT AUTHENTICATION MODE/);
    expect(auth.banner).toMatch(/NEVER run a deployed server like this/);
    // The banner is a box: every line the same width.
    expect(new Set(auth.banner!.split('\n').map((l) => l.length)).size).toBe(1);
    // Tokens minted by `mappa token` from the same DATA_DIR verify.
    const token = await tokenCommand({ role: ['auditor'], agency: 'police', areas: 'kent' }, env, dataDir);
    await expect(auth.settings.verifier!.verify(token)).resolves.toMatchObject({ agency: 'police', roles: ['auditor'], areas: ['kent'] });
  });

  it('the local development key lives in DATA_DIR, readable by its owner only', async () => {
    await resolveServeAuth({}, { dataDir, devAuth: true });
    const info = await stat(devSigningKeyFile(dataDir));
    expect(info.mode & 0o077).toBe(0);
    expect(await readFile(devSigningKeyFile(dataDir), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('a configured public key (PEM, in the variable or a file) serves without development mode', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    // A deployed server names the issuer and audience its tokens must carry (docs/security.md).
    const claims = { AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'mappa' };
    const inline = await resolveServeAuth({ ...claims, AUTH_JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n') }, { dataDir });
    expect(inline).toMatchObject({ settings: { development: false }, banner: null });
    const file = path.join(dataDir, 'key.pem');
    await writeFile(file, pem);
    expect((await resolveServeAuth({ ...claims, AUTH_JWT_PUBLIC_KEY_FILE: file }, { dataDir })).settings.development).toBe(false);
  });

  it('a secret serves too, and tokens minted with it verify; issuer and audience are passed through', async () => {
    const env = { AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'mappa-dev', AUTH_JWT_AUDIENCE: 'mappa' };
    const auth = await resolveServeAuth(env, { dataDir });
    const token = await tokenCommand({ role: ['analyst,auditor'], agency: 'moj', areas: '*', sub: 'alice' }, env, dataDir);
    await expect(auth.settings.verifier!.verify(token)).resolves.toEqual({ sub: 'alice', agency: 'moj', roles: ['analyst', 'auditor'], areas: ['*'] });
    const strict = createJwtVerifier({ key: { secret: SECRET }, audience: 'someone-else' });
    await expect(strict.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it.each([
    ['two keys', { AUTH_JWT_SECRET: SECRET, AUTH_JWT_PUBLIC_KEY_FILE: '/x.pem' }, /only one of/],
    ['a short secret', { AUTH_JWT_SECRET: 'short' }, /at least 32 bytes/],
    ['a missing key file', { AUTH_JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }, /cannot be read/],
    ['a key that is not PEM', { AUTH_JWT_PUBLIC_KEY: 'hello' }, /not a PEM public key/],
    ['an odd dev-mode value', { AUTH_DEV_MODE: 'maybe' }, /AUTH_DEV_MODE must be 1 or 0/],
  ])('refuses %s with a clear message', async (_, env, message) => {
    await expect(resolveServeAuth(env, { dataDir })).rejects.toThrow(message);
  });

  it('loadAuthConfig reads the optional clock tolerance', () => {
    expect(loadAuthConfig({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '5' }).clockToleranceSeconds).toBe(5);
    expect(() => loadAuthConfig({ AUTH_JWT_CLOCK_TOLERANCE_SECONDS: 'soon' })).toThrow(AuthConfigError);
  });

  it('mappa token checks its options and prints the development public key on request', async () => {
    await expect(tokenCommand({ role: ['root'], agency: 'police', areas: 'kent' }, {}, dataDir)).rejects.toThrow(/--role must be/);
    await expect(tokenCommand({ role: ['analyst'], agency: 'mi5', areas: 'kent' }, {}, dataDir)).rejects.toThrow(/--agency must be/);
    await expect(tokenCommand({ role: ['analyst'], agency: 'police', areas: 'atlantis' }, {}, dataDir)).rejects.toThrow(/not areas: atlantis/);
    await expect(tokenCommand({ role: ['analyst'], agency: 'police', areas: 'kent', ttl: '30d' }, {}, dataDir)).rejects.toThrow(/--ttl/);
    expect(parseTtl('8h')).toBe(28_800);
    expect(await devPublicKeyPem(dataDir)).toMatch(/BEGIN PUBLIC KEY/);
    // --private-key signs with the given key (RS256 here).
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(dataDir, 'private.pem');
    await writeFile(keyFile, rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const token = await tokenCommand({ role: ['admin'], agency: 'moj', areas: '*', privateKey: keyFile }, {}, dataDir);
    await expect(createJwtVerifier({ key: { publicKey: rsa.publicKey } }).verify(token)).resolves.toMatchObject({ roles: ['admin'] });
  });
});
