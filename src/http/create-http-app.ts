import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppOptions } from '../app.module';

/** Largest JSON body for one event, and largest NDJSON batch (DOMAIN.md 5: over the limit is 413). */
export const JSON_BODY_LIMIT = '64kb';
export const NDJSON_BODY_LIMIT = '16mb';

/** The HTTP service: body limits, OpenAPI at /docs, the app module's controllers. */
export async function createHttpApp(options: AppOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ ...options, http: true }), {
    bodyParser: false,
    logger: ['error', 'warn', 'log'],
  });
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT, strict: false });
  app.useBodyParser('text', { type: ['application/x-ndjson', 'application/ndjson'], limit: NDJSON_BODY_LIMIT });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MAPPA events and annual report')
      .setDescription('Agency systems post offender events; analysts and auditors read the MAPPA annual report rebuilt from them.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
