import type { BenchScale } from './bench-scales';
import type { BenchTarget } from './bench-target';
import type { SoakArgs, SoakResult, SoakStep } from './soak';
import { SOAK_TARGETS } from './soak';

// The soak's settings per scale and its section of docs/benchmarks.md ("Capacity and overload").

/** Known capacity, possibly measured by another run than the rest (its own commit and scale). */
export interface SoakResults {
  generatedAt: string;
  commit: { id: string | null; dirty: boolean };
  scale: string;
  timed: boolean;
  command: string;
  stores: Array<{ store: string; kind: 'postgres' | 'embedded'; result: SoakResult; peakRssMiB: number; run?: { commit: string | null; scale: string; at: string } }>;
}

/** Smoke: seconds, to check that it works. Otherwise about four minutes a store: 20 s per rate tried, a minute at twice the capacity. */
export function soakArgs(target: BenchTarget, scale: BenchScale, overrides: { stepSeconds?: number; overloadSeconds?: number } = {}): SoakArgs {
  const smoke = scale.name === 'smoke';
  return {
    target,
    area: scale.area,
    year: scale.year,
    startRate: smoke ? 10 : 25,
    stepSeconds: overrides.stepSeconds ?? (smoke ? 3 : 20),
    maxSteps: smoke ? 3 : 8,
    overloadSeconds: overrides.overloadSeconds ?? (smoke ? 5 : 60),
    timeoutMs: 30_000,
    timed: scale.timed,
  };
}

export function soakMarkdown(s: SoakResults): string[] {
  const lines: string[] = [];
  lines.push('## Capacity and overload (issue 17)');
  lines.push('');
  lines.push(`Measured by \`${s.command}\` at ${s.generatedAt}, commit ${s.commit.id ?? 'unknown'}${s.commit.dirty ? ' with uncommitted changes' : ''}, scale **${s.scale}**.`);
  if (!s.timed) lines.push('', `**Scale ${s.scale}: a smoke run; its figures are not measurements of anything.**`);
  const first = s.stores[0]?.result;
  if (first) {
    const mix = Object.entries(first.mix)
      .map(([k, v]) => `${Math.round(v * 100)}% ${k}`)
      .join(', ');
    lines.push('');
    lines.push(
      `\`mappa serve\` in a process of its own on 127.0.0.1 (HS256 tokens, request rate limit off, every other setting its default), ` +
        `under a load sent at a fixed arrival rate whether or not earlier requests were answered (${mix}; posts register new offenders ` +
        `in ${first.area}, reports are ${first.year}/${String((first.year + 1) % 100).padStart(2, '0')}). A rate is *held* when p95 of the accepted ` +
        `answers is under ${SOAK_TARGETS.heldP95Ms} ms with no error and no refusal; the search doubles the rate while it is held, then halves the gap. ` +
        `Then twice the highest rate held. A request unanswered after ${first.timeoutMs / 1000} s is a timeout. The load generator shares the machine with the service.`,
    );
  }
  for (const store of s.stores) {
    const r = store.result;
    lines.push('');
    lines.push(`### ${store.store}: ${r.capacityPerSecond === null ? 'no rate held' : `${r.capacityPerSecond} requests/s held`}`);
    lines.push('');
    lines.push(
      `Store of ${r.storeEventsBefore.toLocaleString('en-GB')} events at the start; admission budgets ${r.admissionLimits.writes ?? '?'} writes and ${r.admissionLimits.reads ?? '?'} reads in flight.`,
    );
    lines.push('');
    lines.push(
      '| run | rate /s | sent | accepted /s | accepted p50 / p95 / p99 | posts p95 | reads p95 | refused (p95) | 429 | timeouts | other 503 / 5xx / other | most in flight | service MiB (max) | lag, events (max) | held |',
    );
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const step of r.search) lines.push(stepRow('search', step));
    if (r.overload) lines.push(stepRow(r.capacityPerSecond === null ? '**twice the first rate**' : '**twice capacity**', r.overload));
    lines.push('');
    lines.push(
      `Afterwards (service stopped, store counted): ${r.store.acknowledgedFound.toLocaleString('en-GB')} of ${r.store.acknowledgedPosts.toLocaleString('en-GB')} acknowledged posts in the store, ` +
        `${r.store.duplicated} more than once. ${r.retries.refusedPostsSentAgain} refused posts sent again with their eventId: ${r.retries.recorded} recorded, ${r.store.retriedFound} found exactly once; ` +
        `${r.retries.replayed} of ${r.retries.acknowledgedSentAgain} acknowledged posts sent again answered as replays (\`Idempotent-Replay\`), not appended again.`,
    );
    if (r.samples.length > 0) {
      lines.push('');
      lines.push(
        'Service memory (MiB) and read-model lag (events) over the run: ' + r.samples.map((x) => `${x.atSeconds} s ${x.rssMiB ?? '?'}/${x.lagEvents ?? '?'}`).join(', ') + '.',
      );
    }
    lines.push('');
    lines.push('Checks: ' + r.checks.map((c) => `${c.ok ? 'pass' : '**FAIL**'} ${c.id} (${c.detail})`).join('; ') + '.');
    if (store.run && store.run.commit !== s.commit.id)
      lines.push('', `${store.store} measured at ${store.run.at}, commit ${store.run.commit ?? 'unknown'}, scale ${store.run.scale}.`);
  }
  return lines;
}

function stepRow(label: string, x: SoakStep): string {
  const l = x.acceptedLatency;
  return (
    `| ${label} | ${x.rate} | ${x.sent} | ${x.throughputPerSecond} | ${l.p50Ms} / ${l.p95Ms} / ${l.p99Ms} ms | ${x.postLatency.p95Ms} ms | ${x.readLatency.p95Ms} ms | ` +
    `${x.refused}${x.refused > 0 ? ` (${x.refusedLatency.p95Ms} ms)` : ''} | ${x.limited} | ${x.timeouts} | ${x.unavailable} / ${x.serverErrors} / ${x.other}${
      x.other > 0
        ? ` (${Object.entries(x.errorsByStatus ?? {})
            .map(([k, v]) => `${v}× ${k === '0' ? 'no answer' : k}`)
            .join(', ')})`
        : ''
    } | ${x.maxInFlight} | ` +
    `${x.serverRssMiB.max ?? '?'} | ${x.readModelLagEvents.max ?? '?'} | ${x.held ? 'yes' : 'no'} |`
  );
}
