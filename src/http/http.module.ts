import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { ReadModelsModule } from '../../projections/read-models.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { AuthenticationGuard } from '../auth/authentication.guard';
import { EventStoreModule } from '../event-store/event-store.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OperatorMetrics } from '../metrics/operator-metrics';
import { PublicationsController } from '../publications/publications.controller';
import { PublicationsModule } from '../publications/publications.module';
import { WorkbenchModule } from '../workbench/workbench.module';
import { AccessAuditController } from './access-audit.controller';
import { ADMISSION_CONTROL, AdmissionControl, registerAdmissionMetrics, type AdmissionLimits } from './admission-control';
import { AdmissionLeaseInterceptor } from './admission.middleware';
import { ErrorFilter } from './error.filter';
import { EventBatchesController } from './event-batches.controller';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { OffenderEventsController } from './offender-events.controller';
import { OperationsController } from './operations.controller';
import { RateLimitGuard, throttlerOptions, type RateLimitSettings } from './rate-limit';
import { REPORT_READ_LIMITER, ReportReadLimiter, type ReportReadLimits } from './report-read-limiter';
import { ReportsController } from './reports.controller';
import { requestLogging } from './request-logging';

export interface HttpSettings {
  /** Requests per token (or client address) per window; false: no limit. */
  rateLimit: RateLimitSettings | false;
  /** Report reads each caller may have in flight; false: no limit. */
  reportReads: ReportReadLimits | false;
  /** Work in flight admitted at once (writes, reads); false: unbounded. */
  admission: AdmissionLimits | false;
  /** Log each request through this logger; absent: no request lines. */
  logger?: PinoLogger;
}

/**
 * The HTTP room: thin controllers onto the command and query buses (which find their handlers in
 * the recording and queries rooms), and the guards, filter and limits every request passes.
 */
@Module({})
export class HttpModule {
  static register(settings: HttpSettings): DynamicModule {
    const { rateLimit, reportReads, admission, logger } = settings;
    return {
      module: HttpModule,
      imports: [
        EventStoreModule,
        ReadModelsModule,
        AuditModule,
        AuthModule,
        PublicationsModule,
        MetricsModule,
        WorkbenchModule,
        ...(rateLimit ? [ThrottlerModule.forRoot(throttlerOptions(rateLimit))] : []),
        ...(logger ? [LoggerModule.forRoot({ pinoHttp: requestLogging(logger) })] : []),
      ],
      controllers: [
        OffenderEventsController,
        EventBatchesController,
        HealthController,
        AccessAuditController,
        ReportsController,
        OperationsController,
        MetricsController,
        PublicationsController,
      ],
      providers: [
        { provide: REPORT_READ_LIMITER, useValue: reportReads ? new ReportReadLimiter(reportReads) : null },
        {
          provide: ADMISSION_CONTROL,
          inject: [OperatorMetrics],
          // Its figures are on /metrics; the metrics room knows nothing of HTTP admission.
          useFactory: (metrics: OperatorMetrics) => {
            const control = new AdmissionControl(admission || { writes: 0, reads: 0, expensiveWeight: 1 });
            registerAdmissionMetrics(metrics.registry, control);
            return control;
          },
        },
        // Guards run in this order: the rate limit first, so forged tokens are limited too.
        ...(rateLimit ? [{ provide: APP_GUARD, useClass: RateLimitGuard }] : []),
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_INTERCEPTOR, useClass: AdmissionLeaseInterceptor },
      ],
    };
  }
}
