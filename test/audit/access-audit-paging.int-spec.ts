import { AccessAudit, type AccessAuditEntry } from '../../src/audit/access-audit';
import { systemClock } from '../../src/config/clock';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase, type OpenedDatabase } from '../support/each-database';
import { principal } from '../support/secured-app';

// docs/security.md, "Audit of access": following `next` from the start returns every entry exactly
// once, oldest first, while entries are being added (issue 10, item 3).

const ENTRY: Omit<AccessAuditEntry, 'target'> = {
  caller: principal({ roles: ['auditor'] }),
  action: 'offender-state',
  areas: ['greater-manchester'],
  reason: 'paging test',
};

/**
 * The same database, but each transaction waits a moment before it commits: a writer slowed
 * between taking its id and committing, so a later id can commit first unless appends are serialised.
 */
function slowCommits(sql: SqlClient): SqlClient {
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  return new Proxy(sql, {
    get(target, name, receiver) {
      if (name !== 'transaction') return Reflect.get(target, name, receiver);
      return <T>(fn: (tx: SqlClient) => Promise<T>) =>
        target.transaction(async (tx) => {
          const result = await fn(tx);
          await pause();
          return result;
        });
    },
  });
}

/** Follows `after` from the start, `limit` at a time, until a page comes back short. */
async function pageThrough(audit: AccessAudit, limit: number, after?: bigint) {
  const seen: { id: string; at: string }[] = [];
  for (;;) {
    const page = await audit.list({ areas: ['*'], after, limit });
    seen.push(...page.map(({ id, at }) => ({ id, at })));
    if (page.length < limit) return seen;
    after = BigInt(page[page.length - 1].id);
  }
}

describeOnEachDatabase('access audit paging', (databaseName, open) => {
  describe(`access audit paging on ${databaseName}`, () => {
    let database: OpenedDatabase;
    let audit: AccessAudit;
    beforeAll(async () => {
      database = await open();
      audit = new AccessAudit(database.db, systemClock);
      await audit.init();
    }, 60_000);
    afterAll(() => database.cleanup());

    it('pages over 1,000 entries, small pages, while four slow writers add more: every entry once, oldest first', async () => {
      for (let i = 0; i < 1_020; i++) await audit.record({ ...ENTRY, target: `before ${i}` }, 'allowed');

      const writers = [1, 2, 3, 4].map(async (w) => {
        const slow = new AccessAudit(slowCommits(database.db), systemClock);
        for (let i = 0; i < 150; i++) await slow.record({ ...ENTRY, target: `writer ${w} entry ${i}` }, i % 7 ? 'allowed' : 'refused');
      });
      let writing = true;
      const finished = Promise.all(writers).finally(() => (writing = false));

      // A reader following `next` from the start, catching up again and again while the writers run.
      const seen: { id: string; at: string }[] = [];
      do {
        const last = seen.length ? BigInt(seen[seen.length - 1].id) : undefined;
        seen.push(...(await pageThrough(audit, 7, last)));
      } while (writing);
      await finished;
      seen.push(...(await pageThrough(audit, 7, BigInt(seen[seen.length - 1].id))));

      const ids = seen.map((e) => BigInt(e.id));
      const { rows } = await database.db.query<{ id: string }>('SELECT id::text AS id FROM access_audit ORDER BY access_audit.id');
      expect(rows).toHaveLength(1_020 + 4 * 150);
      expect(ids.map(String)).toEqual(rows.map((r) => r.id)); // every entry, exactly once, none skipped
      for (let i = 1; i < ids.length; i++) {
        expect(ids[i] > ids[i - 1]).toBe(true); // numeric order
        expect(seen[i].at >= seen[i - 1].at).toBe(true); // oldest first
      }
    }, 120_000);

    it('orders ids as numbers: the entry after 9 is 10, not 90', async () => {
      const page = await audit.list({ areas: ['*'], after: 9n, limit: 3 });
      expect(page.map((e) => e.id)).toEqual(['10', '11', '12']);
    });
  });
});
