import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ProjectionFailures } from '../../projections/projection-failures';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../../projections/read-models.tokens';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';

/** Most events a scrape counts to say how far behind the read models are (EventStoreDB counts by reading). */
export const LAG_COUNT_LIMIT = 100_000;

/** Request latency buckets (s): a snapshot answers in ms, a national report in about 0.3 s, a batch in seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The figures an operator watches (docs/operations.md, "Runbook"); counts and lag in events, since EventStoreDB positions are log offsets. */
@Injectable()
export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds = new Histogram({
    name: 'mappa_http_request_duration_seconds',
    help: 'Time to answer a request, by route template (not the raw URL) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: 'mappa_store_errors_total',
    help: 'Event store or database failures: requests answered 503, projection batches that failed',
    labelNames: ['source'],
    registers: [this.registry],
  });

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PROJECTION_RUNNER) runner: ProjectionRunner,
    @Inject(PROJECTOR_LEASE) lease: ProjectorLease,
    projectionFailures: ProjectionFailures,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mappa_' });
    for (const source of ['request', 'projection']) this.storeErrors.inc({ source }, 0);
    const registers = [this.registry];
    // Read on each scrape; a database that does not answer leaves a gauge empty (NaN) rather than failing the scrape.
    const fromStore = (read: () => Promise<number>) =>
      async function (this: Gauge) {
        this.set(await read().catch(() => Number.NaN));
      };
    new Gauge({
      name: 'mappa_event_store_position',
      help: 'Position of the last event (an order, not a count: an offset on EventStoreDB)',
      registers,
      collect: fromStore(async () => Number((await store.lastPosition()) ?? 0n)),
    });
    new Gauge({
      name: 'mappa_read_model_position',
      help: 'Store position the read models reflect',
      registers,
      collect: fromStore(async () => Number((await runner.position()) ?? 0n)),
    });
    new Gauge({
      name: 'mappa_read_model_lag_events',
      help: `Events appended but not yet in the read models (counted up to ${LAG_COUNT_LIMIT})`,
      registers,
      collect: fromStore(() => runner.eventsBehind(LAG_COUNT_LIMIT)),
    });
    new Gauge({
      name: 'mappa_rebuild_running',
      help: '1 while a rebuild of the read models runs (in this process or another), else 0',
      registers,
      collect: fromStore(async () => (runner.rebuildProgressHere() !== null || (await runner.rebuildState()) !== null ? 1 : 0)),
    });
    const progress = () => runner.rebuildProgressHere();
    new Gauge({
      name: 'mappa_rebuild_events_done',
      help: 'Events the rebuild running in this process has applied',
      registers,
      collect() {
        this.set(progress()?.done ?? 0);
      },
    });
    new Gauge({
      name: 'mappa_rebuild_events_total',
      help: 'Events the rebuild running in this process has to apply',
      registers,
      collect() {
        this.set(progress()?.total ?? 0);
      },
    });
    new Gauge({
      name: 'mappa_projector',
      help: '1 if this instance projects the read models, 0 if it follows another',
      registers,
      collect() {
        this.set(lease.held ? 1 : 0);
      },
    });
    projectionFailures.listen(() => this.storeError('projection'));
  }

  /** Express middleware: times each request, labelled by the route it matched ("unmatched" for none). */
  readonly timeRequests = (request: Request, response: Response, next: NextFunction): void => {
    const stop = this.requestSeconds.startTimer();
    response.once('finish', () => stop({ method: request.method, route: routeOf(request), status: String(response.statusCode) }));
    next();
  };

  /** A store or database failure: 'request' (answered 503) or 'projection' (a batch that will be retried). */
  storeError(source: 'request' | 'projection'): void {
    this.storeErrors.inc({ source });
  }
}

/** The route template (`/offenders/:offenderId/events`), so the label's values stay few whatever is asked. */
export function routeOf(request: object): string {
  const { route, baseUrl } = request as { route?: { path?: unknown }; baseUrl?: string };
  return typeof route?.path === 'string' ? `${baseUrl ?? ''}${route.path}` : 'unmatched';
}
