import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../../projections/read-models.module';
import { EventStoreModule } from '../event-store/event-store.module';
import { OperatorMetrics } from './operator-metrics';

/** The metrics room: what an operator watches on /metrics (served only: the command line has no metrics). */
@Module({
  imports: [EventStoreModule, ReadModelsModule],
  providers: [OperatorMetrics],
  exports: [OperatorMetrics],
})
export class MetricsModule {}
