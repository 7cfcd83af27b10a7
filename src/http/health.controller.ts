import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ProjectorLease } from '../../projections/projector-lease';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';
import { StoreUnavailableError } from '../errors';
import { PROJECTOR_LEASE } from '../reports/read-side.tokens';
import { DATABASE_CONDITION, type DatabaseConditionSource } from '../sql/store-condition';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
    @Inject(DATABASE_CONDITION) private readonly databaseCondition: DatabaseConditionSource,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness, the event store it writes to, whether this instance projects the read models, and on PostgreSQL why the database cannot serve (unreachable, not answering, busy)' })
  async health(@Res({ passthrough: true }) res: Response) {
    // projector: false on the other instances of a deployment on one PostgreSQL (they follow its checkpoint).
    const projector = this.lease.held;
    try {
      const last = await this.store.lastPosition();
      return { status: 'ok', eventStore: this.store.kind, lastPosition: last?.toString() ?? null, projector, ...this.database() };
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Still an answer, saying why: the process is alive and comes back with its database.
      res.status(503).setHeader('Retry-After', String(error.retryAfterSeconds));
      return { status: 'unavailable', eventStore: this.store.kind, lastPosition: null, projector, message: error.message, ...this.database() };
    }
  }

  /** The server's condition as the pool saw it (issue 18.3); absent on the embedded store. */
  private database() {
    const database = this.databaseCondition();
    return database ? { database } : {};
  }
}
