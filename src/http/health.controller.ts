import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProjectorLease } from '../../projections/projector-lease';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';
import { PROJECTOR_LEASE } from '../reports/read-side.tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness, the event store it writes to, and whether this instance projects the read models' })
  async health() {
    const last = await this.store.lastPosition();
    // projector: false on the other instances of a deployment on one PostgreSQL (they follow its checkpoint).
    return { status: 'ok', eventStore: this.store.kind, lastPosition: last?.toString() ?? null, projector: this.lease.held };
  }
}
