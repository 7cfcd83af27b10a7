import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { ProjectionRunner } from '../../projections/projection-runner';
import type { Storage } from '../app.module';
import { GetPeriodHandler, GetReportHandler, GetSnapshotHandler, GetTraceHandler, GetTraceInPagesHandler, GetTracePageHandler, GetTrendsHandler } from '../queries/reports/report-queries.handler';
import { PUBLISHED_FIGURES, type PublishedFigures } from './published-figures';
import { TrendsService } from './trends';
import { PROJECTION_RUNNER, READ_SIDE_OPTIONS, type ReadSideOptions } from './read-side.tokens';
import { ReportService } from './report.service';
import { withStatementTimeout } from '../sql/statement-timeout';

/** Starts the projections following the store (service), and stops them before the store closes. */
@Injectable()
class ReadModelsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('read-models');
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(READ_SIDE_OPTIONS) private readonly options: ReadSideOptions,
  ) {}
  onApplicationBootstrap(): void {
    if (this.options.follow) this.runner.start((error) => this.logger.error(`projection batch failed, will retry: ${String(error)}`));
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/** The read side: projections into the read-model database, the report, and its query handlers. */
export function readSideProviders(storageToken: symbol, options: ReadSideOptions): Provider[] {
  return [
    { provide: READ_SIDE_OPTIONS, useValue: options },
    {
      provide: PROJECTION_RUNNER,
      inject: [storageToken],
      useFactory: async (storage: Storage) => {
        if (!storage.sql) throw new Error('The read models need a PostgreSQL database: set DATABASE_URL, or use the embedded store.');
        const runner = new ProjectionRunner(storage.store, storage.sql);
        await runner.init();
        return runner;
      },
    },
    {
      provide: ReportService,
      inject: [storageToken, PROJECTION_RUNNER],
      // Reports, and only reports, get the statement timeout: a rebuild or an import may run long.
      useFactory: (s: Storage, r: ProjectionRunner) => new ReportService(withStatementTimeout(s.sql!, options.statementTimeoutMs), r),
    },
    // Trends show the published figures beside the computed ones (PUBLISHED_FIGURES is bound by the app module).
    { provide: TrendsService, inject: [ReportService, PUBLISHED_FIGURES], useFactory: (r: ReportService, p: PublishedFigures) => new TrendsService(r, p) },
    ReadModelsLifecycle,
    GetReportHandler,
    GetSnapshotHandler,
    GetPeriodHandler,
    GetTraceHandler,
    GetTracePageHandler,
    GetTraceInPagesHandler,
    GetTrendsHandler,
  ];
}
