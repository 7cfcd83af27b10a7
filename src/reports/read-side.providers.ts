import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { ProjectionRunner } from '../../projections/projection-runner';
import { AdvisoryLockLease, projectorName, SoleProjector, type ProjectorLease } from '../../projections/projector-lease';
import { RebuildRequests } from '../../projections/rebuild-requests';
import type { Storage } from '../app.module';
import { PgSqlClient } from '../sql/pg-sql-client';
import {
  GetPeriodHandler,
  GetReportHandler,
  GetSnapshotHandler,
  GetTraceHandler,
  GetTraceInPagesHandler,
  GetTracePageHandler,
  GetTrendsHandler,
} from '../queries/reports/report-queries.handler';
import { PUBLISHED_FIGURES, type PublishedFigures } from './published-figures';
import { TrendsService } from './trends';
import { PROJECTION_RUNNER, PROJECTOR_LEASE, READ_SIDE_OPTIONS, type ReadSideOptions } from './read-side.tokens';
import { ReportService } from './report.service';
import { withStatementTimeout } from '../sql/statement-timeout';
import { OperatorMetrics } from '../metrics/operator-metrics';

/** Projects while this process holds the projector lease (one projector per read-model database), runs rebuilds asked of it, and stops before the store closes. */
@Injectable()
class ReadModelsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('read-models');
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
    private readonly rebuildRequests: RebuildRequests,
    @Inject(READ_SIDE_OPTIONS) private readonly options: ReadSideOptions,
    @Optional() private readonly metrics?: OperatorMetrics,
  ) {}
  onApplicationBootstrap(): void {
    if (!this.options.follow) return;
    this.lease.start({
      acquired: () => {
        this.logger.log('this instance projects the read models');
        this.runner.start((error) => {
          this.metrics?.storeError('projection');
          this.logger.error(`projection batch failed, will retry: ${String(error)}`);
        });
      },
      lost: async () => {
        this.logger.warn('this instance no longer projects the read models (shutting down, or its lease session ended; another instance takes over)');
        await this.runner.stop();
      },
      renewed: async () => {
        const askedBy = await this.rebuildRequests.take();
        if (askedBy.length === 0) return;
        this.logger.log(`rebuilding the read models, as asked through another instance by ${askedBy.join(', ')}`);
        void this.runner.rebuild().then(
          (position) => this.logger.log(`read models rebuilt to position ${position ?? 'none'}`),
          (error: unknown) => this.logger.error(`rebuild failed: ${String(error)}`),
        );
      },
    });
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.lease.stop();
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
      provide: PROJECTOR_LEASE,
      inject: [storageToken],
      useFactory: (storage: Storage): ProjectorLease => {
        const name = projectorName(options.follow ? 'mappa serve' : 'mappa command line');
        const sql = storage.sql;
        if (sql?.dialect !== 'postgres') return new SoleProjector(name); // embedded: one process per store
        // Loudly, not two projectors: a wrapper around the client must hand over the PgSqlClient itself.
        if (!(sql instanceof PgSqlClient)) throw new Error('The projector lease needs the PostgreSQL client itself (PgSqlClient), not a wrapper.');
        return new AdvisoryLockLease(sql, (n) => sql.dedicatedConnection(n), { name });
      },
    },
    {
      provide: RebuildRequests,
      inject: [storageToken, PROJECTION_RUNNER], // after the runner, which says when there is no database
      useFactory: async (storage: Storage) => {
        const requests = new RebuildRequests(storage.sql!);
        await requests.init();
        return requests;
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
