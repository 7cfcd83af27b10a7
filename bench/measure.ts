import { monitorEventLoopDelay } from 'node:perf_hooks';

// Small measuring tools of the benchmark: wall time, percentiles, the event loop's pauses, and the process's peak memory.

export interface Latencies {
  samples: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

/** Median and 95th percentile (nearest rank) of durations in milliseconds. */
export function latencies(ms: readonly number[]): Latencies {
  if (ms.length === 0) return { samples: 0, medianMs: Number.NaN, p95Ms: Number.NaN, minMs: Number.NaN, maxMs: Number.NaN };
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { samples: sorted.length, medianMs: round(median), p95Ms: round(rank(0.95)), minMs: round(sorted[0]), maxMs: round(sorted[sorted.length - 1]) };
}

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Runs `fn` and answers how long it took, in milliseconds (monotonic clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Peak resident set size of this process so far, in MiB (each phase runs in its own process). */
export const peakRssMiB = (): number => round(process.resourceUsage().maxRSS / 1024, 0);

/** The main thread's pauses while something runs: what an HTTP request (a liveness probe) arriving meanwhile would wait. */
export interface EventLoopPauses {
  /** perf_hooks.monitorEventLoopDelay: the longest delay of the loop, and its 99th percentile, in ms. */
  maxDelayMs: number;
  p99DelayMs: number;
  /** The slowest turn of a 50 ms timer (how late it fired, plus the 50 ms): a /health/live answered every 50 ms. */
  slowestTickMs: number;
}

/** Starts watching the event loop; stop() answers the pauses seen since. */
export function watchEventLoop(): { stop: () => EventLoopPauses } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const TICK_MS = 50;
  let last = process.hrtime.bigint();
  let slowestTickMs = 0;
  const ticks = setInterval(() => {
    const now = process.hrtime.bigint();
    slowestTickMs = Math.max(slowestTickMs, Number(now - last) / 1e6);
    last = now;
  }, TICK_MS);
  return {
    stop: () => {
      clearInterval(ticks);
      histogram.disable();
      return { maxDelayMs: round(histogram.max / 1e6), p99DelayMs: round(histogram.percentile(99) / 1e6), slowestTickMs: round(slowestTickMs) };
    },
  };
}
