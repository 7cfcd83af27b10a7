import { AdvisoryLockLease, projectorName, type LeaseChanges } from '../../projections/projector-lease';
import { PgSqlClient } from '../../src/sql/pg-sql-client';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from '../support/postgres-test-database';

// The projector lease on PostgreSQL (issue 11, item 4): of the processes on one read-model schema
// exactly one holds it; it passes on when the holder lets go or its session is ended; another
// schema of the same database has a projector of its own. (Real processes: test/cli/two-instances.e2e-spec.ts.)

const INTERVAL_MS = 100;

interface Contender {
  lease: AdvisoryLockLease;
  sql: PgSqlClient;
  /** 'acquired' / 'lost', in the order the lease reported them. */
  changes: string[];
}

describeWithPostgres('projector lease (PostgreSQL advisory lock)', (url) => {
  const schemas: string[] = [];
  const contenders: Contender[] = [];

  const contender = async (schema: string, name: string, sessionIdleTimeoutMs?: number): Promise<Contender> => {
    const sql = await PgSqlClient.connect({ connectionString: url, schema });
    const lease = new AdvisoryLockLease(sql, (n) => sql.dedicatedConnection(n), { name, intervalMs: INTERVAL_MS, sessionIdleTimeoutMs });
    const c: Contender = { lease, sql, changes: [] };
    const changes: LeaseChanges = {
      acquired: () => void c.changes.push('acquired'),
      lost: async () => void c.changes.push('lost'),
    };
    lease.start(changes);
    contenders.push(c);
    return c;
  };

  const until = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const newSchema = () => {
    const schema = uniqueSchemaName('lease');
    schemas.push(schema);
    return schema;
  };

  afterEach(async () => {
    for (const c of contenders.splice(0)) {
      await c.lease.stop();
      await c.sql.close();
    }
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(url, schema);
  });

  it('gives the lease to exactly one of three, and passes it on when the holder stops', async () => {
    const schema = newSchema();
    const all = await Promise.all(['a', 'b', 'c'].map((n) => contender(schema, `lease test ${n}`)));
    await until('a holder', () => all.some((c) => c.lease.held));
    await new Promise((r) => setTimeout(r, 5 * INTERVAL_MS)); // several rounds of attempts
    const holders = all.filter((c) => c.lease.held);
    expect(holders).toHaveLength(1);
    const [first] = holders;
    expect(await all[1].lease.holder()).toBe(first === all[0] ? 'lease test a' : first === all[1] ? 'lease test b' : 'lease test c');

    await first.lease.stop();
    expect(first.changes).toEqual(['acquired', 'lost']);
    const rest = all.filter((c) => c !== first);
    await until('another holder', () => rest.some((c) => c.lease.held), 2_000);
    await new Promise((r) => setTimeout(r, 5 * INTERVAL_MS));
    expect(rest.filter((c) => c.lease.held)).toHaveLength(1);
  });

  it('passes the lease on when the holder’s session is ended by the server, and the holder hears it lost', async () => {
    const schema = newSchema();
    const a = await contender(schema, projectorName('lease test'));
    await until('a to hold it', () => a.lease.held);
    const b = await contender(schema, 'lease test follower');
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
    expect(b.lease.held).toBe(false);

    // What a crash of the holder's process looks like from the server: its session ends.
    const { rows } = await a.sql.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1', [
      projectorName('lease test'),
    ]);
    expect(rows).toEqual([{ ended: true }]);
    await until('a to hear it lost', () => !a.lease.held, 5_000);
    await until('b to take over', () => b.lease.held, 5_000);
    expect(a.changes.slice(0, 2)).toEqual(['acquired', 'lost']);
    expect(b.changes).toEqual(['acquired']);
  });

  it('passes the lease on from a holder that stops checking its session (frozen), after the idle timeout', async () => {
    const schema = newSchema();
    const a = await contender(schema, 'lease test frozen', 1_000);
    await until('a to hold it', () => a.lease.held);
    const b = await contender(schema, 'lease test waiting', 1_000);
    // Freeze a as SIGSTOP would: its loop stops checking, its session stays open and idle.
    (a.lease as unknown as { running: boolean }).running = false;
    const frozenAt = Date.now();
    await until('b to take over', () => b.lease.held, 5_000);
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(900);
  });

  it('gives each schema of one database its own projector', async () => {
    const [one, two] = [newSchema(), newSchema()];
    const a = await contender(one, 'lease test one');
    const b = await contender(two, 'lease test two');
    await until('both to hold their own', () => a.lease.held && b.lease.held, 5_000);
  });
});
