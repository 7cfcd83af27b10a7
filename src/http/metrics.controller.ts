import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { assertMayAdminister } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { ADMISSION_CONTROL, registerAdmissionMetrics, type AdmissionControl } from './admission-control';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../reports/read-side.tokens';

/**
 * Prometheus metrics: process figures, store and read-model positions, and the lag between them.
 * No offender data, but activity and load say something: admins only (docs/security.md, "/metrics").
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  private readonly registry = new Registry();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PROJECTION_RUNNER) runner: ProjectionRunner,
    @Inject(ADMISSION_CONTROL) admission: AdmissionControl,
    @Inject(PROJECTOR_LEASE) lease: ProjectorLease,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mappa_' });
    // Read on each scrape (collect), so the figures are never stale.
    const storePosition = async () => Number((await store.lastPosition()) ?? 0n);
    const readPosition = async () => Number((await runner.position()) ?? 0n);
    new Gauge({ name: 'mappa_event_store_position', help: 'Last position of the event store', registers: [this.registry],
      async collect() { this.set(await storePosition()); } });
    new Gauge({ name: 'mappa_read_model_position', help: 'Position the read models reflect', registers: [this.registry],
      async collect() { this.set(await readPosition()); } });
    new Gauge({ name: 'mappa_read_model_lag_events', help: 'Events appended but not yet in the read models', registers: [this.registry],
      async collect() { this.set(Math.max(0, (await storePosition()) - (await readPosition()))); } });
    registerAdmissionMetrics(this.registry, admission);
    new Gauge({ name: 'mappa_projector', help: '1 if this instance projects the read models, 0 if it follows another', registers: [this.registry],
      collect() { this.set(lease.held ? 1 : 0); } });
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics (no offender data); a token with the admin role' })
  metrics(@CurrentPrincipal() principal: Principal): Promise<string> {
    assertMayAdminister(principal);
    return this.registry.metrics();
  }
}
