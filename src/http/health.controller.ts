import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { Public } from '../auth/public.decorator';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and the event store it writes to' })
  async health() {
    const last = await this.store.lastPosition();
    return { status: 'ok', eventStore: this.store.kind, lastPosition: last?.toString() ?? null };
  }
}
