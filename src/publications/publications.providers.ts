import type { Provider } from '@nestjs/common';
import type { Storage } from '../app.module';
import { CLOCK, type Clock } from '../config/clock';
import { PUBLISHED_FIGURES } from '../reports/published-figures';
import { READ_SIDE_OPTIONS, type ReadSideOptions } from '../reports/read-side.tokens';
import { ReportService } from '../reports/report.service';
import { withStatementTimeout } from '../sql/statement-timeout';
import { Publications } from './publications';
import { RevisionsService } from './revisions';

/** Publications (append-only, beside the read models) and revisions (read from them), issue 14.2 and 14.3. */
export function publicationsProviders(storageToken: symbol): Provider[] {
  return [
    {
      provide: Publications,
      inject: [storageToken, ReportService, CLOCK],
      useFactory: (s: Storage, reports: ReportService, clock: Clock) => new Publications(s.sql!, reports, clock),
    },
    { provide: PUBLISHED_FIGURES, useExisting: Publications },
    {
      provide: RevisionsService,
      inject: [storageToken, ReportService, READ_SIDE_OPTIONS],
      // Like reports: the statement timeout, on PostgreSQL.
      useFactory: (s: Storage, reports: ReportService, options: ReadSideOptions) => new RevisionsService(withStatementTimeout(s.sql!, options.statementTimeoutMs), reports),
    },
  ];
}
