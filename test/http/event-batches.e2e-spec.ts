import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// POST /events under attack (issue 10, items 1 and 6): a caller who may not write is refused
// before its body is read; a batch over 10,000 lines is refused whole, before anything is
// recorded; the answer's size follows its refused lines, never its accepted ones; and a line with
// control characters or absurd nesting is refused on its own while the good lines are recorded.

const GM = 'greater-manchester';
const NDJSON = 'application/x-ndjson';
/** The documented line limit of a batch (docs/security.md 4). */
const NDJSON_MAX_LINES = 10_000;

interface RawAnswer {
  status: number;
  body: string;
  /** Whether the client had finished sending the body when the answer arrived. */
  bodyFinished: boolean;
}

describe('POST /events under attack', () => {
  let s: SecuredApp;
  let recorder: string;
  let analyst: string;
  const run = randomUUID().slice(0, 8);
  const registration = (offenderId: string) =>
    JSON.stringify({ type: 'OffenderRegistered', offenderId, occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true } });
  const levelChanged = (offenderId: string, occurredOn: string, data: Record<string, unknown>) => JSON.stringify({ type: 'LevelChanged', offenderId, occurredOn, data });

  const postBatch = (token: string | null, body: string) => {
    const req = s.http().post('/events').set('Content-Type', NDJSON);
    return (token ? req.set('Authorization', `Bearer ${token}`) : req).send(body);
  };

  /**
   * Sends the headers of a large batch and its first 64 KB, then waits without sending the rest:
   * a server that reads the body before judging the caller never answers.
   */
  function postWithoutFinishing(token: string | null, declaredBytes: number): Promise<RawAnswer> {
    const { port } = s.app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const bodyFinished = false;
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/events',
        headers: { 'Content-Type': NDJSON, 'Content-Length': declaredBytes, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      });
      const giveUp = setTimeout(() => {
        req.destroy();
        resolve({ status: 0, body: 'no answer within 5 s while the body was still being sent', bodyFinished });
      }, 5_000);
      req.on('response', (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => (body += c))
          .on('end', () => {
            clearTimeout(giveUp);
            const answer = { status: res.statusCode ?? 0, body, bodyFinished };
            req.destroy();
            resolve(answer);
          });
      });
      req.on('error', (error) => {
        clearTimeout(giveUp);
        reject(error);
      });
      req.write('not even json, just junk\n'.repeat(2_700)); // about 64 KB of the declared size
    });
  }

  beforeAll(async () => {
    s = await startSecuredApp();
    recorder = await s.token(principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] }));
    analyst = await s.token(principal({ roles: ['analyst', 'auditor'], agency: 'moj', areas: ['*'] }));
  });
  afterAll(() => s?.close());

  describe('the caller is judged before the body is read', () => {
    it('an analyst gets 403 while its 2 MB body is still being sent', async () => {
      const before = await s.storeFingerprint();
      const answer = await postWithoutFinishing(analyst, 2 * 1024 * 1024);
      expect(answer).toMatchObject({ status: 403, bodyFinished: false });
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'forbidden', details: [{ rule: 'role' }] });
      expect(await s.storeFingerprint()).toEqual(before);
    });

    it('a caller without a token gets 401 while its body is still being sent', async () => {
      const answer = await postWithoutFinishing(null, 2 * 1024 * 1024);
      expect(answer).toMatchObject({ status: 401, bodyFinished: false });
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'unauthenticated' });
    });

    it('the analyst junk attack of issue 10: 2 MB of junk lines get a small 403, not a result per line', async () => {
      const before = await s.storeFingerprint();
      const junk = 'junk line, not an event\n'.repeat(Math.ceil((2 * 1024 * 1024) / 24));
      const res = await postBatch(analyst, junk);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden');
      expect(res.text.length).toBeLessThan(1_000);
      expect(await s.storeFingerprint()).toEqual(before);
    });
  });

  describe('a batch has at most 10,000 lines', () => {
    it('10,001 lines are refused with 413 before any is recorded, even the good first line', async () => {
      const before = await s.storeFingerprint();
      const lines = [registration(`B-${run}-over`), ...Array.from({ length: NDJSON_MAX_LINES }, (_, k) => `{"junk": ${k}}`)];
      const res = await postBatch(recorder, lines.join('\n'));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: 'payload-too-large', details: [{ rule: 'lines' }] });
      expect(res.body.message).toMatch(/10,000 lines/);
      expect(await s.storeFingerprint()).toEqual(before);
    });

    it('blank lines do not count: 10,000 lines and blank ones between them are read', async () => {
      const lines = Array.from({ length: NDJSON_MAX_LINES }, (_, k) => `{"junk": ${k}}\n\r\n   `);
      const res = await postBatch(recorder, lines.join('\n'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ appended: 0, duplicates: 0, refused: NDJSON_MAX_LINES });
    });
  });

  describe('the answer is bounded by the refused lines', () => {
    it("a recorder's 10,000 lines: accepted ones counted, not listed; each refused one listed, small", async () => {
      const before = await s.storeFingerprint();
      const good = Array.from({ length: 200 }, (_, k) => `B-${run}-good-${k}`);
      const lines: string[] = [];
      for (let k = 0; k < NDJSON_MAX_LINES; k++) lines.push(k % 50 === 0 ? registration(good[k / 50]) : `junk ${k} ${'x'.repeat(k % 300)}`);
      const res = await postBatch(recorder, lines.join('\n'));
      expect(res.status).toBe(200);
      const refused = NDJSON_MAX_LINES - good.length;
      expect(res.body).toMatchObject({ appended: good.length, duplicates: 0, refused });
      expect(Object.keys(res.body).sort()).toEqual(['appended', 'duplicates', 'lastPosition', 'refusals', 'refused']);
      expect(res.body.refusals).toHaveLength(refused);
      expect(res.body.refusals.every((r: { line: number; error: { error: string } }) => (r.line - 1) % 50 !== 0 && r.error.error === 'invalid-input')).toBe(true);
      // No accepted line is listed: none of their offender ids is in the answer.
      for (const offenderId of good) expect(res.text).not.toContain(offenderId);
      // A refused junk line costs a bounded, small part of the answer, whatever its length.
      expect(res.text.length).toBeLessThan(200 + 250 * refused);
      expect((await s.storeFingerprint()).count).toBe(before.count + good.length);
    });

    it('a line with hundreds of unknown fields names at most ten of them, each quoted to 64 characters', async () => {
      const data: Record<string, number> = { level: 2 };
      for (let k = 0; k < 500; k++) data[`${'k'.repeat(100)}${k}`] = k;
      const res = await postBatch(recorder, levelChanged(`B-${run}-nobody`, '2014-06-01', data));
      expect(res.status).toBe(200);
      const [refusal] = res.body.refusals;
      expect(refusal.error.error).toBe('invalid-input');
      expect(refusal.error.details.length).toBeLessThanOrEqual(10);
      for (const detail of refusal.error.details) expect(detail.field.replace(/…$/, '').length).toBeLessThanOrEqual(5 + 64);
      expect(refusal.error.message.length).toBeLessThan(300);
      expect(res.text.length).toBeLessThan(4_000);
    });
  });

  describe('one bad line does not spoil its batch', () => {
    it('control characters and deep nesting are refused line by line; the good lines are recorded', async () => {
      const a = `B-${run}-mixed`;
      const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
      const lines = [
        /* 1 */ registration(a),
        /* 2 */ levelChanged(a, '2014-05-01', { level: 2, reason: 'MAPPA meeting\u0000' }),
        /* 3 */ levelChanged(a, '2014-05-02', { level: 2, reason: 'MAPPA meeting' }),
        /* 4 */ `{"type":"LevelChanged","offenderId":"${a}","occurredOn":"2014-05-03","data":{"level":3,"reason":${deep}}}`,
        /* 5 */ levelChanged(a, '2014-05-04', { level: 3, reason: 'review \u202eteem APPAM' }),
        /* 6 */ levelChanged(a, '2014-05-05', { level: 3, reason: 'line one\nline two' }),
        /* 7 */ levelChanged(a, '2014-05-06', { level: 3, reason: 'C1 control \u0085 here' }),
        /* 8 */ `{"type":"LevelChanged","offenderId":"${a}","occurredOn":"2014-05-07","data":{"level":3,"reason":"half a pair \\ud800"}}`,
        /* 9 */ `{"type":"LevelChanged","offenderId":"${a}","occurredOn":"2014-05-08","data":{"level":3},"x":${deep}}`,
        /* 10 */ JSON.stringify({ type: 'LevelChanged', offenderId: a, occurredOn: '2014-05-09', data: { level: 3 }, ['bad\u0000key']: 1 }),
        /* 11 */ JSON.stringify({ type: 'LevelChanged', offenderId: a, occurredOn: '2014-05-10', data: { level: 3, reason: 'x'.repeat(70_000) } }),
        /* 12 */ levelChanged(a, '2014-06-01', { level: 3, reason: 'réunion MAPPA, 会议' }),
      ];
      const before = await s.storeFingerprint();
      const res = await postBatch(recorder, lines.join('\n'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ appended: 3, duplicates: 0, refused: 9 });
      const refusals = res.body.refusals as Array<{ line: number; error: { error: string; details: Array<{ field?: string; rule?: string }> } }>;
      expect(refusals.map((r) => [r.line, r.error.error, r.error.details[0]?.rule])).toEqual([
        [2, 'invalid-input', 'control-character'],
        [4, 'invalid-input', 'depth'],
        [5, 'invalid-input', 'control-character'],
        [6, 'invalid-input', 'control-character'],
        [7, 'invalid-input', 'control-character'],
        [8, 'invalid-input', 'control-character'],
        [9, 'invalid-input', 'depth'],
        [10, 'invalid-input', 'control-character'],
        [11, 'payload-too-large', 'size'],
      ]);
      expect(refusals[0].error.details[0].field).toBe('data.reason');
      expect(JSON.stringify(refusals)).not.toMatch(/\\u0000|\\u202e/i);
      expect((await s.storeFingerprint()).count).toBe(before.count + 3);
      const stored = await s.storage.store.readStream(a);
      expect(stored.map((e) => [e.type, e.occurredOn])).toEqual([
        ['OffenderRegistered', '2014-04-01'],
        ['LevelChanged', '2014-05-02'],
        ['LevelChanged', '2014-06-01'],
      ]);
    });

    it('the same characters in a single posted event are a 400 that names the field, and nothing is stored', async () => {
      const a = `B-${run}-single`;
      expect((await postBatch(recorder, registration(a))).body.appended).toBe(1);
      const before = await s.storeFingerprint();
      for (const reason of ['nul \u0000', 'tab\there', 'override \u202e', 'isolate \u2067', 'c1 \u009b']) {
        const res = await s
          .http()
          .post(`/offenders/${a}/events`)
          .set('Authorization', `Bearer ${recorder}`)
          .send({ type: 'LevelChanged', occurredOn: '2014-05-01', data: { level: 2, reason } });
        expect({ reason, status: res.status, rule: res.body.details?.[0]?.rule, field: res.body.details?.[0]?.field }).toEqual({
          reason,
          status: 400,
          rule: 'control-character',
          field: 'data.reason',
        });
      }
      expect(await s.storeFingerprint()).toEqual(before);
    });
  });

  describe('the request must be plain UTF-8 NDJSON', () => {
    it('refuses a compressed body or another charset with 400, before reading it', async () => {
      const before = await s.storeFingerprint();
      const gz = await s
        .http()
        .post('/events')
        .set('Authorization', `Bearer ${recorder}`)
        .set('Content-Type', NDJSON)
        .set('Content-Encoding', 'gzip')
        .send(registration(`B-${run}-gz`));
      expect([gz.status, gz.body.details?.[0]?.field]).toEqual([400, 'Content-Encoding']);
      const latin1 = await s
        .http()
        .post('/events')
        .set('Authorization', `Bearer ${recorder}`)
        .set('Content-Type', `${NDJSON}; charset=latin1`)
        .send(registration(`B-${run}-latin1`));
      expect([latin1.status, latin1.body.details?.[0]?.rule]).toEqual([400, 'charset']);
      expect(await s.storeFingerprint()).toEqual(before);
    });
  });
});
