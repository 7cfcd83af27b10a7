import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';
import { StoreUnavailableError } from '../errors';
import { DATABASE_CONDITION, type DatabaseConditionSource } from '../sql/store-condition';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_CONDITION) private readonly databaseCondition: DatabaseConditionSource,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and the event store it writes to; on PostgreSQL, why the database cannot serve (unreachable, not answering, busy)' })
  async health(@Res({ passthrough: true }) res: Response) {
    try {
      const last = await this.store.lastPosition();
      return { status: 'ok', eventStore: this.store.kind, lastPosition: last?.toString() ?? null, ...this.database() };
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Still an answer, saying why: the process is alive and comes back with its database.
      res.status(503).setHeader('Retry-After', String(error.retryAfterSeconds));
      return { status: 'unavailable', eventStore: this.store.kind, lastPosition: null, message: error.message, ...this.database() };
    }
  }

  /** The server's condition as the pool saw it (issue 18.3); absent on the embedded store. */
  private database() {
    const database = this.databaseCondition();
    return database ? { database } : {};
  }
}
