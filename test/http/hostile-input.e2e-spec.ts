import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { Test } from 'supertest';
import type { Principal } from '../../src/auth/principal';
import { OFFENDER_EVENT_TYPES } from '../../src/domain/offender-event';
import { defineKey } from '../support/event-payload-arbitraries';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Hostile input, generated: at least 2,000 requests per run at the HTTP API (malformed JSON,
// wrong types, huge strings, unicode, injection strings, invalid timelines, forged tokens, odd
// headers and paths; prototype keys at any depth, control characters, deep nesting and reserved
// ids such as `__proto__`, `constructor`, `toString` or `total`). After every one: never a 5xx,
// only documented statuses with the error body {error, message, details}, a refused request
// leaves the event store exactly as it was, and a batch's answer counts what it recorded and
// lists only its refused lines.
// fast-check prints the seed and the shrunk request of any failure; FUZZ_SCALE=5 runs five times as many.

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const RUNS = { events: 900, ndjson: 200, tokens: 500, odd: 500 };
const DOCUMENTED = new Set([200, 201, 400, 401, 403, 404, 409, 413, 422, 429, 431]);
const ERROR_CODES = new Set([
  'invalid-input',
  'unauthenticated',
  'forbidden',
  'not-found',
  'concurrency-conflict',
  'idempotency-conflict',
  'payload-too-large',
  'invalid-timeline',
  'too-many-requests',
  'headers-too-large',
]);
const GM = 'greater-manchester';

interface FuzzRequest {
  kind: keyof typeof RUNS | 'fixed';
  method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The statuses this request may get (all documented); null: any documented one. */
  expect: readonly number[] | null;
}

const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
/** encodeURIComponent, with halves of broken surrogate pairs (which it refuses) as U+FFFD. */
const urlEncode = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\ufffd'));

/** Ids that name JavaScript's object machinery or a report row: each must be an ordinary id, or refused. */
const RESERVED_IDS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'total', 'unassigned'] as const;
/** Keys that must never reach the store, whatever their depth. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
/** Characters no text may hold: C0 and C1 controls, line separators, bidi controls, broken surrogates. */
const UNSAFE_CHARS = ['\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u061c', '\u200f', '\u202e', '\u2066', '\u2028', '\ud800', '\udfff'];

/**
 * Deep nesting cannot go through JSON.stringify (it recurses): a placeholder string stands for it
 * in the event, and `eventText` writes the nesting itself into the JSON text.
 */
const deepPlaceholder = (depth: number, arrays: boolean) => `\u2063deep:${depth}:${arrays ? 'a' : 'o'}\u2063`;
function eventText(event: unknown): string {
  return JSON.stringify(event).replace(/"\\u2063deep:(\d+):([ao])\\u2063"|"\u2063deep:(\d+):([ao])\u2063"/g, (_m, d1, k1, d2, k2) => {
    const depth = Number(d1 ?? d2);
    return (k1 ?? k2) === 'a' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  });
}

