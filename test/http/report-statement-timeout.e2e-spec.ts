import type { NestExpressApplication } from '@nestjs/platform-express';
import { generateKeyPair, type KeyLike } from 'jose';
import type { KeyObject } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createJwtVerifier } from '../../src/auth/jwt-verifier';
import { mintToken } from '../../src/auth/mint-token';
import { createHttpApp } from '../../src/http/create-http-app';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';
import { principal } from '../support/secured-app';

// The attack: a report that runs for as long as it likes holds a connection and a core. On
// PostgreSQL every report statement has a timeout; past it, the caller gets a 503 that says so,
// with Retry-After, never a 500 and never an answer that waits without end. A lock held on the
// read models makes the report's statement wait: slower than any timeout, without timing anything.

describeWithPostgres('report statement timeout (PostgreSQL)', (url) => {
  const schema = uniqueSchemaName('report_timeout');
  let app: NestExpressApplication;
  let bearer: string;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    app = await createHttpApp({
      config: { eventStore: 'postgres', databaseUrl: url, dataDir: '/nonexistent', port: 0, schema },
      auth: { development: false, verifier: createJwtVerifier({ key: { publicKey: publicKey as KeyObject } }) },
      rateLimit: false,
      reportStatementTimeoutMs: 300,
    });
    app.useLogger(false);
    await app.listen(0, '127.0.0.1');
    const key = { privateKey: privateKey as KeyLike as KeyObject, publicKey: publicKey as KeyObject, algorithm: 'ES256' as const };
    bearer = `Bearer ${await mintToken(principal({ roles: ['analyst'], areas: ['kent'] }), { key })}`;
  });
  afterAll(async () => {
    await app?.close();
    await dropSchema(url, schema);
  });

  it('answers 503 store-unavailable with Retry-After when a report statement runs past the timeout', async () => {
    const report = () => request(app.getHttpServer()).get('/reports/kent/2014-15').set('Authorization', bearer);
    expect((await report()).status).toBe(200);

    const locker = new Client({ connectionString: url });
    await locker.connect();
    // Without the timeout the report would wait for this lock; let it go after 5 s regardless.
    const letGo = setTimeout(() => void locker.query('ROLLBACK').catch(() => undefined), 5000);
    try {
      await locker.query(`BEGIN; LOCK TABLE "${schema}".rm_intervals IN ACCESS EXCLUSIVE MODE`);
      const slow = await report();
      expect(slow.status).toBe(503);
      expect(slow.body).toEqual({
        error: 'store-unavailable',
        message: expect.stringMatching(/longer than the service allows/),
        details: [expect.objectContaining({ rule: 'statement-timeout' })],
      });
      expect(Number(slow.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      clearTimeout(letGo);
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    // Nothing was left broken: the next report is answered.
    expect((await report()).status).toBe(200);
  });
});
