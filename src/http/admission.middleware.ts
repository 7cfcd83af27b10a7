import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { finalize, type Observable } from 'rxjs';
import { MAX_EVENT_BYTES } from '../commands/record-events/event-limits';
import { ServiceBusyError } from '../errors';
import { ADMISSION_CONTROL, ADMISSION_RETRY_AFTER_SECONDS, type AdmissionBudget, type AdmissionControl, type AdmissionLease } from './admission-control';
import { admissionDemand } from './admission-demand';

// Runs before body parsers, rate limit and authentication, so a refusal costs nothing; the lease returns when the handler ends or the answer is sent.

const HELD = Symbol('admissionLease');

interface HeldLease {
  lease: AdmissionLease;
  /** A handler started for the request: it gives the lease back, not the response. */
  handled: boolean;
}

type AdmittedRequest = Request & { [HELD]?: HeldLease };

/** Refuses (503, Retry-After) a request whose budget is full; otherwise admits it, holding its weight. */
export function admissionMiddleware(admission: AdmissionControl) {
  return (request: AdmittedRequest, response: Response, next: NextFunction): void => {
    const demand = admissionDemand(request);
    if (!demand) return next();
    const lease = admission.tryAcquire(demand);
    if (!lease) {
      // A body we will not read is not waited for either: the connection closes after the answer.
      if (mayHaveLargeBody(request)) response.setHeader('Connection', 'close');
      return next(busy(admission, demand.budget));
    }
    const held: HeldLease = { lease, handled: false };
    request[HELD] = held;
    // 'close' comes last whatever happened: answered, failed, or the client went away.
    response.on('close', () => {
      if (!held.handled) lease.release();
    });
    next();
  };
}

/** Holds the lease until the handler has finished, however it ended: until then the store is still working for it. */
@Injectable()
export class AdmissionLeaseInterceptor implements NestInterceptor {
  constructor(@Inject(ADMISSION_CONTROL) private readonly admission: AdmissionControl) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const held = context.switchToHttp().getRequest<AdmittedRequest>()[HELD];
    if (!held) return next.handle();
    // The client left before its handler started: do no work for it, or leaving would be a way round the budget.
    if (held.lease.released) throw busy(this.admission, held.lease.budget);
    held.handled = true;
    return next.handle().pipe(finalize(() => held.lease.release()));
  }
}

function busy(admission: AdmissionControl, budget: AdmissionBudget): ServiceBusyError {
  const what = budget === 'writes' ? 'events being recorded' : 'reads being answered';
  const expensiveWeight = admission.weightOf({ budget, expensive: true });
  return new ServiceBusyError(
    `The service is busy: it already has as many ${what} as it can take at once. Nothing was done; try again in ${ADMISSION_RETRY_AFTER_SECONDS} s (an event sent again with the same eventId is recorded once).`,
    [
      {
        rule: 'admission-control',
        message:
          budget === 'writes'
            ? `at most ${admission.limits.writes} writes in flight; a batch over ${MAX_EVENT_BYTES / 1024} KB counts as ${expensiveWeight}`
            : `at most ${admission.limits.reads} reads in flight; england-and-wales, a period over a year or a trace counts as ${expensiveWeight}`,
      },
    ],
  );
}

/** A body larger than one event, or of unknown length (chunked). */
function mayHaveLargeBody(request: Request): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > MAX_EVENT_BYTES;
  return request.headers['transfer-encoding'] !== undefined;
}
