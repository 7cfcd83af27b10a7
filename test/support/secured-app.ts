import type { NestExpressApplication } from '@nestjs/platform-express';
import { generateKeyPair, type KeyLike } from 'jose';
import { mkdtemp, rm } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger as PinoLogger } from 'pino';
import request from 'supertest';
import { STORAGE, type Storage } from '../../src/app.module';
import { createJwtVerifier } from '../../src/auth/jwt-verifier';
import { mintToken, type MintOptions } from '../../src/auth/mint-token';
import type { Principal } from '../../src/auth/principal';
import type { Clock } from '../../src/config/clock';
import { createHttpApp } from '../../src/http/create-http-app';
import type { AdmissionLimits } from '../../src/http/admission-control';
import type { RateLimitSettings } from '../../src/http/rate-limit';
import type { ReportReadLimits } from '../../src/http/report-read-limiter';

/** The HTTP app on a fresh embedded store, verifying tokens with a key pair made for this run. */
export interface SecuredApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  storage: Storage;
  /** A token for `principal`, signed with this run's key (options: lifetime, not-before, clock). */
  token(principal: Principal, options?: Omit<MintOptions, 'key'>): Promise<string>;
  /** How many events the store holds, and its last position: what a refused request must not change. */
  storeFingerprint(): Promise<{ count: number; lastPosition: string | null }>;
  close(): Promise<void>;
}

export async function startSecuredApp(
  options: {
    rateLimit?: RateLimitSettings | false;
    reportReads?: ReportReadLimits | false;
    admission?: AdmissionLimits | false;
    clock?: Clock;
    development?: boolean;
    logger?: PinoLogger;
  } = {},
): Promise<SecuredApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mappa-auth-'));
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const app = await createHttpApp({
    config: { eventStore: 'embedded', dataDir, databaseUrl: undefined, port: 0, schema: undefined },
    clock: options.clock,
    auth: { development: options.development ?? false, verifier: createJwtVerifier({ key: { publicKey: publicKey as KeyObject }, clock: options.clock }) },
    rateLimit: options.rateLimit ?? false,
    reportReads: options.reportReads,
    admission: options.admission,
    logger: options.logger,
  });
  if (!options.logger) app.useLogger(false);
  await app.listen(0, '127.0.0.1');
  const storage = app.get<Storage>(STORAGE);
  const signingKey = { privateKey: privateKey as KeyLike as KeyObject, publicKey: publicKey as KeyObject, algorithm: 'ES256' as const };
  return {
    app,
    http: () => request(app.getHttpServer()),
    storage,
    token: (principal, mintOptions = {}) => mintToken(principal, { ...mintOptions, key: signingKey }),
    async storeFingerprint() {
      const { rows } = await storage.sql!.query<{ count: string }>('SELECT count(*)::text AS count FROM events');
      const last = await storage.store.lastPosition();
      return { count: Number(rows[0].count), lastPosition: last?.toString() ?? null };
    },
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A principal for tests. */
export const principal = (p: Partial<Principal> & Pick<Principal, 'roles'>): Principal => ({
  sub: `${p.agency ?? 'police'}-${p.roles.join('-')}-${(p.areas ?? ['greater-manchester']).join('-')}`,
  agency: 'police',
  areas: ['greater-manchester'],
  ...p,
});
