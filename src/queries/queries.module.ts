import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../../projections/read-models.module';
import { EventStoreModule } from '../event-store/event-store.module';
import { PublicationsModule } from '../publications/publications.module';
import { PUBLISHED_FIGURES, type PublishedFigures } from '../reports/published-figures';
import { ReportsModule } from '../reports/reports.module';
import { ReportService } from '../reports/report.service';
import { TrendsService } from '../reports/trends';
import { GetOffenderEventsHandler, GetOffenderHandler } from './offender/offender-queries.handler';
import {
  GetPeriodHandler,
  GetReportHandler,
  GetSnapshotHandler,
  GetTraceHandler,
  GetTraceInPagesHandler,
  GetTracePageHandler,
  GetTrendsHandler,
} from './reports/report-queries.handler';

/**
 * The queries room: the query bus's handlers (the query bus finds them; nothing is exported).
 * Trends sit here, not in the reports room: they show the published figures, and publications read reports.
 */
@Module({
  imports: [EventStoreModule, ReadModelsModule, ReportsModule, PublicationsModule],
  providers: [
    { provide: TrendsService, inject: [ReportService, PUBLISHED_FIGURES], useFactory: (r: ReportService, p: PublishedFigures) => new TrendsService(r, p) },
    GetOffenderHandler,
    GetOffenderEventsHandler,
    GetReportHandler,
    GetSnapshotHandler,
    GetPeriodHandler,
    GetTraceHandler,
    GetTracePageHandler,
    GetTraceInPagesHandler,
    GetTrendsHandler,
  ],
})
export class QueriesModule {}
