import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { STORAGE, type Storage } from '../src/event-store/storage';
import { PgSqlClient } from '../src/sql/pg-sql-client';
import { ProjectionFailures } from './projection-failures';
import { ProjectionRunner } from './projection-runner';
import { AdvisoryLockLease, projectorName, SoleProjector, type ProjectorLease } from './projector-lease';
import { PROJECTION_RUNNER, PROJECTOR_LEASE, READ_SIDE_OPTIONS, type ReadSideOptions } from './read-models.tokens';
import { RebuildRequests } from './rebuild-requests';

/** Projects while this process holds the projector lease (one projector per read-model database), runs rebuilds asked of it, and stops before the store closes. */
@Injectable()
class ReadModelsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('read-models');
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
    private readonly rebuildRequests: RebuildRequests,
    @Inject(READ_SIDE_OPTIONS) private readonly options: ReadSideOptions,
    private readonly failures: ProjectionFailures,
  ) {}
  onApplicationBootstrap(): void {
    if (!this.options.follow) return;
    this.lease.start({
      acquired: () => {
        this.logger.log('this instance projects the read models');
        this.runner.start((error) => {
          this.failures.report(error);
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

/** The read models room: the projections into the read-model database, the projector lease, and rebuilds. */
@Module({
  providers: [
    {
      provide: PROJECTION_RUNNER,
      inject: [STORAGE],
      useFactory: async (storage: Storage) => {
        if (!storage.sql) throw new Error('The read models need a PostgreSQL database: set DATABASE_URL, or use the embedded store.');
        const runner = new ProjectionRunner(storage.store, storage.sql);
        await runner.init();
        return runner;
      },
    },
    {
      provide: PROJECTOR_LEASE,
      inject: [STORAGE, READ_SIDE_OPTIONS],
      useFactory: (storage: Storage, options: ReadSideOptions): ProjectorLease => {
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
      inject: [STORAGE, PROJECTION_RUNNER], // after the runner, which says when there is no database
      useFactory: async (storage: Storage) => {
        const requests = new RebuildRequests(storage.sql!);
        await requests.init();
        return requests;
      },
    },
    ProjectionFailures,
    ReadModelsLifecycle,
  ],
  exports: [PROJECTION_RUNNER, PROJECTOR_LEASE, RebuildRequests, ProjectionFailures],
})
export class ReadModelsModule {}
