import { Query } from '@nestjs/cqrs';
import type { KnowledgeOptions, Report, Trace } from '../../reports/report.service';

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
