import { Counter, Gauge, type Registry } from 'prom-client';
import { databaseSettings, wholeNumberSetting, type AppConfig } from '../config/app-config';

// Admission control (issue 17): past the bound a request is refused at once (503), so its caller knows the event was not recorded and can retry.

/** The two budgets: recording and reading never take each other's room. */
export type AdmissionBudget = 'writes' | 'reads';

/** What the service may have in flight at once, in weight (a cheap request weighs 1). */
export interface AdmissionLimits {
  /** Posts in flight (a large batch weighs `expensiveWeight`); 0: not bounded. */
  writes: number;
  /** Reads in flight (england-and-wales, a period over a year, a trace weigh `expensiveWeight`); 0: not bounded. */
  reads: number;
  /** What an expensive request weighs; capped at its budget, so one always fits. */
  expensiveWeight: number;
}

/** In flight per database connection: one keeps accepted answers under 500 ms at twice capacity (see docs/decisions.md, "Moved from code comments"). */
export const IN_FLIGHT_PER_CONNECTION = 1;
/** Never fewer than this in flight per budget: the embedded store's one connection still overlaps with HTTP work. */
export const MIN_IN_FLIGHT = 8;
/** As the per-caller report read limit: an expensive read costs about four area reads. */
export const DEFAULT_EXPENSIVE_WEIGHT = 4;
/** What a refused caller is told to wait: a second is long enough for a few requests in flight to finish. */
export const ADMISSION_RETRY_AFTER_SECONDS = 1;

/** The connections each budget's work runs on: writes the event store's, reads the read models' (one embedded, else DATABASE_POOL_SIZE). */
export function storeConnections(config: Pick<AppConfig, 'eventStore' | 'databaseUrl' | 'database'>): Record<AdmissionBudget, number> {
  const readModelsOnServer = config.databaseUrl !== undefined;
  const { poolSize } = databaseSettings(config);
  return {
    writes: config.eventStore === 'embedded' ? 1 : poolSize,
    reads: readModelsOnServer ? poolSize : 1,
  };
}

/** The default budgets for a store: IN_FLIGHT_PER_CONNECTION per connection, at least MIN_IN_FLIGHT. */
export function defaultAdmissionLimits(config: Pick<AppConfig, 'eventStore' | 'databaseUrl' | 'database'>): AdmissionLimits {
  const connections = storeConnections(config);
  const budget = (n: number) => Math.max(MIN_IN_FLIGHT, IN_FLIGHT_PER_CONNECTION * n);
  return { writes: budget(connections.writes), reads: budget(connections.reads), expensiveWeight: DEFAULT_EXPENSIVE_WEIGHT };
}

/** ADMISSION_WRITE_BUDGET and ADMISSION_READ_BUDGET (0: that budget unbounded), ADMISSION_EXPENSIVE_WEIGHT. */
export function loadAdmissionLimits(config: Pick<AppConfig, 'eventStore' | 'databaseUrl' | 'database'>, env: NodeJS.ProcessEnv = process.env): AdmissionLimits {
  const defaults = defaultAdmissionLimits(config);
  const limits = {
    writes: wholeNumberSetting('ADMISSION_WRITE_BUDGET', env.ADMISSION_WRITE_BUDGET, defaults.writes, { maxDigits: 6 }),
    reads: wholeNumberSetting('ADMISSION_READ_BUDGET', env.ADMISSION_READ_BUDGET, defaults.reads, { maxDigits: 6 }),
    expensiveWeight: wholeNumberSetting('ADMISSION_EXPENSIVE_WEIGHT', env.ADMISSION_EXPENSIVE_WEIGHT, defaults.expensiveWeight, { maxDigits: 6 }),
  };
  if (limits.expensiveWeight === 0) throw new Error('ADMISSION_EXPENSIVE_WEIGHT must be at least 1.');
  return limits;
}

/** What a request asks of a budget. */
export interface AdmissionDemand {
  budget: AdmissionBudget;
  expensive: boolean;
}

/** An admitted request's weight: give it back once the service has stopped working for the request. */
export interface AdmissionLease {
  readonly budget: AdmissionBudget;
  /** Whether it has been given back. */
  readonly released: boolean;
  release(): void;
}

export const ADMISSION_CONTROL = Symbol('AdmissionControl');

/** Refuses (never queues) a request that would take its budget past the limit; in memory, per process. */
export class AdmissionControl {
  private readonly inFlight: Record<AdmissionBudget, number> = { writes: 0, reads: 0 };
  private readonly refusedCount: Record<AdmissionBudget, number> = { writes: 0, reads: 0 };
  private readonly admittedCount: Record<AdmissionBudget, number> = { writes: 0, reads: 0 };

  constructor(readonly limits: AdmissionLimits) {}

  /** The weight of a demand: expensive work weighs more, never more than a whole budget. */
  weightOf(demand: AdmissionDemand): number {
    const limit = this.limits[demand.budget];
    if (!demand.expensive) return 1;
    return limit === 0 ? this.limits.expensiveWeight : Math.min(this.limits.expensiveWeight, limit);
  }

  /** A lease for this demand, or null (counted as refused) when its budget has no room for it now. */
  tryAcquire(demand: AdmissionDemand): AdmissionLease | null {
    const { budget } = demand;
    const weight = this.weightOf(demand);
    const limit = this.limits[budget];
    if (limit > 0 && this.inFlight[budget] + weight > limit) {
      this.refusedCount[budget]++;
      return null;
    }
    this.inFlight[budget] += weight;
    this.admittedCount[budget]++;
    let released = false;
    const counts = this.inFlight;
    return {
      budget,
      get released() {
        return released;
      },
      release() {
        if (released) return;
        released = true;
        counts[budget] -= weight;
      },
    };
  }

  /** The weight in flight in a budget now. */
  inFlightOf(budget: AdmissionBudget): number {
    return this.inFlight[budget];
  }

  /** Requests refused by a budget since the process started. */
  refused(budget: AdmissionBudget): number {
    return this.refusedCount[budget];
  }

  /** Requests admitted by a budget since the process started. */
  admitted(budget: AdmissionBudget): number {
    return this.admittedCount[budget];
  }
}

/** The admission figures on /metrics: refusals and admissions by budget, the weight in flight and each limit. */
export function registerAdmissionMetrics(registry: Registry, admission: AdmissionControl): void {
  const budgets: AdmissionBudget[] = ['writes', 'reads'];
  // Read from the admission control on each scrape; the counters only ever go up.
  new Counter({
    name: 'mappa_admission_refused_total',
    help: 'Requests refused by admission control (503, Retry-After), by budget',
    labelNames: ['budget'],
    registers: [registry],
    collect() {
      this.reset();
      for (const b of budgets) this.inc({ budget: b }, admission.refused(b));
    },
  });
  new Counter({
    name: 'mappa_admission_admitted_total',
    help: 'Requests admitted by admission control, by budget',
    labelNames: ['budget'],
    registers: [registry],
    collect() {
      this.reset();
      for (const b of budgets) this.inc({ budget: b }, admission.admitted(b));
    },
  });
  new Gauge({
    name: 'mappa_admission_in_flight',
    help: 'Weight of the admitted requests in flight, by budget',
    labelNames: ['budget'],
    registers: [registry],
    collect() {
      for (const b of budgets) this.set({ budget: b }, admission.inFlightOf(b));
    },
  });
  new Gauge({
    name: 'mappa_admission_limit',
    help: 'Weight each budget admits at once (0: unbounded)',
    labelNames: ['budget'],
    registers: [registry],
    collect() {
      for (const b of budgets) this.set({ budget: b }, admission.limits[b]);
    },
  });
}
