// Small measuring tools of the benchmark: wall time, percentiles, and the process's peak memory.

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
