import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Options } from 'pino-http';
import type { Principal } from '../auth/principal';
import { echo } from '../errors';
import { routeOf } from '../metrics/operator-metrics';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevel;
  /** 'json': one object a line, for a log shipper; 'pretty': for a person at a terminal. */
  format: LogFormat;
}

/** A request id a caller (or its proxy) may pass in X-Request-Id; anything else gets a fresh one. */
const CALLERS_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Paths probed every few seconds by an orchestrator: not logged when they answer. */
const PROBES = new Set(['/health', '/health/live', '/health/ready']);

/** LOG_LEVEL (default info) and LOG_FORMAT (default pretty at a terminal, JSON otherwise). */
export function loadLogSettings(env: NodeJS.ProcessEnv = process.env, stdoutIsTerminal = Boolean(process.stdout.isTTY)): LogSettings {
  const level = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${echo(env.LOG_LEVEL)}'.`);
  const format = (env.LOG_FORMAT?.trim().toLowerCase() || (stdoutIsTerminal ? 'pretty' : 'json')) as LogFormat;
  if (!LOG_FORMATS.includes(format)) throw new Error(`LOG_FORMAT must be json or pretty, not '${echo(env.LOG_FORMAT)}'.`);
  return { level, format };
}

/** The service's one logger; without pino-pretty (a production install) the logs stay JSON and the first line says why. */
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const options = { level: settings.level, base: { service: 'mappa' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (settings.format === 'pretty' && !destination) {
    if (prettyPrinterInstalled()) {
      return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
    }
    const logger = pino(options);
    logger.warn('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency); logging JSON instead.');
    return logger;
  }
  return destination ? pino(options, destination) : pino(options);
}

function prettyPrinterInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** One line per answered request; no query string (a reason is free text), never a body or a header (tokens). */
export function requestLogging(logger: Logger): Options {
  return {
    logger,
    genReqId: requestIdOf,
    customProps: (request) => {
      const subject = (request as { principal?: Principal }).principal?.sub;
      return subject === undefined ? {} : { subject };
    },
    serializers: {
      req: (request: { id?: unknown; method?: string; url?: string }) => ({ id: request.id, method: request.method, path: pathOf(request.url) }),
      res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
    },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (request, response) => `${request.method} ${routeOf(request)} ${response.statusCode}`,
    customErrorMessage: (request, response) => `${request.method} ${routeOf(request)} ${response.statusCode}`,
    autoLogging: { ignore: (request) => PROBES.has(pathOf(request.url)) },
  };
}

/** The caller's X-Request-Id when it is a plain token, else a new UUID; echoed in the answer. */
export function requestIdOf(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && CALLERS_REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader('X-Request-Id', id);
  return id;
}

const pathOf = (url: string | undefined): string => (url ?? '').split('?')[0];
