import { Module, type DynamicModule, type OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { databaseSettings, type AppConfig, type DatabaseSettings } from './config/app-config';
import { CLOCK, systemClock, type Clock } from './config/clock';
import { AUTH_SETTINGS, DEVELOPMENT_PRINCIPAL, type AuthSettings } from './auth/auth-settings';
import { AuthenticationGuard } from './auth/authentication.guard';
import { Authenticator } from './auth/authenticator';
import { AccessAudit } from './audit/access-audit';
import { RecordOffenderEventsHandler } from './commands/record-events/record-offender-events.handler';
import { EVENT_STORE, type EventStore } from './event-store/event-store';
import { openEventStore } from './event-store/open-event-store';
import { AccessAuditController } from './http/access-audit.controller';
import { ADMISSION_CONTROL, AdmissionControl, defaultAdmissionLimits, type AdmissionLimits } from './http/admission-control';
import { AdmissionLeaseInterceptor } from './http/admission.middleware';
import { ErrorFilter } from './http/error.filter';
import { EventBatchesController } from './http/event-batches.controller';
import { HealthController } from './http/health.controller';
import { OffenderEventsController } from './http/offender-events.controller';
import { DEFAULT_RATE_LIMIT, RateLimitGuard, throttlerOptions, type RateLimitSettings } from './http/rate-limit';
import { DEFAULT_REPORT_READ_LIMITS, REPORT_READ_LIMITER, ReportReadLimiter, type ReportReadLimits } from './http/report-read-limiter';
import { GetOffenderEventsHandler, GetOffenderHandler } from './queries/offender/offender-queries.handler';
import type { SqlClient } from './sql/sql-client';
import { DATABASE_CONDITION, type DatabaseConditionSource } from './sql/store-condition';
import { readSideProviders } from './reports/read-side.providers';
import { ReportsController } from './http/reports.controller';
import { OperationsController } from './http/operations.controller';
import { MetricsController } from './http/metrics.controller';
import { PublicationsController } from './publications/publications.controller';
import { publicationsProviders } from './publications/publications.providers';
import { DEFAULT_REPORT_STATEMENT_TIMEOUT_MS, PROJECTION_RUNNER, PROJECTOR_LEASE } from './reports/read-side.tokens';
import { RebuildRequests } from '../projections/rebuild-requests';
import { OperatorMetrics } from './metrics/operator-metrics';
import { requestLogging } from './http/request-logging';
import { WorkbenchController } from './workbench/workbench.controller';

export const APP_CONFIG = Symbol('AppConfig');
export const STORAGE = Symbol('Storage');

/** The event store and, where it is PostgreSQL-family, the same database for read models. */
export interface Storage {
  store: EventStore;
  sql?: SqlClient;
}

export interface AppOptions {
  config: AppConfig;
  clock?: Clock;
  auth?: AuthSettings;
  /** Requests per token (or client address) per window; false: no limit. Default DEFAULT_RATE_LIMIT. */
  rateLimit?: RateLimitSettings | false;
  /** Report reads each caller may have in flight; false: no limit. Default DEFAULT_REPORT_READ_LIMITS. */
  reportReads?: ReportReadLimits | false;
  /** Work in flight admitted at once (writes, reads); false: unbounded. Default defaultAdmissionLimits(config). */
  admission?: AdmissionLimits | false;
  /** Longest a report's database statement may run (ms; 0: no limit). Default DEFAULT_REPORT_STATEMENT_TIMEOUT_MS. */
  reportStatementTimeoutMs?: number;
  /** Serve HTTP controllers (false for the command line). */
  http?: boolean;
  /** Log each request and the service's own messages through this logger (src/http/request-logging.ts); absent: Nest's console logger, no request lines. */
  logger?: PinoLogger;
}

@Injectable()
class StorageCloser implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}
  async onApplicationShutdown() {
    await this.storage.store.close();
    await this.storage.sql?.close();
  }
}