describe('hostile input at the HTTP API (property-based)', () => {
  let s: SecuredApp;
  let sent = 0;
  const statuses = new Map<number, number>();
  const started = Date.now();
  const tokens: Record<string, string> = {};
  let forged: string[] = [];
  const offenders = [`F-${randomUUID().slice(0, 8)}-1`, `F-${randomUUID().slice(0, 8)}-2`, `F-${randomUUID().slice(0, 8)}-3`];
  const knownEventIds: string[] = [];
  /** The store as the last request left it (only requests change it; the read side never appends). */
  let fingerprint: Awaited<ReturnType<SecuredApp['storeFingerprint']>>;

  const callers: Record<string, Principal> = {
    policeGm: principal({ roles: ['recorder'], agency: 'police', areas: [GM] }),
    probationGm: principal({ roles: ['recorder'], agency: 'probation', areas: [GM] }),
    mojAll: principal({ roles: ['recorder'], agency: 'moj', areas: ['*'] }),
    prisonLancs: principal({ roles: ['recorder'], agency: 'prison', areas: ['lancashire'] }),
    analystGm: principal({ roles: ['analyst'], agency: 'probation', areas: [GM] }),
    auditorAll: principal({ roles: ['auditor'], agency: 'moj', areas: ['*'] }),
    adminAll: principal({ roles: ['admin'], agency: 'moj', areas: ['*'] }),
  };

  beforeAll(async () => {
    s = await startSecuredApp({ rateLimit: false });
    for (const [name, p] of Object.entries(callers)) tokens[name] = await s.token(p);
    // Forged tokens: each must be a 401 on any protected route.
    const other = await generateKeyPair('ES256');
    const ownKeyPem = await exportSPKI((await generateKeyPair('ES256')).publicKey);
    const claims = { sub: 'mallory', agency: 'moj', roles: ['recorder', 'auditor', 'admin'], areas: ['*'] };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const valid = tokens.policeGm.split('.');
    const confusedInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: 4102444800 })}`;
    forged = [
      await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('1h').sign(other.privateKey),
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: 4102444800 })}.`,
      `${confusedInput}.${createHmac('sha256', ownKeyPem).update(confusedInput).digest('base64url')}`,
      `${valid[0]}.${b64({ ...claims, exp: 4102444800 })}.${valid[2]}`,
      await s.token(callers.mojAll, { now: new Date(Date.now() - 86_400_000), ttlSeconds: 60 }),
      await s.token(callers.mojAll, { notBeforeSeconds: 3600 }),
      await s.token({ ...callers.mojAll, roles: ['superuser' as never] }),
      await s.token({ ...callers.mojAll, areas: ["'; DROP TABLE events; --"] }),
      `${valid[0]}.${valid[1]}`,
      `${valid[0]}.${valid[1]}.${valid[2].slice(0, -4)}AAAA`,
      'a'.repeat(9000),
    ];
    // Some history for timelines to be invalid against.
    for (const offenderId of offenders) {
      const res = await s
        .http()
        .post(`/offenders/${offenderId}/events`)
        .set('Authorization', `Bearer ${tokens.mojAll}`)
        .send({ type: 'OffenderRegistered', occurredOn: '2014-04-01', data: { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true, onLicence: true } });
      expect(res.status).toBe(201);
      knownEventIds.push(res.body.eventId);
    }
    fingerprint = await s.storeFingerprint();
  });

  afterAll(async () => {
    const seconds = (Date.now() - started) / 1000;
    const histogram = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    console.log(`hostile-input fuzz: ${sent} generated requests in ${seconds.toFixed(1)} s (statuses ${histogram})`);
    await s?.close();
  });

  /** Sends one request and checks everything a refused or accepted request must satisfy. */
  async function check(req: FuzzRequest): Promise<void> {
    const before = fingerprint;
    let test: Test = (s.http() as unknown as Record<string, (path: string) => Test>)[req.method](req.path).timeout(20_000);
    for (const [name, value] of Object.entries(req.headers)) test = test.set(name, value);
    if (req.body !== undefined) test = test.send(req.body);
    const res = await test.catch((error: { response?: Awaited<Test> }) => {
      if (error.response) return error.response;
      throw error;
    });
    if (req.kind !== 'fixed') sent++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const after = (fingerprint = await s.storeFingerprint());
    const where = `${req.method.toUpperCase()} ${req.path.slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;

    expect({ where, serverError: res.status >= 500 }).toEqual({ where, serverError: false });
    // The API documentation is static files: a directory-like path there may redirect. The page and
    // the documentation answer a Range request with the part asked for (206), as static files do.
    const askedForPart = Object.keys(req.headers).some((h) => h.toLowerCase() === 'range');
    const documented = DOCUMENTED.has(res.status) || (res.status === 301 && /^\/+docs\//.test(req.path)) || (res.status === 206 && askedForPart);
    expect({ where, documented }).toEqual({ where, documented: true });
    if (req.expect) expect({ where, expected: req.expect.includes(res.status) }).toEqual({ where, expected: true });

    if (res.status >= 400) {
      if (req.method !== 'head') {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect({ where, body: res.body }).toEqual({
          where,
          body: { error: expect.any(String), message: expect.any(String), details: expect.any(Array) },
        });
        expect(ERROR_CODES.has(res.body.error)).toBe(true);
        expect(res.body.message.length).toBeGreaterThan(0);
      }
      expect({ where, store: after }).toEqual({ where, store: before });
    } else if (req.path === '/events' && req.method === 'post' && res.status === 200) {
      // A batch answers 200 with counts and its refused lines only: only its appended lines change the store.
      const body = res.body as { appended: number; duplicates: number; refused: number; lastPosition: string | null; refusals: Array<{ line: number; error: { error: string } }> };
      expect({ where, keys: Object.keys(body).sort() }).toEqual({ where, keys: ['appended', 'duplicates', 'lastPosition', 'refusals', 'refused'] });
      expect(after.count - before.count).toBe(body.appended);
      expect(body.refusals).toHaveLength(body.refused);
      if (req.body !== undefined) expect(body.appended + body.duplicates + body.refused).toBe(req.body.split('\n').filter((l) => l.trim() !== '').length);
      for (const refusal of body.refusals) {
        expect(ERROR_CODES.has(refusal.error.error)).toBe(true);
        expect(refusal.error).toEqual({ error: expect.any(String), message: expect.any(String), details: expect.any(Array) });
      }
      // Its size follows the refused lines, each of them small (docs/decisions.md).
      expect({ where, size: res.text.length <= 200 + 4_000 * body.refused }).toEqual({ where, size: true });
    } else if (res.status === 201) {
      expect(after.count - before.count).toBe(res.headers['idempotent-replay'] ? 0 : 1);
      if (!res.headers['idempotent-replay']) knownEventIds.push(res.body.eventId);
    } else {
      expect({ where, store: after }).toEqual({ where, store: before });
    }
  }

  // ---- generators -------------------------------------------------------------------------

  const injection = fc.constantFrom(
    "'; DROP TABLE events; --",
    '" OR "1"="1',
    '$1',
    '\\x00',
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '${jndi:ldap://x}',
    '{{7*7}}',
    'NaN',
    'null',
    '\u202e\u0000\uffff',
    '𝕸𝔄𝔓𝔓𝔄',
    '🧨'.repeat(50),
    ...RESERVED_IDS,
  );
  /** Text with one character no text may hold, somewhere in it. */
  const controlText = fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...UNSAFE_CHARS), fc.string({ maxLength: 20 }))
    .map(([before, unsafe, after]) => `${before}${unsafe}${after}`);
  const reservedId = fc.constantFrom(...RESERVED_IDS);
  /** Nesting from just under the limit (8 levels) to far beyond it. */
  const deepValue = fc.tuple(fc.oneof(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 13, max: 6_000 })), fc.boolean()).map(([depth, arrays]) => deepPlaceholder(depth, arrays));
  const weirdString = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    injection,
    fc.string({ maxLength: 3000 }),
    controlText,
  );
  const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), weirdString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

  const shortText = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('MAPPA meeting', 'risk review', 'réunion à 9h', '会议') }, weirdString, controlText);
  const date = fc.oneof(
    { weight: 6, arbitrary: fc.date({ min: new Date('2014-03-01'), max: new Date('2015-06-30'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
    fc.date({ min: new Date('2012-01-01'), max: new Date('2016-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.constantFrom('2014-02-30', '2014-13-01', '14-01-01', '2999-01-01', '2014-1-1', '', '2014-04-01T00:00:00Z', '0000-00-00'),
    weirdString,
  );

  const plausibleData: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    OffenderRegistered: fc.record(
      {
        area: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(GM, GM, 'lancashire', 'kent', 'atlantis', 'england-and-wales') }, reservedId),
        division: fc.oneof(fc.constantFrom('salford', 'bolton'), reservedId),
        category: fc.integer({ min: 1, max: 3 }),
        level: fc.integer({ min: 1, max: 3 }),
        inCustody: fc.boolean(),
        underSupervision: fc.boolean(),
        onLicence: fc.boolean(),
      },
      { requiredKeys: ['area', 'category', 'level', 'inCustody', 'underSupervision', 'onLicence'] },
    ),
    CategoryChanged: fc.record({ category: fc.integer({ min: 0, max: 3 }) }),
    LevelChanged: fc.record({ level: fc.integer({ min: 1, max: 4 }), reason: shortText }, { requiredKeys: ['level'] }),
    DivisionChanged: fc.record({ division: fc.oneof(fc.constantFrom('salford', 'bolton', 'nowhere'), reservedId) }),
    OffenderTransferred: fc.record({ toArea: fc.oneof(fc.constantFrom(GM, 'lancashire', 'atlantis'), reservedId), toDivision: reservedId }, { requiredKeys: ['toArea'] }),
    CustodyEntered: fc.record({ reason: fc.constantFrom('sentence', 'remand', 'recall', 'hospital', 'holiday') }),
    ReleasedToCommunity: fc.record({ onLicence: fc.boolean() }),
    SupervisionStarted: fc.constant({}),
    SupervisionEnded: fc.constant({}),
    LicenceBreached: fc.record({ returnedToCustody: fc.boolean() }),
    NotificationRequirementBreached: fc.record({ outcome: fc.constantFrom('caution', 'conviction', 'no-further-action', 'pardon') }),
    SopoImposed: fc.record({ orderId: fc.oneof(fc.constantFrom('S1', 'S2', 'bad id'), reservedId), expiresOn: date }, { requiredKeys: ['orderId'] }),
    NotificationOrderImposed: fc.record({ orderId: fc.oneof(fc.constantFrom('N1', 'N2'), reservedId) }),
    ForeignTravelOrderImposed: fc.record({ orderId: fc.oneof(fc.constantFrom('T1', 'T2'), reservedId), expiresOn: date }, { requiredKeys: ['orderId'] }),
    SopoBreached: fc.record({ orderId: fc.oneof(fc.constantFrom('S1', 'S2', 'S9'), reservedId), sentToCustody: fc.boolean() }),
    SfoCharged: fc.record({ chargeId: fc.oneof(fc.constantFrom('C1', 'C2'), reservedId), offence: shortText }, { requiredKeys: ['chargeId'] }),
    SfoOutcomeRecorded: fc.record({
      chargeId: fc.oneof(fc.constantFrom('C1', 'C2', 'C9'), reservedId),
      outcome: fc.constantFrom('convicted', 'acquitted', 'discontinued', 'convicted-other-offence'),
    }),
    SeriousCaseReviewCommenced: fc.record({ reviewId: fc.oneof(fc.constantFrom('R1', 'R2'), reservedId), chargeId: fc.oneof(fc.constantFrom('C1', 'C2'), reservedId) }),
    MappaManagementEnded: fc.record({ reason: fc.constantFrom('registration-expired', 'licence-expired', 'no-longer-eligible', 'deceased', 'other') }),
    EventRetracted: fc.record({ retractedEventId: fc.oneof(fc.uuid(), fc.constantFrom('not-a-uuid')), reason: shortText }),
  };

  /** An event: plausible for a known offender (invalid timelines), or with fields mangled. */
  const eventBody = fc
    .record({
      type: fc.constantFrom(...OFFENDER_EVENT_TYPES),
      offender: fc.nat({ max: 10 }),
      occurredOn: date,
      mangle: fc.nat({ max: 22 }),
      junk: anyJson,
      extraKey: fc.oneof(fc.constantFrom('recordedAt', 'metadata', 'revision', 'surprise', 'toString', 'hasOwnProperty', ...PROTOTYPE_KEYS), controlText),
      prototypeKey: fc.constantFrom(...PROTOTYPE_KEYS),
      keyDepth: fc.nat({ max: 6 }),
      unsafe: controlText,
      deep: deepValue,
      reserved: reservedId,
      eventId: fc.option(fc.oneof({ weight: 5, arbitrary: fc.uuid() }, weirdString), { nil: undefined, freq: 2 }),
      retractKnown: fc.boolean(),
    })
    .chain((e) => plausibleData[e.type].map((data) => ({ ...e, data })))
    .map((e) => {
      // A reserved id as the offender id: registered, it must be an ordinary offender.
      const offenderId = e.mangle === 13 ? e.reserved : offenders[e.offender % offenders.length];
      const data =
        e.type === 'EventRetracted' && e.retractKnown && knownEventIds.length ? { ...e.data, retractedEventId: knownEventIds[e.offender % knownEventIds.length] } : e.data;
      const event: Record<string, unknown> = { eventId: e.eventId, type: e.type, occurredOn: e.occurredOn, data };
      // Mostly plausible; sometimes a field of the wrong type, unknown, or missing.
      if (e.mangle === 1) event.type = e.junk;
      if (e.mangle === 2) event.data = e.junk;
      if (e.mangle === 3) event.occurredOn = e.junk;
      if (e.mangle === 4) defineKey(event, e.extraKey, e.junk);
      if (e.mangle === 5) defineKey(data, e.extraKey, e.junk);
      if (e.mangle === 6) delete event.type;
      // A prototype key at any depth: in the event, in data, or in objects nested below a data field.
      if (e.mangle === 7 || e.mangle === 8) defineKey(nestedHolder(event, e.keyDepth), e.prototypeKey, e.junk);
      // A control character in free text, in any text field, or in a field name.
      if (e.mangle === 9) (data as Record<string, unknown>).reason = e.unsafe;
      if (e.mangle === 10) (data as Record<string, unknown>)[Object.keys(data)[0] ?? 'reason'] = e.unsafe;
      if (e.mangle === 11) defineKey(data, e.unsafe, 1);
      // Nesting, from just under the limit to thousands of levels, in data or beside it.
      if (e.mangle === 12) (data as Record<string, unknown>)[Object.keys(data)[0] ?? 'reason'] = e.deep;
      if (e.mangle === 14) event.data = e.deep;
      if (e.mangle === 15) event.surprise = e.deep;
      return { offenderId, event };
    });

  /** The object at `depth` below the event (0: the event, 1: data, more: objects nested in data). */
  function nestedHolder(event: Record<string, unknown>, depth: number): object {
    if (depth === 0 || typeof event.data !== 'object' || event.data === null) return event;
    let holder = event.data as Record<string, unknown>;
    for (let d = 2; d <= depth; d++) {
      const inner: Record<string, unknown> = {};
      holder[d === 2 ? (Object.keys(holder)[0] ?? 'nested') : 'inner'] = inner;
      holder = inner;
    }
    return holder;
  }

  const rawJson = fc.oneof(
    eventBody.map(({ event }) => eventText(event)),
    eventBody.map(({ event }) => eventText(event).slice(0, -3)), // truncated
    fc.constantFrom('{', '{"type":', '[1,2', 'nul', '{"a":1}}', '\u0000', '{"type":"LevelChanged",}', "{'type':'x'}", ''),
    anyJson.map((v) => JSON.stringify(v) ?? 'undefined'),
    weirdString,
    fc.nat({ max: 3 }).map((n) => `{"type":"LevelChanged","occurredOn":"2014-06-01","data":{"level":2,"reason":"${'x'.repeat(70_000 + n)}"}}`), // over 64 kB
  );

  const callerName = fc.constantFrom(...Object.keys(callers));

  const eventPost: fc.Arbitrary<FuzzRequest> = fc
    .record({
      caller: callerName,
      body: fc.oneof(
        { weight: 3, arbitrary: eventBody.map((b) => ({ path: b.offenderId, body: eventText(b.event) })) },
        rawJson.map((body) => ({ path: offenders[0], body })),
      ),
      pathId: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, weirdString, injection),
      ifMatch: fc.option(fc.oneof(fc.integer({ min: -3, max: 5 }).map(String), weirdString.map(ascii)), { nil: undefined, freq: 8 }),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
        fc.constantFrom('application/json; charset=ebcdic', 'text/plain', 'application/x-www-form-urlencoded', 'application/x-ndjson'),
      ),
    })
    .map((r) => ({
      kind: 'events',
      method: 'post',
      path: `/offenders/${urlEncode(r.pathId ?? r.body.path)}/events`,
      headers: {
        Authorization: `Bearer ${tokens[r.caller]}`,
        'Content-Type': r.contentType,
        ...(r.ifMatch !== undefined ? { 'If-Match': r.ifMatch } : {}),
      },
      body: r.body.body,
      expect: [201, 400, 403, 404, 409, 413, 422],
    }));

  const ndjsonPost: fc.Arbitrary<FuzzRequest> = fc
    .record({
      caller: callerName,
      lines: fc.array(fc.oneof({ weight: 3, arbitrary: eventBody.map((b) => eventText({ ...b.event, offenderId: b.offenderId })) }, rawJson), { minLength: 0, maxLength: 12 }),
      contentType: fc.constantFrom('application/x-ndjson', 'application/ndjson', 'application/json', 'text/plain'),
    })
    .map((r) => ({
      kind: 'ndjson',
      method: 'post',
      path: '/events',
      headers: { Authorization: `Bearer ${tokens[r.caller]}`, 'Content-Type': r.contentType },
      body: r.lines.join('\n'),
      // 403: callers who are not recorders are refused before the body is read (issue 10, item 1).
      expect: [200, 400, 403, 413],
    }));

  const protectedRoutes = [
    { method: 'post', path: () => `/offenders/${offenders[0]}/events`, body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 } }) },
    { method: 'post', path: () => '/events', body: JSON.stringify({ type: 'LevelChanged', offenderId: offenders[0], occurredOn: '2014-06-01', data: { level: 2 } }), ndjson: true },
    { method: 'get', path: () => `/offenders/${offenders[1]}` },
    { method: 'get', path: () => `/offenders/${offenders[1]}/events` },
    { method: 'get', path: () => '/audit/access' },
  ] as const;

  const forgedToken: fc.Arbitrary<FuzzRequest> = fc
    .record({
      route: fc.nat({ max: protectedRoutes.length - 1 }),
      header: fc.oneof(
        fc.nat({ max: 50 }).map((i) => `Bearer ${forged[i % forged.length]}`),
        fc.base64String({ maxLength: 300 }).map((t) => `Bearer ${t}`),
        fc
          .tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 90 }))
          .map(([a, b, c]) => `Bearer ${a}.${b}.${c}`.replace(/=/g, '')),
        fc.constantFrom('Bearer', 'bearer  ', 'Basic YWRtaW46YWRtaW4=', 'Token abc', `Bearer ${'x'.repeat(8200)}`, 'Bearer a b c', 'Digest username="a"'),
        weirdString.map((w) => ascii(`Bearer ${w}`)),
      ),
    })
    .map((r) => {
      const route = protectedRoutes[r.route];
      return {
        kind: 'tokens',
        method: route.method,
        path: route.path(),
        headers: { Authorization: r.header, ...('body' in route ? { 'Content-Type': 'ndjson' in route ? 'application/x-ndjson' : 'application/json' } : {}) },
        body: 'body' in route ? route.body : undefined,
        expect: [401],
      };
    });

  const segment = fc.oneof(
    fc.constantFrom('offenders', 'events', 'audit', 'access', 'health', 'docs', 'docs-json', 'reports', '..', '.', '%2e%2e', '%2F', '%00', '%ff', '%', '~', '*', ';', 'a;b=c'),
    reservedId,
    weirdString.map(urlEncode),
    fc.constant('z'.repeat(4000)),
  );
  const query = fc.dictionary(
    fc.constantFrom('asOf', 'asKnownAt', 'reason', 'from', 'to', 'after', 'limit', 'minPosition', 'reason[]', '__proto__', 'offenderId'),
    fc.oneof(date, weirdString, injection, fc.integer().map(String)),
    { maxKeys: 4 },
  );
  const oddRequest: fc.Arbitrary<FuzzRequest> = fc
    .record({
      method: fc.constantFrom('get', 'get', 'post', 'put', 'patch', 'delete', 'head', 'options'),
      segments: fc.oneof(
        fc.array(segment, { minLength: 0, maxLength: 5 }),
        fc.tuple(fc.constant('offenders'), fc.oneof(fc.constantFrom(...offenders), segment)).map((a) => [...a]),
        fc.tuple(fc.constant('offenders'), fc.oneof(fc.constantFrom(...offenders), segment), fc.constant('events')).map((a) => [...a]),
        fc.tuple(fc.constantFrom('reports', 'snapshots', 'periods'), fc.oneof(reservedId, fc.constant(GM)), fc.oneof(reservedId, fc.constant('2014-15'))).map((a) => [...a]),
        fc.constant(['audit', 'access']),
      ),
      slashes: fc.constantFrom('/', '//'),
      query,
      caller: fc.option(callerName, { nil: undefined }),
      headers: fc.dictionary(
        fc.constantFrom('If-Match', 'Content-Type', 'Accept', 'X-Forwarded-For', 'Accept-Encoding', 'Content-Encoding', 'Origin', 'Cookie', 'X-HTTP-Method-Override', 'Range'),
        fc.oneof(
          weirdString.map(ascii),
          fc.constantFrom('gzip', 'br', 'deflate', 'identity, gzip', 'application/json', 'application/x-ndjson', '*/*', 'bytes=0-1', '127.0.0.1, ::1'),
        ),
        { maxKeys: 3 },
      ),
      body: fc.option(rawJson, { nil: undefined }),
    })
    .map((r) => {
      const qs = Object.entries(r.query)
        .map(([k, v]) => `${urlEncode(k)}=${urlEncode(v)}`)
        .join('&');
      const path = `${r.slashes}${r.segments.join('/')}${qs ? `?${qs}` : ''}`;
      const withBody = r.body !== undefined && !['get', 'head', 'options', 'delete'].includes(r.method);
      return {
        kind: 'odd',
        method: r.method,
        path,
        headers: { ...r.headers, ...(r.caller ? { Authorization: `Bearer ${tokens[r.caller]}` } : {}) },
        body: withBody ? r.body : undefined,
        expect: null,
      } as FuzzRequest;
    });

  // ---- properties ---------------------------------------------------------------------------

  const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

  it('events posted with malformed, mistyped, huge, unicode and injected content, and invalid timelines', async () => {
    await fc.assert(fc.asyncProperty(eventPost, check), { numRuns: runs(RUNS.events) });
  });

  it('NDJSON batches of mixed good and hostile lines', async () => {
    await fc.assert(fc.asyncProperty(ndjsonPost, check), { numRuns: runs(RUNS.ndjson) });
  });

  it('forged, expired, tampered and malformed tokens are always a 401', async () => {
    await fc.assert(fc.asyncProperty(forgedToken, check), { numRuns: runs(RUNS.tokens) });
  });

  it('odd methods, paths, query strings and headers', async () => {
    await fc.assert(fc.asyncProperty(oddRequest, check), { numRuns: runs(RUNS.odd) });
  });

  it('known hostile cases, each with its documented status', async () => {
    const auth = { Authorization: `Bearer ${tokens.mojAll}` };
    const json = { ...auth, 'Content-Type': 'application/json' };
    const fixed: FuzzRequest[] = [
      { kind: 'fixed', method: 'post', path: `/offenders/${offenders[0]}/events`, headers: json, body: '{"type": "LevelChanged", ', expect: [400] },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2, reason: 'x'.repeat(65 * 1024) } }),
        expect: [413],
      },
      { kind: 'fixed', method: 'post', path: '/events', headers: { ...auth, 'Content-Type': 'application/x-ndjson' }, body: 'x'.repeat(17 * 1024 * 1024), expect: [413] },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 }, recordedAt: '2014-06-01T00:00:00Z' }),
        expect: [400],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: '2' } }),
        expect: [400],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2999-06-01', data: { level: 2 } }),
        expect: [400],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: JSON.stringify({ type: 'CustodyEntered', occurredOn: '2014-03-01', data: { reason: 'sentence' } }),
        expect: [422],
      },
      { kind: 'fixed', method: 'post', path: `/offenders/${urlEncode("x'; DROP TABLE events;--")}/events`, headers: json, body: '{}', expect: [400] },
      {
        kind: 'fixed',
        method: 'post',
        path: '/offenders/never-registered/events',
        headers: json,
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 } }),
        expect: [404],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: { ...json, 'If-Match': '999' },
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 3 } }),
        expect: [409],
      },
      {
        kind: 'fixed',
        method: 'get',
        path: `/offenders/${offenders[0]}?asOf=${urlEncode("2014-01-01' OR 1=1 --")}`,
        headers: { Authorization: `Bearer ${tokens.auditorAll}` },
        expect: [400],
      },
      { kind: 'fixed', method: 'get', path: `/offenders/${offenders[0]}?asKnownAt=yesterday`, headers: { Authorization: `Bearer ${tokens.auditorAll}` }, expect: [400] },
      { kind: 'fixed', method: 'get', path: '/offenders/%ff', headers: { Authorization: `Bearer ${tokens.auditorAll}` }, expect: [400, 404] },
      { kind: 'fixed', method: 'get', path: `/offenders/${offenders[0]}`, headers: { Authorization: `Bearer ${tokens.analystGm}` }, expect: [403] },
      // Issue 10: a batch of a caller who may not write is refused before it is read; one over 10,000 lines is refused whole.
      {
        kind: 'fixed',
        method: 'post',
        path: '/events',
        headers: { Authorization: `Bearer ${tokens.analystGm}`, 'Content-Type': 'application/x-ndjson' },
        body: 'junk\n'.repeat(400_000),
        expect: [403],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: '/events',
        headers: { ...auth, 'Content-Type': 'application/x-ndjson' },
        body: `${JSON.stringify({ type: 'LevelChanged', offenderId: offenders[0], occurredOn: '2014-06-01', data: { level: 3 } })}\n${'{}\n'.repeat(10_000)}`,
        expect: [413],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: '{"type":"LevelChanged","occurredOn":"2014-06-01","data":{"level":3,"__proto__":{"name":"John Smith"}}}',
        expect: [400],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: '{"type":"LevelChanged","occurredOn":"2014-06-01","data":{"level":3,"constructor":{"name":"John Smith"}}}',
        expect: [400],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: JSON.stringify({ type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 3, reason: 'nul \u0000' } }),
        expect: [400],
      },
      {
        kind: 'fixed',
        method: 'post',
        path: `/offenders/${offenders[0]}/events`,
        headers: json,
        body: `{"type":"LevelChanged","occurredOn":"2014-06-01","data":{"level":3,"reason":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`,
        expect: [400],
      },
      // Reserved ids as offender, order, charge and division ids: an ordinary offender, or a refusal, never a 5xx.
      ...RESERVED_IDS.flatMap((id): FuzzRequest[] => {
        const path = `/offenders/${urlEncode(id)}/events`;
        const event = (type: string, occurredOn: string, data: Record<string, unknown>) => JSON.stringify({ type, occurredOn, data });
        return [
          {
            kind: 'fixed',
            method: 'post',
            path,
            headers: json,
            body: event('OffenderRegistered', '2014-04-01', { area: GM, category: 1, level: 1, inCustody: false, underSupervision: true }),
            expect: [201, 422],
          },
          { kind: 'fixed', method: 'post', path, headers: json, body: event('SopoImposed', '2014-05-01', { orderId: id }), expect: [201, 422] },
          { kind: 'fixed', method: 'post', path, headers: json, body: event('SfoCharged', '2014-05-02', { chargeId: id }), expect: [201, 422] },
          { kind: 'fixed', method: 'post', path, headers: json, body: event('SeriousCaseReviewCommenced', '2014-05-03', { reviewId: id, chargeId: id }), expect: [201, 422] },
          { kind: 'fixed', method: 'post', path, headers: json, body: event('DivisionChanged', '2014-05-04', { division: id }), expect: [400, 422] },
          {
            kind: 'fixed',
            method: 'post',
            path: '/events',
            headers: { ...auth, 'Content-Type': 'application/x-ndjson' },
            body: JSON.stringify({ type: 'LevelChanged', offenderId: id, occurredOn: '2014-06-01', data: { level: 2, reason: id } }),
            expect: [200],
          },
          { kind: 'fixed', method: 'get', path: `${path}?reason=hostile-input%20check`, headers: { Authorization: `Bearer ${tokens.auditorAll}` }, expect: [200] },
          {
            kind: 'fixed',
            method: 'get',
            path: `/offenders/${urlEncode(id)}?reason=hostile-input%20check`,
            headers: { Authorization: `Bearer ${tokens.auditorAll}` },
            expect: [200],
          },
        ];
      }),
    ];
    for (const req of fixed) await check(req);
  });

  it(`sent at least 2,000 generated requests`, () => {
    if (SCALE >= 1) expect(sent).toBeGreaterThanOrEqual(2000);
  });
});
