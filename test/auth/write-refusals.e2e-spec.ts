import { randomUUID } from 'node:crypto';
import type { Principal } from '../../src/auth/principal';
import { AccessAudit } from '../../src/audit/access-audit';
import { NDJSON_BATCH_SIZE } from '../../src/commands/record-events/record-ndjson';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// Refused writes over HTTP (issue 10, item 4): a recorder learns nothing of other areas'
// offenders from a refusal (not whether one exists, nor where, nor what its record holds), and
// every refused write is in the access audit, for the areas whose record it concerns.

const KENT = 'kent';
const LONDON = 'london';

describe('refused writes tell nothing of other areas (issue 10, item 4)', () => {
  let s: SecuredApp;
  const kentRecorder = principal({ sub: 'recorder-k', roles: ['recorder'], agency: 'police', areas: [KENT] });
  const londonRecorder = principal({ sub: 'recorder-l', roles: ['recorder'], agency: 'police', areas: [LONDON] });
  const nationalRecorder = principal({ sub: 'recorder-n', roles: ['recorder'], agency: 'moj', areas: ['*'] });
  const kentAuditor = principal({ sub: 'auditor-k', roles: ['auditor'], agency: 'police', areas: [KENT] });
  const londonAuditor = principal({ sub: 'auditor-l', roles: ['auditor'], agency: 'police', areas: [LONDON] });
  const nationalAuditor = principal({ sub: 'auditor-n', roles: ['auditor'], agency: 'moj', areas: ['*'] });
  const bearer = async (p: Principal) => `Bearer ${await s.token(p)}`;
  const newId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  const post = async (who: Principal, offenderId: string, body: object) =>
    s
      .http()
      .post(`/offenders/${offenderId}/events`)
      .set('Authorization', await bearer(who))
      .send(body);
  const posted = async (who: Principal, offenderId: string, type: string, occurredOn: string, data: object): Promise<string> => {
    const res = await post(who, offenderId, { type, occurredOn, data });
    expect({ type, status: res.status, body: res.body }).toMatchObject({ type, status: 201 });
    return res.body.eventId as string;
  };
  const registration = (area: string) => ({ area, category: 1, level: 1, inCustody: false, underSupervision: true, onLicence: true });
  const auditOf = async (who: Principal, offenderId: string, from: string) => {
    const res = await s
      .http()
      .get('/audit/access')
      .query({ from, reason: 'write refusal test' })
      .set('Authorization', await bearer(who));
    expect(res.status).toBe(200);
    return (res.body.entries as Array<Record<string, unknown>>).filter((e) => e.offenderId === offenderId);
  };

  beforeAll(async () => {
    s = await startSecuredApp();
  });
  afterAll(() => s?.close());

  it("one answer, byte for byte, for an unknown offender and another area's", async () => {
    const londonOffender = newId('LDN');
    await posted(londonRecorder, londonOffender, 'OffenderRegistered', '2014-04-01', registration(LONDON));
    const transferId = await posted(londonRecorder, londonOffender, 'OffenderTransferred', '2014-09-01', { toArea: 'essex' });
    // The offender id is the only difference between the two requests, and it is not in the answer.
    const attempts: Array<[string, (offenderId: string) => object]> = [
      ['a level change', () => ({ eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e11', type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 } })],
      ['a transfer', () => ({ eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e12', type: 'OffenderTransferred', occurredOn: '2014-06-01', data: { toArea: KENT } })],
      [
        'a retraction',
        () => ({ eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e13', type: 'EventRetracted', occurredOn: '2014-10-01', data: { retractedEventId: transferId, reason: 'mine now' } }),
      ],
      ['a change after the transfer out', () => ({ eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e14', type: 'LevelChanged', occurredOn: '2014-12-01', data: { level: 2 } })],
    ];
    for (const [what, body] of attempts) {
      const before = await s.storeFingerprint();
      const known = await post(kentRecorder, londonOffender, body(londonOffender));
      const unknown = await post(kentRecorder, newId('NOBODY').slice(0, londonOffender.length), body(''));
      expect({ what, status: known.status }).toEqual({ what, status: 403 });
      expect({ what, body: known.text }).toEqual({ what, body: unknown.text });
      expect({ what, status: unknown.status }).toEqual({ what, status: 403 });
      expect(known.text).not.toMatch(/london|essex|2014-04-01|2014-09-01/i);
      expect(await s.storeFingerprint()).toEqual(before);
    }
    // A token for every area may still learn that an offender is unknown.
    const national = await post(nationalRecorder, newId('NOBODY'), attempts[0][1](''));
    expect(national.status).toBe(404);
  });

  it('timeline details only for offenders the caller may read; otherwise a refusal without a word of the other record', async () => {
    const offenderId = newId('LDN');
    await posted(londonRecorder, offenderId, 'OffenderRegistered', '2014-04-01', registration(LONDON));
    await posted(londonRecorder, offenderId, 'MappaManagementEnded', '2015-01-01', { reason: 'registration-expired' });
    const londonAgain = await posted(londonRecorder, offenderId, 'OffenderRegistered', '2015-06-01', registration(LONDON));

    // Back-dated into the gap, Kent's registration would make London's later one invalid.
    const backDated = await post(kentRecorder, offenderId, { type: 'OffenderRegistered', occurredOn: '2015-03-01', data: registration(KENT) });
    expect(backDated.status).toBe(422);
    expect(backDated.body).toEqual({ error: 'invalid-timeline', message: expect.any(String), details: [expect.objectContaining({ rule: 'record-of-another-area' })] });
    expect(backDated.text).not.toContain(londonAgain);
    expect(backDated.text).not.toMatch(/london|2015-06-01|2014-|period/i);
    // Into London's open period: refused, again without London's dates.
    const active = await post(kentRecorder, offenderId, { type: 'OffenderRegistered', occurredOn: '2015-08-01', data: registration(KENT) });
    expect(active.status).toBe(422);
    expect(active.body.details).toEqual([expect.objectContaining({ rule: 'record-of-another-area' })]);
    expect(active.text).not.toMatch(/london|2015-06-01|active/i);

    // London's recorder, whose record it is, is told exactly what is wrong.
    const own = await post(londonRecorder, offenderId, { type: 'OffenderRegistered', occurredOn: '2015-03-01', data: registration(LONDON) });
    expect(own.status).toBe(422);
    expect(own.body.details).toEqual([expect.objectContaining({ rule: 'already-active' })]);
    expect(own.text).toContain(londonAgain);
    // So is Kent's, for an offender whose record is all Kent's.
    const kentOffender = newId('KNT');
    await posted(kentRecorder, kentOffender, 'OffenderRegistered', '2014-04-01', registration(KENT));
    const same = await post(kentRecorder, kentOffender, { type: 'LevelChanged', occurredOn: '2014-05-01', data: { level: 1 } });
    expect(same.status).toBe(422);
    expect(same.body.details).toEqual([expect.objectContaining({ rule: 'must-change-something' })]);

    // An eventId already used in London's record: a conflict, without naming it.
    const reused = await post(kentRecorder, offenderId, { eventId: londonAgain, type: 'OffenderRegistered', occurredOn: '2016-01-01', data: registration(KENT) });
    expect(reused.status).toBe(409);
    expect(reused.body.details).toEqual([expect.objectContaining({ rule: 'record-of-another-area' })]);
  });

  it('every refused write is in the access audit: who, what and why, for the areas whose record it concerns', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const offenderId = newId('LDN');
    await posted(londonRecorder, offenderId, 'OffenderRegistered', '2014-04-01', registration(LONDON));
    expect((await post(kentRecorder, offenderId, { type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 } })).status).toBe(403);
    expect((await post(kentRecorder, offenderId, { type: 'OffenderRegistered', occurredOn: '2014-08-01', data: registration(KENT) })).status).toBe(422);
    const unknownId = newId('NOBODY');
    expect((await post(kentRecorder, unknownId, { type: 'LevelChanged', occurredOn: '2014-06-01', data: { level: 2 } })).status).toBe(403);

    expect(await auditOf(londonAuditor, offenderId, started)).toEqual([
      expect.objectContaining({
        actor: 'recorder-k',
        agency: 'police',
        action: 'write-refused',
        outcome: 'refused',
        areas: [LONDON],
        target: `LevelChanged of 2014-06-01 for offender ${offenderId} refused: area`,
        reason: 'area',
      }),
      expect.objectContaining({
        actor: 'recorder-k',
        action: 'write-refused',
        outcome: 'refused',
        areas: [LONDON],
        target: `OffenderRegistered of 2014-08-01 for offender ${offenderId} refused: already-active`,
        reason: 'already-active',
      }),
    ]);
    // Kent's auditors learn nothing of London's offender, nor of the unknown one, from the audit.
    expect(await auditOf(kentAuditor, offenderId, started)).toEqual([]);
    expect(await auditOf(kentAuditor, unknownId, started)).toEqual([]);
    // The refusal for an unknown offender concerns no area: `*` auditors see it.
    expect(await auditOf(nationalAuditor, unknownId, started)).toEqual([
      expect.objectContaining({ actor: 'recorder-k', action: 'write-refused', areas: [], reason: 'known-offender' }),
    ]);
  });

  it('a batch of thousands of refused lines is answered and audited in full', async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const offenderId = newId('LDN');
    await posted(londonRecorder, offenderId, 'OffenderRegistered', '2014-04-01', registration(LONDON));
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ type: 'LevelChanged', offenderId, occurredOn: '2014-06-01', data: { level: 2, reason: `probe ${i}` } }));
    const writes = jest.spyOn(s.app.get(AccessAudit), 'recordAll');
    const res = await s
      .http()
      .post('/events')
      .set('Authorization', await bearer(kentRecorder))
      .set('Content-Type', 'application/x-ndjson')
      .send(lines.join('\n'));
    const auditInserts = writes.mock.calls.filter(([entries]) => entries.some((e) => e.action === 'write-refused')).length;
    writes.mockRestore();
    // One audit write (one INSERT) per command the batch is cut into, not one per line.
    expect(auditInserts).toBe(Math.ceil(lines.length / NDJSON_BATCH_SIZE));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ refused: 3000 });
    const { rows } = await s.storage.sql!.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM access_audit WHERE offender_id = $1 AND action = 'write-refused' AND areas = ARRAY['${LONDON}'] AND at >= $2`,
      [offenderId, started],
    );
    expect(Number(rows[0].n)).toBe(3000);
  });
});
