import { ArgumentsHost, Catch, HttpException, Logger, Optional, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { OperatorMetrics } from '../metrics/operator-metrics';
import {
  echo,
  ForbiddenError,
  InvalidInputError,
  MappaError,
  NotFoundError,
  PayloadTooLargeError,
  StoreUnavailableError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '../errors';

/** The one place errors become HTTP answers (DOMAIN.md 5); anything unexpected is a 500 with no internals. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');
  constructor(@Optional() private readonly metrics?: OperatorMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const error = toMappaError(exception);
    if (!error) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      res.status(500).json({ error: 'internal', message: 'Something went wrong on our side; it has been logged.', details: [] });
      return;
    }
    if (error instanceof StoreUnavailableError) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      this.metrics?.storeError('request');
    }
    res.status(error.status).json(error.toBody());
  }
}

export function toMappaError(exception: unknown): MappaError | null {
  if (exception instanceof MappaError) return exception;
  if (exception instanceof HttpException) return fromHttpException(exception);
  const e = exception as { type?: string; status?: number; statusCode?: number };
  // Errors thrown by Express's body parsers before any controller runs.
  if (e?.type === 'entity.too.large' || e?.status === 413) return new PayloadTooLargeError('The request body is larger than the service accepts.');
  if (e?.type === 'entity.parse.failed') return new InvalidInputError('The request body is not valid JSON.', [{ rule: 'json', message: 'malformed JSON' }]);
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new InvalidInputError('The request could not be read.', []);
  return null;
}

function fromHttpException(exception: HttpException): MappaError | null {
  const status = exception.getStatus();
  const cause = exception.cause as { type?: string } | undefined;
  if (status === 413 || cause?.type === 'entity.too.large') return new PayloadTooLargeError('The request body is larger than the service accepts.');
  if (status === 401) return new UnauthenticatedError('A valid bearer token is needed.');
  if (status === 403) return new ForbiddenError('You may not do this.');
  if (status === 404) return new NotFoundError('There is nothing at this address.');
  if (status === 429) return new TooManyRequestsError('Too many requests; please slow down and try again shortly.');
  if (status >= 400 && status < 500) {
    const body = exception.getResponse() as { message?: string | string[] };
    const messages = Array.isArray(body?.message) ? body.message : [body?.message ?? exception.message];
    return new InvalidInputError(
      status === 400 && /JSON/i.test(messages.join(' ')) ? 'The request body is not valid JSON.' : 'The request is not valid.',
      // A parser's message can quote the input: at most 64 characters of it are repeated.
      messages.map((m) => ({ message: echo(m) })),
    );
  }
  return null;
}
