import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger as PinoLogger } from 'pino';
import { ReadModelsModule } from '../projections/read-models.module';
import { DEFAULT_REPORT_STATEMENT_TIMEOUT_MS, READ_SIDE_OPTIONS, type ReadSideOptions } from '../projections/read-models.tokens';
import { AuditModule } from './audit/audit.module';
import { AUTH_SETTINGS, DEVELOPMENT_PRINCIPAL, type AuthSettings } from './auth/auth-settings';
import { RecordingModule } from './commands/recording.module';
import { databaseSettings, type AppConfig, type DatabaseSettings } from './config/app-config';
import { CLOCK, systemClock, type Clock } from './config/clock';
import { EventStoreModule } from './event-store/event-store.module';
import { openEventStore } from './event-store/open-event-store';
import { STORAGE } from './event-store/storage';
import { defaultAdmissionLimits, type AdmissionLimits } from './http/admission-control';
import { HttpModule } from './http/http.module';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './http/rate-limit';
import { DEFAULT_REPORT_READ_LIMITS, type ReportReadLimits } from './http/report-read-limiter';
import { PublicationsModule } from './publications/publications.module';
import { QueriesModule } from './queries/queries.module';
import { ReportsModule } from './reports/reports.module';

// Where the tests have always found the storage the service opened.
export { STORAGE, type Storage } from './event-store/storage';

export const APP_CONFIG = Symbol('AppConfig');

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

/** How long a command waits for a connection at least: a loaded machine may take seconds to give one. */
export const COMMAND_ACQUIRE_TIMEOUT_MS = 30_000;

/** The service bounds every statement and connection wait (issue 18.2); an operator's command may run longer and waits for a connection. */
export function poolSettings(config: AppConfig, http: boolean): DatabaseSettings {
  const settings = databaseSettings(config);
  return http ? settings : { ...settings, statementTimeoutMs: 0, acquireTimeoutMs: Math.max(settings.acquireTimeoutMs, COMMAND_ACQUIRE_TIMEOUT_MS) };
}

/** The composition root; global so its decisions are injected by token and no room imports this file (test/architecture/rooms.spec.ts). */
@Module({})
export class AppModule {
  static register(options: AppOptions): DynamicModule {
    const http = options.http ?? true;
    const readSide: ReadSideOptions = {
      follow: http,
      catchUpBeforeRead: !http,
      statementTimeoutMs: options.reportStatementTimeoutMs ?? DEFAULT_REPORT_STATEMENT_TIMEOUT_MS,
    };
    return {
      module: AppModule,
      global: true,
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule,
        AuditModule,
        RecordingModule,
        ReadModelsModule,
        ReportsModule,
        PublicationsModule,
        QueriesModule,
        ...(http
          ? [
              HttpModule.register({
                rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
                reportReads: options.reportReads ?? DEFAULT_REPORT_READ_LIMITS,
                admission: options.admission ?? defaultAdmissionLimits(options.config),
                logger: options.logger,
              }),
            ]
          : []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: AUTH_SETTINGS, useValue: options.auth ?? { development: true, developmentPrincipal: DEVELOPMENT_PRINCIPAL } },
        { provide: READ_SIDE_OPTIONS, useValue: readSide },
        { provide: STORAGE, useFactory: () => openEventStore({ ...options.config, database: poolSettings(options.config, http) }) },
      ],
      exports: [CLOCK, AUTH_SETTINGS, READ_SIDE_OPTIONS, STORAGE],
    };
  }
}
