import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';
import { StoreUnavailableError } from '../errors';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../reports/read-side.tokens';
import { storageConditions } from '../sql/storage-faults';
import { DATABASE_CONDITION, type DatabaseConditionSource } from '../sql/store-condition';

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
}
