import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import type { ProjectionRunner } from '../../../projections/projection-runner';
import { PROJECTION_RUNNER, READ_SIDE_OPTIONS, type ReadSideOptions } from '../../../projections/read-models.tokens';
import { ReportService } from '../../reports/report.service';
import { TrendsService } from '../../reports/trends';
import { GetPeriodQuery, GetReportQuery, GetSnapshotQuery, GetTraceInPagesQuery, GetTracePageQuery, GetTraceQuery, GetTrendsQuery, type Freshness } from './report-queries';

/** How long a read with ?minPosition waits for the read models to catch up. */
export const MIN_POSITION_WAIT_MS = 5000;

type Answer<Q> = Q extends Query<infer R> ? R : never;

/**
 * Brings the read models to what the caller needs, then reads them: each handler says only what it
 * reads. Property injection, so no handler repeats the constructor for its base (Nest's advice for hierarchies).
 */
abstract class ReadModelQueryHandler<Q extends Query<unknown> & { knowledge: Freshness }> {
  @Inject(ReportService) protected readonly reports!: ReportService;
  @Inject(PROJECTION_RUNNER) private readonly runner!: ProjectionRunner;
  @Inject(READ_SIDE_OPTIONS) private readonly options!: ReadSideOptions;

  async execute(query: Q): Promise<Answer<Q>> {
    await this.fresh(query.knowledge);
    return this.read(query);
  }

  protected abstract read(query: Q): Promise<Answer<Q>>;

  private async fresh({ minPosition }: Freshness): Promise<void> {
    // A command-line read first catches up with the whole store (INTERFACES.md, Consistency).
    if (this.options.catchUpBeforeRead) await this.runner.catchUp();
    else if (minPosition !== undefined) {
      const reached = await this.runner.waitFor(minPosition, MIN_POSITION_WAIT_MS);
      if ((reached ?? 0n) < minPosition) await this.reports.refuseBehind(minPosition, reached);
    }
  }
}

@QueryHandler(GetReportQuery)
export class GetReportHandler extends ReadModelQueryHandler<GetReportQuery> {
  protected read({ area, year, knowledge }: GetReportQuery) {
    return this.reports.report(area, year, knowledge);
  }
}

@QueryHandler(GetSnapshotQuery)
export class GetSnapshotHandler extends ReadModelQueryHandler<GetSnapshotQuery> {
  protected read({ area, date, knowledge }: GetSnapshotQuery) {
    return this.reports.snapshot(area, date, knowledge);
  }
}

@QueryHandler(GetPeriodQuery)
export class GetPeriodHandler extends ReadModelQueryHandler<GetPeriodQuery> {
  protected read({ area, from, to, knowledge }: GetPeriodQuery) {
    return this.reports.period(area, from, to, knowledge);
  }
}

@QueryHandler(GetTraceQuery)
export class GetTraceHandler extends ReadModelQueryHandler<GetTraceQuery> {
  protected read({ area, year, cellId, knowledge }: GetTraceQuery) {
    return this.reports.trace(area, year, cellId, knowledge);
  }
}

@QueryHandler(GetTracePageQuery)
export class GetTracePageHandler extends ReadModelQueryHandler<GetTracePageQuery> {
  protected read({ area, year, cellId, page, knowledge }: GetTracePageQuery) {
    return this.reports.tracePage(area, year, cellId, { ...knowledge, ...page });
  }
}

@QueryHandler(GetTraceInPagesQuery)
export class GetTraceInPagesHandler extends ReadModelQueryHandler<GetTraceInPagesQuery> {
  protected read({ area, year, cellId, knowledge }: GetTraceInPagesQuery) {
    return this.reports.traceInPages(area, year, cellId, knowledge);
  }
}

@QueryHandler(GetTrendsQuery)
export class GetTrendsHandler extends ReadModelQueryHandler<GetTrendsQuery> {
  @Inject(TrendsService) private readonly trends!: TrendsService;
  protected read({ area, selection, from, to, knowledge }: GetTrendsQuery) {
    return this.trends.trends(area, selection, from, to, knowledge);
  }
}
