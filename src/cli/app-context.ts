import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule, type AppOptions } from '../app.module';
import { loadConfig } from '../config/app-config';

/** The application without HTTP, for command-line work on the same buses. */
export async function createCliContext(options: Partial<AppOptions> = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(
    AppModule.register({ config: options.config ?? loadConfig(), ...options, http: false }),
    // A store that cannot be opened (held by another process, say) reaches main's handler: its message alone and exit 2, not Nest's stack dump and exit 1.
    { logger: ['error', 'warn'], abortOnError: false },
  );
  app.enableShutdownHooks();
  return app;
}
