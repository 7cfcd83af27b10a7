import { randomUUID } from 'node:crypto';
import type { Principal } from '../../src/auth/principal';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';
import { requestsAs } from '../support/requests-as';

// Who may retract a transfer (issue 10, item 7; the policy table of docs/security.md): the sending
// area until the receiving area has recorded anything after the transfer, then the receiving area
// only; a token for every area always. The sending area cannot take the offender back.

const GM = 'greater-manchester';
const LANCS = 'lancashire';

describe('retracting a transfer (issue 10, item 7)', () => {
  let s: SecuredApp;
  const sending = principal({ sub: 'recorder-gm', roles: ['recorder'], agency: 'police', areas: [GM] });
  const receiving = principal({ sub: 'recorder-lancs', roles: ['recorder'], agency: 'police', areas: [LANCS] });
  const national = principal({ sub: 'recorder-moj', roles: ['recorder'], agency: 'moj', areas: ['*'] });
  const { postEvent: post } = requestsAs(() => s);
  const retract = (who: Principal, offenderId: string, retractedEventId: string) =>
    post(who, offenderId, 'EventRetracted', '2014-12-01', { retractedEventId, reason: 'transferred in error' });

  /** An offender of greater-manchester transferred to lancashire on 2014-09-01. */
  async function transferred() {
    const offenderId = `MOVED-${randomUUID().slice(0, 8)}`;
    const registered = await post(sending, offenderId, 'OffenderRegistered', '2014-04-01', {
      area: GM,
      category: 1,
      level: 1,
      inCustody: false,
      underSupervision: true,
      onLicence: true,
    });
    expect(registered.status).toBe(201);
    const transfer = await post(sending, offenderId, 'OffenderTransferred', '2014-09-01', { toArea: LANCS });
    expect(transfer.status).toBe(201);
    return { offenderId, transferId: transfer.body.eventId as string };
  }

  beforeAll(async () => {
    s = await startSecuredApp();
  });
  afterAll(() => s?.close());

  it('once the receiving area has recorded, the sending area may not retract the transfer and lock it out', async () => {
    const { offenderId, transferId } = await transferred();
    expect((await post(receiving, offenderId, 'LevelChanged', '2014-10-01', { level: 2 })).status).toBe(201);
    // The sending area still records what happened while it managed the offender.
    expect((await post(sending, offenderId, 'CategoryChanged', '2014-08-01', { category: 2 })).status).toBe(201);

    const before = await s.storeFingerprint();
    const refused = await retract(sending, offenderId, transferId);
    expect(refused.status).toBe(403);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'data.retractedEventId', rule: 'transfer-retraction' })]);
    expect(await s.storeFingerprint()).toEqual(before);
    // The receiving area keeps recording.
    expect((await post(receiving, offenderId, 'LevelChanged', '2014-11-01', { level: 3 })).status).toBe(201);
    // It may retract the transfer itself.
    expect((await retract(receiving, offenderId, transferId)).status).toBe(201);
  });

  it('before the receiving area records, the sending area retracts it and the receiving area may not', async () => {
    const { offenderId, transferId } = await transferred();
    const refused = await retract(receiving, offenderId, transferId);
    expect(refused.status).toBe(403);
    expect(refused.body.details).toEqual([expect.objectContaining({ rule: 'transfer-retraction' })]);
    expect((await retract(sending, offenderId, transferId)).status).toBe(201);
  });

  it('a token for every area may always retract a transfer', async () => {
    const { offenderId, transferId } = await transferred();
    expect((await post(receiving, offenderId, 'LevelChanged', '2014-10-01', { level: 2 })).status).toBe(201);
    expect((await retract(national, offenderId, transferId)).status).toBe(201);
  });
});
