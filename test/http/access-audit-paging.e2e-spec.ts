import { AccessAudit } from '../../src/audit/access-audit';
import { principal, startSecuredApp, type SecuredApp } from '../support/secured-app';

// docs/security.md, "Audit of access", over HTTP: following `next` of GET /audit/access from the
// start returns every entry exactly once, oldest first, while each listing adds an entry of its own.

describe('GET /audit/access paging', () => {
  let s: SecuredApp;
  const auditor = principal({ roles: ['auditor'], agency: 'moj', areas: ['*'] });
  beforeAll(async () => {
    s = await startSecuredApp();
    const audit = s.app.get(AccessAudit);
    for (let i = 0; i < 1_050; i++) {
      await audit.record({ caller: auditor, action: 'offender-state', target: `offender K-${i} state`, offenderId: `K-${i}`, areas: ['kent'], reason: 'paging' }, 'allowed');
    }
  }, 120_000);
  afterAll(() => s?.close());

  it('follows next with pages of 25 through every entry once, in numeric id order', async () => {
    const bearer = `Bearer ${await s.token(auditor)}`;
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const res: { status: number; body: { entries: { id: string }[]; next: string | null } } = await s
        .http()
        .get(`/audit/access?limit=25&reason=paging%20test${after ? `&after=${after}` : ''}`)
        .set('Authorization', bearer);
      expect(res.status).toBe(200);
      ids.push(...res.body.entries.map((e) => e.id));
      after = res.body.next;
    } while (after !== null);

    // Every listing was audited too (an entry of its own, written before its answer).
    const { rows } = await s.storage.sql!.query<{ id: string }>('SELECT id::text AS id FROM access_audit ORDER BY access_audit.id');
    expect(rows.length).toBeGreaterThan(1_050 + 40);
    expect(ids).toEqual(rows.map((r) => r.id));
  }, 120_000);
});
