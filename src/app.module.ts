import { Module, type DynamicModule, type OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from './config/app-config';
import { CLOCK, systemClock, type Clock } from './config/clock';
import { AUTH_SETTINGS, AuthenticationGuard, DEVELOPMENT_PRINCIPAL, type AuthSettings } from './auth/authentication.guard';
import { RecordOffenderEventsHandler } from './commands/record-events/record-offender-events.handler';
import { EVENT_STORE, type EventStore } from './event-store/event-store';
import { openEventStore } from './event-store/open-event-store';
import { ErrorFilter } from './http/error.filter';
import { EventBatchesController } from './http/event-batches.controller';
import { HealthController } from './http/health.controller';
import { OffenderEventsController } from './http/offender-events.controller';
import { GetOffenderEventsHandler, GetOffenderHandler } from './queries/offender/offender-queries.handler';
import type { SqlClient } from './sql/sql-client';

export const APP_CONFIG = Symbol('AppConfig');
export const STORAGE = Symbol('Storage');
export const READ_DB = Symbol('ReadDb');

/** The event store and, where it is PostgreSQL-family, the same database for read models. */
export interface Storage {
  store: EventStore;
  sql?: SqlClient;
}

export interface AppOptions {
  config: AppConfig;
  clock?: Clock;
  auth?: AuthSettings;
  /** Serve HTTP controllers (false for the command line). */
  http?: boolean;
}

@Injectable()
class StorageCloser implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}
  async onApplicationShutdown() {
    await this.storage.store.close();
    await this.storage.sql?.close();
  }
}

@Module({})
export class AppModule {
  static register(options: AppOptions): DynamicModule {
    const http = options.http ?? true;
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: http ? [OffenderEventsController, EventBatchesController, HealthController] : [],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: AUTH_SETTINGS, useValue: options.auth ?? { development: true, developmentPrincipal: DEVELOPMENT_PRINCIPAL } },
        { provide: STORAGE, useFactory: () => openEventStore(options.config) },
        { provide: EVENT_STORE, useFactory: (s: Storage) => s.store, inject: [STORAGE] },
        StorageCloser,
        RecordOffenderEventsHandler,
        GetOffenderHandler,
        GetOffenderEventsHandler,
        ...(http ? [{ provide: APP_GUARD, useClass: AuthenticationGuard }, { provide: APP_FILTER, useClass: ErrorFilter }] : []),
      ],
      exports: [EVENT_STORE, STORAGE, CLOCK],
    };
  }
}
