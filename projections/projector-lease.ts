import { createHash } from 'node:crypto';
import * as os from 'node:os';
import type { Client } from 'pg';
import type { SqlClient } from '../src/sql/sql-client';

// Every instance writes, exactly one projects: whoever holds a session advisory lock (issue 11, item 4); the checkpoint CAS still guards every batch (see docs/decisions.md, "Moved from code comments").

/** What the read-model side does when this process gains or loses the lease. */
export interface LeaseChanges {
  /** This process now holds the lease: start projecting. */
  acquired(): void | Promise<void>;
  /** It no longer does (its session ended, or stop()): stop projecting. */
  lost(): Promise<void>;
  /** The holder's session answered its periodic check: a moment to do the projector's chores. */
  renewed?(): Promise<void>;
}

export interface ProjectorLease {
  /** Whether this process holds the lease now (reported by /health and /metrics). */
  readonly held: boolean;
  /** Keeps trying to hold the lease, and tells `changes` each time that changes. */
  start(changes: LeaseChanges): void;
  /** One attempt, for the command line: true if this process now holds it (until stop()). */
  tryAcquire(): Promise<boolean>;
  /** Who holds it, as that process named itself: `mappa serve pid 4242 on host-a` (null: nobody). */
  holder(): Promise<string | null>;
  /** Stops trying; if held, calls `lost` first and then releases it, so another takes over at once. */
  stop(): Promise<void>;
}

/** How this process names itself to the others (pg_stat_activity.application_name, at most 63 bytes). */
export const projectorName = (command: string): string => `${command} pid ${process.pid} on ${os.hostname()}`.slice(0, 63);

/** Embedded read models have one process per store (src/sql/embedded-store-lock.ts), so it always projects. */
export class SoleProjector implements ProjectorLease {
  readonly held = true;
  private changes: LeaseChanges | undefined;

  constructor(private readonly name: string) {}

  start(changes: LeaseChanges): void {
    if (this.changes) return;
    this.changes = changes;
    void changes.acquired();
  }

  async tryAcquire(): Promise<boolean> {
    return true;
  }

  async holder(): Promise<string | null> {
    return this.name;
  }

  async stop(): Promise<void> {
    const changes = this.changes;
    this.changes = undefined;
    await changes?.lost();
  }
}

export interface AdvisoryLockLeaseOptions {
  /** This process as the others see it (projectorName()). */
  name: string;
  /** How often a follower tries to take over, and the holder checks its session (ms). Default 1000. */
  intervalMs?: number;
  /** Longest the check may take before the session counts as lost (ms). Default 5000. */
  checkTimeoutMs?: number;
  /** idle_session_timeout of a lease session (ms, default 10000, far above intervalMs): how soon a frozen holder loses the lease. */
  sessionIdleTimeoutMs?: number;
}

/** The lease on a PostgreSQL read-model database: pg_try_advisory_lock on a session of its own. */
export class AdvisoryLockLease implements ProjectorLease {
  private session: Client | null = null;
  private holding = false;
  private changes: LeaseChanges | undefined;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => {};
  /** acquired / lost / renewed, one at a time and in order. */
  private transitions: Promise<void> = Promise.resolve();
  private key: Promise<LockKey> | undefined;

  constructor(
    /** The pool: where the lock key and the holder are looked up. */
    private readonly sql: SqlClient,
    /** A new connection outside the pool (PgSqlClient.dedicatedConnection). */
    private readonly connect: (name: string) => Promise<Client>,
    private readonly options: AdvisoryLockLeaseOptions,
  ) {}

  get held(): boolean {
    return this.holding;
  }

  start(changes: LeaseChanges): void {
    if (this.running) return;
    this.running = true;
    this.changes = changes;
    this.loop = this.keep();
  }

