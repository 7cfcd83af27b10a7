import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProjectionRunner } from '../../projections/projection-runner';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';
import { PROJECTION_RUNNER } from '../reports/read-side.tokens';
import { storageConditions } from '../sql/storage-faults';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and the event store it writes to; `rebuild`: the latest rebuild of this process (running, completed, or failed and why); `storage`: a full, read-only or failing disk under the store (status "degraded")' })
  async health() {
    // The disk first: it never waits on the database, and names the cause if the store cannot answer.
    const storage = await storageConditions();
    const last = await this.store.lastPosition();
    const status = storage.length > 0 ? 'degraded' : 'ok';
    return { status, eventStore: this.store.kind, lastPosition: last?.toString() ?? null, rebuild: this.runner.rebuildStatus(), ...(storage.length > 0 ? { storage } : {}) };
  }
}
