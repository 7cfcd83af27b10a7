/** What the service last learnt about its PostgreSQL server, for /health and the 503: a dead database and a full pool have different cures (issue 18.3). */
/** Injection token: a function answering the read-model/event PostgreSQL's condition, or null (embedded PGlite, no server). */
export const DATABASE_CONDITION = Symbol('DatabaseCondition');
export type DatabaseConditionSource = () => DatabaseCondition | null;

export type DatabaseState = 'ok' | 'busy' | 'unreachable' | 'not-answering';

export interface PoolUsage {
  size: number;
  inUse: number;
  waiting: number;
}

export interface DatabaseCondition {
  state: DatabaseState;
  /** One sentence for an operator. */
  message: string;
  /** When the present fault was first seen (ISO 8601); absent when ok. */
  since?: string;
  pool: PoolUsage;
}

/** Failures this recent still describe the database when a call fails without a cause of its own (a wait in a full pool). */
const RECENT_MS = 10_000;

export class StoreCondition {
  private state: Exclude<DatabaseState, 'ok' | 'busy'> | 'ok' = 'ok';
  private since: Date | null = null;
  private lastFailureAt = 0;

  constructor(
    private readonly usage: () => PoolUsage,
    private readonly answerWithinMs: number,
  ) {}

  succeeded(): void {
    this.state = 'ok';
    this.since = null;
  }

  /** A connection refused, dropped or timed out while connecting: the server cannot be reached. */
  unreachable(): void {
    this.fail('unreachable');
  }

  /** A statement or its answer ran past the statement timeout: the server is there but does not answer in time. */
  notAnswering(): void {
    this.fail('not-answering');
  }

  /** Whether a wait for a connection that ran out is explained by the server rather than by the pool being full. */
  databaseAtFault(): boolean {
    return this.state !== 'ok' && Date.now() - this.lastFailureAt < RECENT_MS;
  }

  current(): DatabaseCondition {
    const pool = this.usage();
    if (this.state === 'unreachable')
      return { state: 'unreachable', message: 'unreachable: the PostgreSQL database cannot be reached (connections refused or dropped).', since: this.since?.toISOString(), pool };
    if (this.state === 'not-answering') {
      return {
        state: 'not-answering',
        message: `not answering: the PostgreSQL database accepted connections but did not answer within ${seconds(this.answerWithinMs)}.`,
        since: this.since?.toISOString(),
        pool,
      };
    }
    if (pool.inUse >= pool.size && pool.waiting > 0) return { state: 'busy', message: busyMessage(pool), pool };
    return { state: 'ok', message: 'ok', pool };
  }

  private fail(state: 'unreachable' | 'not-answering'): void {
    if (this.state !== state) this.since = new Date();
    this.state = state;
    this.lastFailureAt = Date.now();
  }
}

export const busyMessage = (pool: PoolUsage): string => `busy: all ${pool.size} connections in use, ${pool.waiting} waiting; the database itself answers.`;

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
