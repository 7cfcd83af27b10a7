import { wholeNumberSetting } from '../config/app-config';

/** How much report reading one caller may have in flight: a read weighs `cheapWeight`, or `expensiveWeight` (national, over a year, a trace). */
export interface ReportReadLimits {
  /** The weight one caller may have in flight; a read that would exceed it is refused at once. */
  budgetPerCaller: number;
  /** What an expensive read weighs (a cheap one weighs 1); capped at the budget, so one always fits. */
  expensiveWeight: number;
}

/** One expensive read, or four cheap ones, per caller at a time: a person clicking through reports never meets it. */
export const DEFAULT_REPORT_READ_LIMITS: ReportReadLimits = { budgetPerCaller: 4, expensiveWeight: 4 };

/** REPORT_READ_BUDGET (0 turns the limit off) and REPORT_READ_EXPENSIVE_WEIGHT. */
export function loadReportReadLimits(env: NodeJS.ProcessEnv = process.env): ReportReadLimits | false {
  const budgetPerCaller = wholeNumberSetting('REPORT_READ_BUDGET', env.REPORT_READ_BUDGET, DEFAULT_REPORT_READ_LIMITS.budgetPerCaller, { maxDigits: 6 });
  const expensiveWeight = wholeNumberSetting('REPORT_READ_EXPENSIVE_WEIGHT', env.REPORT_READ_EXPENSIVE_WEIGHT, DEFAULT_REPORT_READ_LIMITS.expensiveWeight, { maxDigits: 6 });
  if (budgetPerCaller === 0) return false;
  if (expensiveWeight === 0) throw new Error('REPORT_READ_EXPENSIVE_WEIGHT must be at least 1.');
  return { budgetPerCaller, expensiveWeight };
}

/** A granted read: give it back exactly once, when the read has stopped using the database. */
export interface ReadLease {
  release(): void;
}

/** The limiter, or null when REPORT_READ_BUDGET=0 turned it off. */
export const REPORT_READ_LIMITER = Symbol('ReportReadLimiter');

/** Refuses (never queues) a read past the caller's budget, so one caller's parallel national reports cannot crowd out the rest; in memory, per process. */
export class ReportReadLimiter {
  private readonly inFlight = new Map<string, number>();

  constructor(readonly limits: ReportReadLimits) {}

  /** The weight of a read: expensive reads weigh more, never more than a whole budget. */
  weightOf(expensive: boolean): number {
    return expensive ? Math.min(this.limits.expensiveWeight, this.limits.budgetPerCaller) : 1;
  }

  /** A lease for this read, or null when the caller's budget has no room for it now. */
  tryAcquire(caller: string, expensive: boolean): ReadLease | null {
    const weight = this.weightOf(expensive);
    const used = this.inFlight.get(caller) ?? 0;
    if (used + weight > this.limits.budgetPerCaller) return null;
    this.inFlight.set(caller, used + weight);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.inFlight.get(caller) ?? weight) - weight;
        // Forget idle callers, so the map holds only callers with reads in flight.
        if (left <= 0) this.inFlight.delete(caller);
        else this.inFlight.set(caller, left);
      },
    };
  }

  /** The weight a caller has in flight now. */
  inFlightFor(caller: string): number {
    return this.inFlight.get(caller) ?? 0;
  }
}
