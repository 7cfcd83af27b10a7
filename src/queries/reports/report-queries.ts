import { Query } from '@nestjs/cqrs';
import type { KnowledgeOptions, Report, Trace, TracePage } from '../../reports/report.service';
import type { Trends, TrendSelection } from '../../reports/trends';

/** Read-your-writes: wait (bounded) until the read models reflect this store position. */
export interface Freshness {
  minPosition?: bigint;
}

type Snapshot = Awaited<ReturnType<import('../../reports/report.service').ReportService['snapshot']>>;
type Period = Awaited<ReturnType<import('../../reports/report.service').ReportService['period']>>;

/** The annual report of one area (or england-and-wales) for year Y/Y+1 (DOMAIN.md 6). */
export class GetReportQuery extends Query<Report> {
  constructor(
    readonly area: string,
    readonly year: number,
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}

/** Table 6.1 at the end of any date. */
export class GetSnapshotQuery extends Query<Snapshot> {
  constructor(
    readonly area: string,
    readonly date: string,
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}

/** The period tables (6.2-6.9) for any range of dates. */
export class GetPeriodQuery extends Query<Period> {
  constructor(
    readonly area: string,
    readonly from: string,
    readonly to: string,
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}

/** One cell's trace (DOMAIN.md 7). */
export class GetTraceQuery extends Query<Trace> {
  constructor(
    readonly area: string,
    readonly year: number,
    readonly cellId: string,
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}

/** One page of a cell's trace, the first with its summary (issue 14.1). */
export class GetTracePageQuery extends Query<TracePage> {
  constructor(
    readonly area: string,
    readonly year: number,
    readonly cellId: string,
    readonly page: { limit: number; after?: string },
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}

type TraceInPages = Awaited<ReturnType<import('../../reports/report.service').ReportService['traceInPages']>>;

/** A cell's whole trace, page by page at one position, for a streamed export (issue 14.1). */
export class GetTraceInPagesQuery extends Query<TraceInPages> {
  constructor(
    readonly area: string,
    readonly year: number,
    readonly cellId: string,
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}

/** Cells across report years, from year `from` to year `to` (issue 14.4). */
export class GetTrendsQuery extends Query<Trends> {
  constructor(
    readonly area: string,
    readonly selection: TrendSelection,
    readonly from: number,
    readonly to: number,
    readonly knowledge: KnowledgeOptions & Freshness = {},
  ) {
    super();
  }
}