/** How long a command waits for a connection at least: a loaded machine may take seconds to give one. */
export const COMMAND_ACQUIRE_TIMEOUT_MS = 30_000;

/**
 * The service bounds every statement and every wait for a connection (issue 18.2); a command
 * (import, rebuild, migrate) is an operator's, watched at a terminal: its large batches may rightly
 * run longer, and it waits for a connection rather than fail an import on a busy machine.
 */
export function poolSettings(config: AppConfig, http: boolean): DatabaseSettings {
  const settings = databaseSettings(config);
  return http ? settings : { ...settings, statementTimeoutMs: 0, acquireTimeoutMs: Math.max(settings.acquireTimeoutMs, COMMAND_ACQUIRE_TIMEOUT_MS) };
}

@Module({})
export class AppModule {
  static register(options: AppOptions): DynamicModule {
    const http = options.http ?? true;
    const rateLimit = http ? (options.rateLimit ?? DEFAULT_RATE_LIMIT) : false;
    const reportReads = options.reportReads ?? DEFAULT_REPORT_READ_LIMITS;
    const admission = options.admission ?? defaultAdmissionLimits(options.config);
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ...(rateLimit ? [ThrottlerModule.forRoot(throttlerOptions(rateLimit))] : []),
        ...(http && options.logger ? [LoggerModule.forRoot({ pinoHttp: requestLogging(options.logger) })] : []),
      ],
      controllers: http
        ? [
            OffenderEventsController,
            EventBatchesController,
            HealthController,
            AccessAuditController,
            ReportsController,
            OperationsController,
            MetricsController,
            PublicationsController,
            WorkbenchController,
          ]
        : [],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: AUTH_SETTINGS, useValue: options.auth ?? { development: true, developmentPrincipal: DEVELOPMENT_PRINCIPAL } },
        { provide: STORAGE, useFactory: () => openEventStore({ ...options.config, database: poolSettings(options.config, http) }) },
        {
          provide: DATABASE_CONDITION,
          useFactory:
            (s: Storage): DatabaseConditionSource =>
            () =>
              s.sql?.condition?.() ?? null,
          inject: [STORAGE],
        },
        { provide: EVENT_STORE, useFactory: (s: Storage) => s.store, inject: [STORAGE] },
        StorageCloser,
        ...readSideProviders(STORAGE, {
          follow: http,
          catchUpBeforeRead: !http,
          statementTimeoutMs: options.reportStatementTimeoutMs ?? DEFAULT_REPORT_STATEMENT_TIMEOUT_MS,
        }),
        // Publications also give trends their published figures (PUBLISHED_FIGURES).
        ...publicationsProviders(STORAGE),
        { provide: REPORT_READ_LIMITER, useValue: reportReads ? new ReportReadLimiter(reportReads) : null },
        { provide: ADMISSION_CONTROL, useValue: new AdmissionControl(admission || { writes: 0, reads: 0, expensiveWeight: 1 }) },
        Authenticator,
        { provide: AccessAudit, useFactory: (s: Storage, clock: Clock) => new AccessAudit(s.sql, clock), inject: [STORAGE, CLOCK] },
        RecordOffenderEventsHandler,
        GetOffenderHandler,
        GetOffenderEventsHandler,
        // Guards run in this order: the rate limit first, so forged tokens are limited too.
        ...(rateLimit ? [{ provide: APP_GUARD, useClass: RateLimitGuard }] : []),
        ...(http
          ? [
              { provide: APP_GUARD, useClass: AuthenticationGuard },
              { provide: APP_FILTER, useClass: ErrorFilter },
              { provide: APP_INTERCEPTOR, useClass: AdmissionLeaseInterceptor },
              OperatorMetrics,
            ]
          : []),
      ],
      exports: [EVENT_STORE, STORAGE, CLOCK, AccessAudit, PROJECTION_RUNNER, PROJECTOR_LEASE, RebuildRequests],
    };
  }
}
