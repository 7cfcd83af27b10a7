import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { AppModule, type AppOptions } from '../app.module';
import { MAX_EVENT_BYTES } from '../commands/record-events/event-limits';
import { parseUntrustedJson } from '../commands/record-events/untrusted-json';
import { HeadersTooLargeError, InvalidInputError, type MappaError } from '../errors';
import { ADMISSION_CONTROL } from './admission-control';
import { admissionMiddleware } from './admission.middleware';
import { OperatorMetrics } from '../metrics/operator-metrics';

/** Largest JSON body: one event (DOMAIN.md 5: over it is 413); NDJSON batches read their own body after the access policy (ndjson-body.ts). */
export const JSON_BODY_LIMIT = MAX_EVENT_BYTES;

export interface HttpAppServing {
  /** Answer on this server, already listening (`mappa serve` listens before the store is open); then call app.init(), not listen(). */
  server?: Server;
  /** Leave SIGTERM and SIGINT to the caller (`mappa serve` drains requests first: see shutdown.ts). */
  handleSignals?: boolean;
}

/** The HTTP service: security headers, body limits, OpenAPI at /docs, the HTTP room's controllers (src/http/http.module.ts). */
export async function createHttpApp(options: AppOptions, serving: HttpAppServing = {}): Promise<NestExpressApplication> {
  const module = AppModule.register({ ...options, http: true });
  const settings = { bodyParser: false, bufferLogs: options.logger !== undefined, logger: ['error', 'warn', 'log'] as ('error' | 'warn' | 'log')[] };
  const app = serving.server
    ? // A store that cannot be opened reaches `mappa serve`'s handler (its message, exit 2), not abort().
      await NestFactory.create<NestExpressApplication>(module, new ServerAdapter(serving.server), { ...settings, abortOnError: false })
    : await NestFactory.create<NestExpressApplication>(module, settings);
  if (options.logger) {
    app.useLogger(app.get(Logger));
    // Buffered until now; without this, everything logged through Nest's Logger later was lost too.
    app.flushLogs();
  }
  // First, so every request is timed, whatever answers it.
  app.use(app.get(OperatorMetrics).timeRequests);
  // Default helmet headers; no upgrade-insecure-requests, which breaks /docs on a plain-HTTP dev server.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Before any body is read: past the store's bound a request is refused at once (admission-control.ts).
  app.use(admissionMiddleware(app.get(ADMISSION_CONTROL)));
  // JSON is read as text and parsed by a parser made for untrusted input (untrusted-json.ts).
  app.useBodyParser('text', { type: 'application/json', limit: JSON_BODY_LIMIT });
  app.use(parseJsonBody);
  serveWorkbench(app);
  if (serving.handleSignals !== false) app.enableShutdownHooks();
  answerUnreadableRequests(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MAPPA events and annual report')
      .setDescription('Agency systems post offender events; analysts and auditors read the MAPPA annual report rebuilt from them.')
      .setVersion('1')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** Express on a server that already exists (and listens), instead of one Nest creates. */
class ServerAdapter extends ExpressAdapter {
  constructor(private readonly existing: Server) {
    super();
  }
  override initHttpServer(): void {
    this.httpServer = this.existing;
  }
}

/** The workbench page (issue 15) at `/`, under the same security headers; it holds no data, every figure comes from the API. */
function serveWorkbench(app: NestExpressApplication): void {
  const dir = workbenchDir();
  if (!dir) return;
  // GET preconditions are dropped (this service's reads have none; the page's files would answer 412 in HTML), so every error stays JSON.
  app.use((request: Request, _response: Response, next: NextFunction) => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      delete request.headers['if-match'];
      delete request.headers['if-unmodified-since'];
    }
    next();
  });
  app.useStaticAssets(dir, { index: 'index.html', maxAge: 0, redirect: false });
}

/** dist/web of the package this file belongs to (run from src/ by tests, from dist/src/ when built), or null when not built. */
export function workbenchDir(): string | null {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const web = path.join(dir, 'dist', 'web');
      return existsSync(path.join(web, 'index.html')) ? web : null;
    }
  }
  return null;
}

/** Turns a JSON body read as text into its value; an empty body is `{}`, as Express's own parser gives. */
function parseJsonBody(request: Request, _response: Response, next: NextFunction): void {
  if (typeof request.body !== 'string') return next();
  try {
    request.body = request.body.trim() === '' ? {} : parseUntrustedJson(request.body, 'request body');
  } catch (error) {
    return next(error);
  }
  next();
}

/** Requests Node's parser refuses before any middleware (oversized URL or headers, bad request line) still get our error body. */
function answerUnreadableRequests(app: NestExpressApplication): void {
  app.getHttpServer().on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal: MappaError =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? new HeadersTooLargeError('The request URL or headers are larger than the service accepts.')
        : new InvalidInputError('The request is not valid HTTP.');
    const body = JSON.stringify(refusal.toBody());
    const reason = refusal.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${refusal.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
