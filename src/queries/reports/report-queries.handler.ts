import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ProjectionRunner } from '../../../projections/projection-runner';
import { ReportService } from '../../reports/report.service';
import { PROJECTION_RUNNER, READ_SIDE_OPTIONS, type ReadSideOptions } from '../../reports/read-side.tokens';
import { TrendsService } from '../../reports/trends';
import { GetPeriodQuery, GetReportQuery, GetSnapshotQuery, GetTraceInPagesQuery, GetTracePageQuery, GetTraceQuery, GetTrendsQuery, type Freshness } from './report-queries';

/** How long a read with ?minPosition waits for the read models to catch up. */
export const MIN_POSITION_WAIT_MS = 5000;

/** Brings the read models to what the caller needs before reading them. */
abstract class ReadModelQueryHandler {
  constructor(
    protected readonly reports: ReportService,
    private readonly runner: ProjectionRunner,
    private readonly options: ReadSideOptions,
  ) {}

  protected async fresh({ minPosition }: Freshness): Promise<void> {
    // A command-line read first catches up with the whole store (INTERFACES.md, Consistency).
    if (this.options.catchUpBeforeRead) await this.runner.catchUp();
    else if (minPosition !== undefined) {
      const reached = await this.runner.waitFor(minPosition, MIN_POSITION_WAIT_MS);
      if ((reached ?? 0n) < minPosition) await this.reports.refuseBehind(minPosition, reached);
    }
  }
}

@QueryHandler(GetReportQuery)
export class GetReportHandler extends ReadModelQueryHandler implements IQueryHandler<GetReportQuery> {
  constructor(reports: ReportService, @Inject(PROJECTION_RUNNER) runner: ProjectionRunner, @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions) {
    super(reports, runner, options);
  }
  async execute({ area, year, knowledge }: GetReportQuery) {
    await this.fresh(knowledge);
    return this.reports.report(area, year, knowledge);
  }
}

@QueryHandler(GetSnapshotQuery)
export class GetSnapshotHandler extends ReadModelQueryHandler implements IQueryHandler<GetSnapshotQuery> {
  constructor(reports: ReportService, @Inject(PROJECTION_RUNNER) runner: ProjectionRunner, @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions) {
    super(reports, runner, options);
  }
  async execute({ area, date, knowledge }: GetSnapshotQuery) {
    await this.fresh(knowledge);
    return this.reports.snapshot(area, date, knowledge);
  }
}

@QueryHandler(GetPeriodQuery)
export class GetPeriodHandler extends ReadModelQueryHandler implements IQueryHandler<GetPeriodQuery> {
  constructor(reports: ReportService, @Inject(PROJECTION_RUNNER) runner: ProjectionRunner, @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions) {
    super(reports, runner, options);
  }
  async execute({ area, from, to, knowledge }: GetPeriodQuery) {
    await this.fresh(knowledge);
    return this.reports.period(area, from, to, knowledge);
  }
}

@QueryHandler(GetTraceQuery)
export class GetTraceHandler extends ReadModelQueryHandler implements IQueryHandler<GetTraceQuery> {
  constructor(reports: ReportService, @Inject(PROJECTION_RUNNER) runner: ProjectionRunner, @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions) {
    super(reports, runner, options);
  }
  async execute({ area, year, cellId, knowledge }: GetTraceQuery) {
    await this.fresh(knowledge);
    return this.reports.trace(area, year, cellId, knowledge);
  }
}

@QueryHandler(GetTracePageQuery)
export class GetTracePageHandler extends ReadModelQueryHandler implements IQueryHandler<GetTracePageQuery> {
  constructor(reports: ReportService, @Inject(PROJECTION_RUNNER) runner: ProjectionRunner, @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions) {
    super(reports, runner, options);
  }
  async execute({ area, year, cellId, page, knowledge }: GetTracePageQuery) {
    await this.fresh(knowledge);
    return this.reports.tracePage(area, year, cellId, { ...knowledge, ...page });
  }
}

@QueryHandler(GetTraceInPagesQuery)
export class GetTraceInPagesHandler extends ReadModelQueryHandler implements IQueryHandler<GetTraceInPagesQuery> {
  constructor(reports: ReportService, @Inject(PROJECTION_RUNNER) runner: ProjectionRunner, @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions) {
    super(reports, runner, options);
  }
  async execute({ area, year, cellId, knowledge }: GetTraceInPagesQuery) {
    await this.fresh(knowledge);
    return this.reports.traceInPages(area, year, cellId, knowledge);
  }
}

@QueryHandler(GetTrendsQuery)
export class GetTrendsHandler extends ReadModelQueryHandler implements IQueryHandler<GetTrendsQuery> {
  constructor(
    reports: ReportService,
    @Inject(PROJECTION_RUNNER) runner: ProjectionRunner,
    @Inject(READ_SIDE_OPTIONS) options: ReadSideOptions,
    private readonly trends: TrendsService,
  ) {
    super(reports, runner, options);
  }
  async execute({ area, selection, from, to, knowledge }: GetTrendsQuery) {
    await this.fresh(knowledge);
    return this.trends.trends(area, selection, from, to, knowledge);
  }
}