  async tryAcquire(): Promise<boolean> {
    if (this.holding) return true;
    const { key } = await this.lockKey();
    const session = (this.session ??= await this.openSession());
    const { rows } = await this.withinCheckTimeout(session, session.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [key.toString()]));
    if (rows[0]?.got !== true || this.session !== session) return false;
    this.holding = true;
    this.enqueue(() => this.changes?.acquired());
    await this.transitions;
    return true;
  }

  async holder(): Promise<string | null> {
    const { classid, objid } = await this.lockKey();
    const { rows } = await this.sql.query<{ name: string | null }>(
      `SELECT a.application_name AS name
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = $1::oid AND l.objid = $2::oid
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [classid, objid],
    );
    return rows.length === 0 ? null : rows[0].name || 'another process (it gave no name)';
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await this.transitions;
    // Stop projecting before letting go, so the next holder never overlaps this one.
    if (this.holding) {
      this.holding = false;
      await this.changes?.lost();
    }
    const session = this.session;
    this.session = null;
    await session?.end().catch(() => undefined); // ending the session releases the lock
  }

  /** A follower tries to take over each interval; the holder checks its session answers. */
  private async keep(): Promise<void> {
    while (this.running) {
      try {
        if (this.holding) await this.check();
        else await this.tryAcquire();
      } catch {
        // The database is not answering: the session is dropped (check) or was never made; next round.
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.intervalMs ?? 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = () => {};
    }
  }

  private async check(): Promise<void> {
    const session = this.session!;
    await this.withinCheckTimeout(session, session.query('SELECT 1'));
    if (this.changes?.renewed && this.session === session) this.enqueue(() => this.changes!.renewed!());
  }

  private async openSession(): Promise<Client> {
    const session = await this.connect(this.options.name);
    session.on('error', () => this.sessionEnded(session));
    session.on('end', () => this.sessionEnded(session));
    // A frozen holder keeps its connection and lock; the server ends its idle session, releasing the lock to a follower (see docs/decisions.md, "Moved from code comments").
    const idleMs = this.options.sessionIdleTimeoutMs ?? 10_000;
    await session.query(`SELECT set_config('idle_session_timeout', $1, false)`, [String(idleMs)]).catch(() => undefined); // older servers: keepalives only
    // A host that vanished answers no keepalive: the server drops it after about idle + 3 x 5 s.
    for (const [setting, seconds] of [
      ['tcp_keepalives_idle', Math.ceil(idleMs / 1000)],
      ['tcp_keepalives_interval', 5],
      ['tcp_keepalives_count', 3],
    ] as const) {
      await session.query('SELECT set_config($1, $2, false)', [setting, String(seconds)]).catch(() => undefined);
    }
    return session;
  }

  /** A session that errs, ends or stops answering holds nothing any more: stop projecting. */
  private sessionEnded(session: Client): void {
    if (this.session !== session) return;
    this.session = null;
    void session.end().catch(() => undefined);
    if (!this.holding) return;
    this.holding = false;
    this.enqueue(() => this.changes?.lost());
  }

  private async withinCheckTimeout<T>(session: Client, query: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the projector lease session did not answer in time')), this.options.checkTimeoutMs ?? 5000);
    });
    try {
      return await Promise.race([query, timeout]);
    } catch (error) {
      this.sessionEnded(session);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private enqueue(change: () => void | Promise<void>): void {
    // A failing handler (logged by the caller's own handlers) must not stop the ones after it.
    this.transitions = this.transitions.then(change).catch(() => undefined);
  }

  /** One lock per read-model database and schema, since advisory locks are database-wide. */
  private lockKey(): Promise<LockKey> {
    return (this.key ??= this.sql
      .query<{ database: string; schema: string }>('SELECT current_database() AS database, current_schema() AS schema')
      .then(({ rows }) => lockKeyFor(rows[0].database, rows[0].schema))
      .catch((error: unknown) => {
        this.key = undefined;
        throw error;
      }));
  }
}

interface LockKey {
  /** The bigint key pg_try_advisory_lock takes. */
  key: bigint;
  /** Its two halves as pg_locks shows them (classid: high 32 bits, objid: low 32 bits). */
  classid: string;
  objid: string;
}

export function lockKeyFor(database: string, schema: string): LockKey {
  const digest = createHash('sha256').update(`mappa read-model projector\0${database}\0${schema}`).digest();
  const key = digest.readBigInt64BE(0);
  return { key, classid: String(digest.readUInt32BE(0)), objid: String(digest.readUInt32BE(4)) };
}
