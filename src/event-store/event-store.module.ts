import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DATABASE_CONDITION, type DatabaseConditionSource } from '../sql/store-condition';
import { EVENT_STORE } from './event-store';
import { STORAGE, type Storage } from './storage';

@Injectable()
class StorageCloser implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}
  async onApplicationShutdown() {
    await this.storage.store.close();
    await this.storage.sql?.close();
  }
}

/** The event store room: the store the composition root opened, the database beside it and its health, and closing both. */
@Module({
  providers: [
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
  ],
  exports: [EVENT_STORE, DATABASE_CONDITION],
})
export class EventStoreModule {}
