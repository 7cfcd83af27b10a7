import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';
import { StoreUnavailableError } from '../errors';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../../projections/read-models.tokens';
import { storageConditions } from '../sql/storage-faults';
import { DATABASE_CONDITION, type DatabaseConditionSource } from '../sql/store-condition';
import { withoutCredentials } from '../errors';
import { LAG_COUNT_LIMIT } from '../metrics/operator-metrics';

/** Longest /health/ready waits for the store and read models before it says they do not answer. */
export const READY_CHECK_TIMEOUT_MS = 2000;

/** What /health/ready answers (docs/operations.md, "Runbook"). */
export interface Readiness {
  status: 'ready' | 'not-ready';
  eventStore: string;
  lastPosition: string | null;
  readModels: { position: string | null; eventsBehind: number | null; rebuilding: boolean; rebuild: { done: number; total: number } | null };
  /** Why not ready, one sentence each; empty when ready. */
  reasons: string[];
}

/** /health/live: the process (never the database); /health/ready: store and read models answer, no rebuild runs; /health: the store's kind and position. */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
    @Inject(DATABASE_CONDITION) private readonly databaseCondition: DatabaseConditionSource,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Liveness and the event store it writes to; `projector`: whether this instance projects the read models; `rebuild`: the latest rebuild of this process ' +
      '(running, completed, or failed and why); `storage`: a full, read-only or failing disk under the store (status "degraded"); `database`: on PostgreSQL, why it cannot serve (unreachable, not answering, busy)',
  })
  async health(@Res({ passthrough: true }) res: Response) {
    // projector: false on the other instances of a deployment on one PostgreSQL (they follow its checkpoint).
    const projector = this.lease.held;
    // The disk first: it never waits on the database, and names the cause if the store cannot answer.
    const storage = await storageConditions();
    const facts = { projector, rebuild: this.runner.rebuildStatus(), ...(storage.length > 0 ? { storage } : {}), ...this.database() };
    try {
      const last = await this.store.lastPosition();
      return { status: storage.length > 0 ? 'degraded' : 'ok', eventStore: this.store.kind, lastPosition: last?.toString() ?? null, ...facts };
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Still an answer, saying why: the process is alive and comes back with its database.
      res.status(503).setHeader('Retry-After', String(error.retryAfterSeconds));
      return { status: 'unavailable', eventStore: this.store.kind, lastPosition: null, message: error.message, ...facts };
    }
  }

  /** The server's condition as the pool saw it (issue 18.3); absent on the embedded store. */
  private database() {
    const database = this.databaseCondition();
    return database ? { database } : {};
  }

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers (restart it if not); never asks the database' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: 200 when the store and read models answer and no rebuild runs, else 503; how far behind the read models are' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<Readiness> {
    const readiness = await this.readiness();
    if (readiness.status !== 'ready') response.status(503).setHeader('Retry-After', '5');
    return readiness;
  }

  private async readiness(): Promise<Readiness> {
    const rebuild = this.runner.rebuildProgressHere();
    const readiness: Readiness = {
      status: 'ready',
      eventStore: this.store.kind,
      lastPosition: null,
      readModels: { position: null, eventsBehind: null, rebuilding: rebuild !== null, rebuild: rebuild && { done: rebuild.done, total: rebuild.total } },
      reasons: [],
    };
    // A rebuild here holds the embedded store's one connection: say so without waiting for it.
    if (rebuild) readiness.reasons.push(`The read models are being rebuilt (${rebuild.done} of ${rebuild.total} events); reports answer 503 until it ends.`);
    else {
      try {
        const answer = await withinReadyTimeout(async () => {
          const [last, position, rebuilding] = [await this.store.lastPosition(), await this.runner.position(), await this.runner.rebuildState()];
          return { last, position, rebuilding, eventsBehind: await this.runner.eventsBehind(LAG_COUNT_LIMIT) };
        });
        readiness.lastPosition = answer.last?.toString() ?? null;
        readiness.readModels.position = answer.position?.toString() ?? null;
        readiness.readModels.rebuilding = answer.rebuilding !== null;
        readiness.readModels.eventsBehind = answer.eventsBehind;
        if (answer.rebuilding) readiness.reasons.push('The read models are being rebuilt (by another process); reports answer 503 until it ends.');
      } catch (error) {
        readiness.reasons.push(`The event store or read-model database does not answer: ${withoutCredentials(error instanceof Error ? error.message : String(error))}`);
      }
    }
    if (readiness.reasons.length > 0) readiness.status = 'not-ready';
    return readiness;
  }
}

async function withinReadyTimeout<T>(check: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_CHECK_TIMEOUT_MS / 1000} s.`)), READY_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
