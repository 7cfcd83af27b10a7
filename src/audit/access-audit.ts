import { userInfo } from 'node:os';
import type { Clock } from '../config/clock';
import { ALL_AREAS, LOCAL_OPERATOR, type Caller } from '../auth/principal';
import { ForbiddenError, StoreUnavailableError } from '../errors';
import type { SqlClient } from '../sql/sql-client';
import { ACCESS_AUDIT_APPEND_LOCK, ACCESS_AUDIT_INIT_LOCK, ACCESS_AUDIT_SCHEMA_SQL } from './access-audit.schema';

// Every read of offender-level data, allowed or refused, is written here before the data leaves (docs/security.md, "Audit of access").

/** What was read or attempted; `write-refused` and `registered-in-another-area` are writes the areas concerned must see (docs/security.md, section 3). */
export type AccessAction = 'offender-state' | 'offender-history' | 'trace' | 'revisions' | 'access-audit' | 'write-refused' | 'registered-in-another-area';

export interface AccessAuditEntry {
  caller: Caller;
  action: AccessAction;
  /** What exactly, in words: `offender GM-1 asOf=2015-03-31`, `greater-manchester 2014-15 offendersOnSnapshot.total.total`. */
  target: string;
  offenderId?: string | null;
  /** The areas the data belongs to: who may later see this entry (auditors of any of them). */
  areas: readonly string[];
  /** Why, as the reader said (the `reason` query parameter). */
  reason?: string | null;
}

export interface AccessAuditRecord {
  id: string;
  at: string;
  actor: string;
  agency: string;
  roles: string[];
  action: AccessAction;
  target: string;
  offenderId: string | null;
  areas: string[];
  reason: string | null;
  outcome: 'allowed' | 'refused';
}

export const ACCESS_AUDIT_PAGE_LIMIT = 1000;

export class AccessAudit {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly sql: SqlClient | undefined,
    private readonly clock: Clock,
  ) {}

  /** Creates the table and its append-only trigger; safe on every start. */
  async onModuleInit(): Promise<void> {
    await this.init();
  }

  init(): Promise<void> {
    return (this.ready ??= this.createSchema().catch((error) => {
      this.ready = undefined;
      throw error;
    }));
  }

  /** Runs the access check and records its outcome first: if the entry cannot be written the read fails, so no data leaves unaudited. */
  async authorise(entry: AccessAuditEntry | readonly AccessAuditEntry[], authorise: () => void): Promise<void> {
    const entries = Array.isArray(entry) ? entry : [entry as AccessAuditEntry];
    try {
      authorise();
    } catch (error) {
      if (error instanceof ForbiddenError) await this.recordAll(entries.map((e) => ({ ...e, outcome: 'refused' as const })));
      throw error;
    }
    await this.recordAll(entries.map((e) => ({ ...e, outcome: 'allowed' as const })));
  }

  /** Records many entries in one INSERT (a batch of posted events may have thousands of refused lines). */
  async recordAll(entries: ReadonlyArray<AccessAuditEntry & { outcome: 'allowed' | 'refused' }>): Promise<void> {
    if (entries.length === 0) return;
    const sql = this.database();
    await this.init();
    const rows = entries.map((entry) => ({
      ...whoIs(entry.caller),
      action: entry.action,
      target: entry.target,
      offender_id: entry.offenderId ?? null,
      areas: [...entry.areas],
      reason: entry.reason ?? null,
      outcome: entry.outcome,
    }));
    // One writer at a time, lock held to commit, so ids become visible in order and a reader paging by id never passes a later commit.
    await sql.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [ACCESS_AUDIT_APPEND_LOCK]);
      // The time is read under the lock too, so entries are oldest first in id order.
      const at = this.clock.now().toISOString();
      await tx.query(
        `INSERT INTO access_audit (at, actor, agency, roles, action, target, offender_id, areas, reason, outcome)
         SELECT $1::timestamptz, r.actor, r.agency, ARRAY(SELECT jsonb_array_elements_text(r.roles)), r.action, r.target, r.offender_id,
                ARRAY(SELECT jsonb_array_elements_text(r.areas)), r.reason, r.outcome
           FROM jsonb_to_recordset($2::jsonb)
             AS r(actor text, agency text, roles jsonb, action text, target text, offender_id text, areas jsonb, reason text, outcome text)`,
        [at, JSON.stringify(rows)],
      );
    });
  }

  async record(entry: AccessAuditEntry, outcome: 'allowed' | 'refused'): Promise<void> {
    await this.recordAll([{ ...entry, outcome }]);
  }

  /** Entries with `from <= at < to` meeting `areas` (['*']: all), oldest first by id, at most `limit` after entry `after`. */
  async list(options: { areas: readonly string[]; from?: Date; to?: Date; after?: bigint; limit?: number }): Promise<AccessAuditRecord[]> {
    const sql = this.database();
    await this.init();
    const everyArea = options.areas.includes(ALL_AREAS);
    const { rows } = await sql.query<Record<string, unknown>>(
      `SELECT access_audit.id::text AS id, at, actor, agency, roles, action, target, offender_id, areas, reason, outcome
         FROM access_audit
        WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz)
          AND ($2::timestamptz IS NULL OR at < $2::timestamptz)
          AND ($3::bigint IS NULL OR id > $3::bigint)
          AND ($4::boolean OR areas && ARRAY(SELECT jsonb_array_elements_text($5::jsonb)))
        ORDER BY access_audit.id
        LIMIT $6`,
      [
        options.from?.toISOString() ?? null,
        options.to?.toISOString() ?? null,
        options.after?.toString() ?? null,
        everyArea,
        JSON.stringify([...options.areas]),
        Math.min(options.limit ?? ACCESS_AUDIT_PAGE_LIMIT, ACCESS_AUDIT_PAGE_LIMIT),
      ],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at as string | Date).toISOString(),
      actor: String(r.actor),
      agency: String(r.agency),
      roles: r.roles as string[],
      action: r.action as AccessAction,
      target: String(r.target),
      offenderId: (r.offender_id as string | null) ?? null,
      areas: r.areas as string[],
      reason: (r.reason as string | null) ?? null,
      outcome: r.outcome as 'allowed' | 'refused',
    }));
  }

  private database(): SqlClient {
    // Fail closed: with nowhere to write the audit, offender-level data is not served.
    if (!this.sql) throw new StoreUnavailableError('The access audit has no database, so offender-level data cannot be served.');
    return this.sql;
  }

  private async createSchema(): Promise<void> {
    const sql = this.database();
    await sql.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [ACCESS_AUDIT_INIT_LOCK]);
      await tx.exec(ACCESS_AUDIT_SCHEMA_SQL);
    });
  }
}

/** Who runs this process, as the operating system knows it: $USER can be set to anything. */
export function operatingSystemUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the uid is still the operating system's word.
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** The actor, agency and roles an entry records: the token's, or the local operator's OS user. */
function whoIs(caller: Caller): { actor: string; agency: string; roles: string[] } {
  return caller === LOCAL_OPERATOR
    ? { actor: `${LOCAL_OPERATOR}:${operatingSystemUser()}`, agency: 'moj', roles: [LOCAL_OPERATOR] }
    : { actor: caller.sub, agency: caller.agency, roles: [...caller.roles] };
}
