import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { finalize, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { ENGLAND_AND_WALES } from '../domain/reference-areas';
import { TooManyRequestsError } from '../errors';
import { REPORT_READ_LIMITER, type ReportReadLimiter } from './report-read-limiter';

/** What a refused caller is told to wait: about one national report. */
export const REPORT_READ_RETRY_AFTER_SECONDS = 1;

/** Every report read goes through the caller's ReportReadLimiter budget (429 past it); the lease is held until the handler ends, since the database works on after a disconnect. */
@Injectable()
export class ReportReadLimitInterceptor implements NestInterceptor {
  constructor(@Inject(REPORT_READ_LIMITER) private readonly limiter: ReportReadLimiter | null) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.limiter) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { principal?: Principal }>();
    // The authentication guard has run: every report route needs a principal.
    const lease = this.limiter.tryAcquire(`sub:${request.principal?.sub ?? ''}`, isExpensiveReportRead(request));
    if (!lease) {
      http.getResponse<Response>().setHeader('Retry-After', String(REPORT_READ_RETRY_AFTER_SECONDS));
      throw this.refusal();
    }
    return next.handle().pipe(finalize(() => lease.release()));
  }

  private refusal(): TooManyRequestsError {
    const { budgetPerCaller } = this.limiter!.limits;
    return new TooManyRequestsError('You already have as many reports being prepared as the service allows at once; wait for one to finish, then try again.', [
      {
        rule: 'report-read-limit',
        message: `at most ${budgetPerCaller} report reads in flight per caller; england-and-wales, a period over a year, a trace or a trend counts as ${this.limiter!.weightOf(true)}`,
      },
    ]);
  }
}

/** england-and-wales, a trace, a trend, or a period longer than a year: the reads that cost many area-reports. */
export function isExpensiveReportRead(request: Pick<Request, 'params' | 'query'> & { path?: string }): boolean {
  const { area, cellId } = request.params ?? {};
  // A trend counts its tables once per report year (its from/to are report years, not dates).
  if (area === ENGLAND_AND_WALES || cellId !== undefined || request.path?.startsWith('/trends/')) return true;
  const { from, to } = request.query ?? {};
  return typeof from === 'string' && typeof to === 'string' && longerThanAYear(from, to);
}

/** Whether `to` is a year or more after `from` (malformed dates: no, the route answers 400 for them). */
function longerThanAYear(from: string, to: string): boolean {
  const start = Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
  const end = Date.parse(`${to.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) return false;
  const yearLater = new Date(start);
  yearLater.setUTCFullYear(yearLater.getUTCFullYear() + 1);
  return end >= yearLater.getTime();
}
