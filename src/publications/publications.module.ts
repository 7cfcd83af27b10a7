import { Module } from '@nestjs/common';
import { READ_SIDE_OPTIONS, type ReadSideOptions } from '../../projections/read-models.tokens';
import { CLOCK, type Clock } from '../config/clock';
import { STORAGE, type Storage } from '../event-store/storage';
import { PUBLISHED_FIGURES } from '../reports/published-figures';
import { ReportsModule } from '../reports/reports.module';
import { ReportService } from '../reports/report.service';
import { withStatementTimeout } from '../sql/statement-timeout';
import { Publications } from './publications';
import { RevisionsService } from './revisions';

/**
 * The publications room (issue 14.2, 14.3): publications (append-only, beside the read models) and
 * revisions (read from them); it also gives trends their published figures (PUBLISHED_FIGURES).
 */
@Module({
  imports: [ReportsModule],
  providers: [
    {
      provide: Publications,
      inject: [STORAGE, ReportService, CLOCK],
      useFactory: (s: Storage, reports: ReportService, clock: Clock) => new Publications(s.sql!, reports, clock),
    },
    { provide: PUBLISHED_FIGURES, useExisting: Publications },
    {
      provide: RevisionsService,
      inject: [STORAGE, ReportService, READ_SIDE_OPTIONS],
      // Like reports: the statement timeout, on PostgreSQL.
      useFactory: (s: Storage, reports: ReportService, options: ReadSideOptions) => new RevisionsService(withStatementTimeout(s.sql!, options.statementTimeoutMs), reports),
    },
  ],
  exports: [Publications, PUBLISHED_FIGURES, RevisionsService],
})
export class PublicationsModule {}
