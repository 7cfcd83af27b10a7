import { Module } from '@nestjs/common';
import type { ProjectionRunner } from '../../projections/projection-runner';
import { ReadModelsModule } from '../../projections/read-models.module';
import { PROJECTION_RUNNER, READ_SIDE_OPTIONS, type ReadSideOptions } from '../../projections/read-models.tokens';
import { STORAGE, type Storage } from '../event-store/storage';
import { withStatementTimeout } from '../sql/statement-timeout';
import { ReportService } from './report.service';

/** The reports room: the annual report, snapshots, periods and traces, read from the read models. */
@Module({
  imports: [ReadModelsModule],
  providers: [
    {
      provide: ReportService,
      inject: [STORAGE, PROJECTION_RUNNER, READ_SIDE_OPTIONS],
      // Reports, and only reports, get the statement timeout: a rebuild or an import may run long.
      useFactory: (s: Storage, r: ProjectionRunner, options: ReadSideOptions) => new ReportService(withStatementTimeout(s.sql!, options.statementTimeoutMs), r),
    },
  ],
  exports: [ReportService],
})
export class ReportsModule {}
