import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mintToken } from '../src/auth/mint-token';
import type { Principal } from '../src/auth/principal';
import { seededRandom } from '../src/synthetic/seeded-random';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import { catchUpReadModels, openTarget, targetConfig, type BenchTarget } from './bench-target';
import { freePort } from './start-up';
import { round } from './measure';

// Known capacity (issue 17, item 2; issue 11, item 6): `mappa serve` in a process of its own, on
// 127.0.0.1, under a mixed load at a fixed arrival rate (80% posts, the rest area reports,
// england-and-wales reports and snapshots; requests are sent on schedule whether or not the
// earlier ones have been answered, as independent agency systems do). A search finds the highest
// rate at which p95 stays under 250 ms with no error and no refusal; then the same load at twice
// that rate shows what admission control does with the excess: the accepted keep p95 under
// 500 ms, the rest are refused (503) quickly, not timed out. Afterwards the store is counted:
// every acknowledged post is in it exactly once, and every refused post, sent again with its
// eventId, is recorded exactly once.

const ROOT = path.resolve(__dirname, __filename.endsWith('.ts') ? '..' : '../..');
const ISSUER = 'mappa-soak';
const AUDIENCE = 'mappa';

export interface SoakArgs {
  target: BenchTarget;
  area: string;
  /** The report year, such as 2014 (for 2014-15). */
  year: number;
  /** The search's first arrival rate (requests/s); it doubles while the rate is held, then halves the gap. */
  startRate: number;
  /** Seconds of load at each rate of the search. */
  stepSeconds: number;
  /** Most rates tried by the search. */
  maxSteps: number;
  /** Seconds of load at twice the capacity found. */
  overloadSeconds: number;
  /** A request not answered within this is a timeout (the issue's callers gave up at 30 s). */
  timeoutMs: number;
  /** Whether latency targets are checked (not at the smoke scale, which checks that everything works). */
  timed: boolean;
}

/** The targets of issue 17, item 2. */
export const SOAK_TARGETS = { heldP95Ms: 250, overloadAcceptedP95Ms: 500, refusedP95Ms: 100 } as const;

type Kind = 'post' | 'areaReport' | 'nationalReport' | 'snapshot';
/** The mix: 80% posts; the rest area reports, england-and-wales reports and snapshots. */
const MIX: Array<[Kind, number]> = [
  ['post', 0.8],
  ['areaReport', 0.08],
  ['nationalReport', 0.04],
  ['snapshot', 0.08],
];

type Outcome = 'ok' | 'refused' | 'limited' | 'unavailable' | 'timeout' | 'serverError' | 'other';

interface Answer {
  kind: Kind;
  outcome: Outcome;
  status: number;
  ms: number;
}

export interface Percentiles {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SoakStep {
  /** Arrival rate asked for (requests/s) and seconds of load. */
  rate: number;
  seconds: number;
  sent: number;
  /** Answered 2xx; and per second of the step (throughput). */
  accepted: number;
  throughputPerSecond: number;
  /** 503 from admission control (refused at once, safe to retry). */
  refused: number;
  /** 429 from a caller's own limit (the per-caller report read limit): the load's callers, not the store. */
  limited: number;
  /** Other 503s (the store did not answer in time). */
  unavailable: number;
  /** No answer within timeoutMs. */
  timeouts: number;
  /** 5xx other than 503. */
  serverErrors: number;
  /** Anything else (4xx, connection errors): the load itself was wrong. */
  other: number;
  /** Every answer that was not accepted or refused, by status (0: no answer). */
  errorsByStatus: Record<string, number>;
  acceptedLatency: Percentiles;
  postLatency: Percentiles;
  readLatency: Percentiles;
  refusedLatency: Percentiles;
  /** Most requests the load generator had unanswered at once. */
  maxInFlight: number;
  /** The service's resident memory (MiB) and the read models' lag (events) during the step. */
  serverRssMiB: { start: number | null; max: number | null; end: number | null };
  readModelLagEvents: { max: number | null; end: number | null };
  /** p95 < 250 ms with no error and no refusal. */
  held: boolean;
}

export interface SoakResult {
  area: string;
  year: number;
  mix: Record<Kind, number>;
  timeoutMs: number;
  /** The admission budgets the service ran with (from its /metrics). */
  admissionLimits: { writes: number | null; reads: number | null };
  storeEventsBefore: number;
  search: SoakStep[];
  /** Highest rate held (requests/s), or null when even the first rate was not. */
  capacityPerSecond: number | null;
  overload: SoakStep | null;
  retries: { refusedPostsSentAgain: number; recorded: number; notRecorded: number; acknowledgedSentAgain: number; replayed: number };
  store: { acknowledgedPosts: number; acknowledgedFound: number; acknowledgedMissing: number; duplicated: number; retriedFound: number };
  /** Memory (MiB) and lag (events) of the service every few seconds, over the whole run. */
  samples: Array<{ atSeconds: number; rssMiB: number | null; lagEvents: number | null; phase: string }>;
  checks: Array<{ id: string; ok: boolean; detail: string }>;
}

export async function soak(args: SoakArgs): Promise<SoakResult> {
  await catchUpReadModels(args.target);
  const storeEventsBefore = await countEvents(args.target);
  const server = await startService(args.target);
  const load = new SoakLoad(args, server.base, await server.tokens());
  const samples: SoakResult['samples'] = [];
  let phase = 'start';
  const started = performance.now();
  const sampler = setInterval(() => {
    void Promise.all([rssMiB(server.pid), load.metrics()]).then(([rss, metrics]) =>
      samples.push({ atSeconds: round((performance.now() - started) / 1000, 0), rssMiB: rss, lagEvents: metrics.lag, phase }),
    );
  }, 1000);
  let search: SoakStep[];
  let overload: SoakStep | null;
  let capacity: number | null;
  let retries: SoakResult['retries'];
  let admissionLimits: SoakResult['admissionLimits'];
  try {
    admissionLimits = (await load.metrics()).limits;
    phase = 'warm-up';
    await load.warmUp();
    const stepAt = async (rate: number, seconds: number, name: string) => {
      phase = name;
      const from = samples.length;
      const step = await load.run(rate, seconds);
      await load.settle();
      const during = samples.slice(from);
      step.serverRssMiB = { start: during[0]?.rssMiB ?? null, max: maxOf(during.map((s) => s.rssMiB)), end: during[during.length - 1]?.rssMiB ?? null };
      step.readModelLagEvents = { max: maxOf(during.map((s) => s.lagEvents)), end: during[during.length - 1]?.lagEvents ?? null };
      console.log(
        `[soak] ${name} at ${rate}/s: ${step.accepted} accepted, ${step.refused} refused, ${step.timeouts} timed out, ${step.limited} over a caller's limit, ${step.serverErrors + step.unavailable + step.other} other errors ${JSON.stringify(step.errorsByStatus)}; p95 ${step.acceptedLatency.p95Ms} ms; ${step.held ? 'held' : 'not held'}`,
      );
      return step;
    };
    ({ search, capacity } = await searchCapacity(args, (rate) => stepAt(rate, args.stepSeconds, `search ${rate}/s`)));
    // No rate held (a smoke run on a busy machine): the overload still runs, at twice the first rate, to check what it does.
    const overloadRate = 2 * (capacity ?? args.startRate);
    overload = await stepAt(overloadRate, args.overloadSeconds, `overload ${overloadRate}/s`);
    phase = 'retries';
    retries = await load.retryRefusedPosts();
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
  const store = await load.countInStore(args.target);
  const result: Omit<SoakResult, 'checks'> = {
    area: args.area,
    year: args.year,
    mix: Object.fromEntries(MIX) as Record<Kind, number>,
    timeoutMs: args.timeoutMs,
    admissionLimits,
    storeEventsBefore,
    search,
    capacityPerSecond: capacity,
    overload,
    retries,
    store,
    samples: samples.filter((_, i) => i % 5 === 0 || i === samples.length - 1),
  };
  return { ...result, checks: soakChecks(result, args.timed) };
}

/** Doubles the rate while it is held, then halves the gap between the best held and the first not held. */
async function searchCapacity(args: SoakArgs, stepAt: (rate: number) => Promise<SoakStep>): Promise<{ search: SoakStep[]; capacity: number | null }> {
  const search: SoakStep[] = [];
  let held: number | null = null;
  let failed: number | null = null;
  let rate = args.startRate;
  while (search.length < args.maxSteps) {
    const step = await stepAt(rate);
    search.push(step);
    if (step.held) held = rate;
    else failed = rate;
    if (failed === null) rate *= 2;
    else if (held === null) rate = Math.max(1, Math.floor(rate / 2));
    else rate = Math.round((held + failed) / 2);
    // Closer than a tenth apart (or a whole request/s): the figure will not get better.
    if (held !== null && failed !== null && (failed - held <= Math.max(1, held / 10) || rate === held || rate === failed)) break;
    if (held === null && rate === 1 && failed === 1) break;
  }
  return { search, capacity: held };
}

/** Timed checks are only reported at the smoke scale (its timings mean nothing); the others always count. */
function soakChecks(r: Omit<SoakResult, 'checks'>, timed: boolean): SoakResult['checks'] {
  const o = r.overload;
  const timing = (check: SoakResult['checks'][number]) => (timed ? check : { ...check, ok: true, detail: `not checked at this scale: ${check.detail}` });
  const checks: SoakResult['checks'] = [
    timing({
      id: 'capacity-found',
      ok: r.capacityPerSecond !== null,
      detail: r.capacityPerSecond === null ? `not even ${r.search[0]?.rate}/s was held` : `${r.capacityPerSecond}/s held (p95 < ${SOAK_TARGETS.heldP95Ms} ms, no error)`,
    }),
  ];
  if (o) {
    checks.push(
      timing({
        id: 'overload-accepted-p95',
        ok: o.acceptedLatency.p95Ms < SOAK_TARGETS.overloadAcceptedP95Ms,
        detail: `accepted p95 ${o.acceptedLatency.p95Ms} ms at ${o.rate}/s (target < ${SOAK_TARGETS.overloadAcceptedP95Ms} ms)`,
      }),
      {
        id: 'overload-refused-not-timed-out',
        ok: o.timeouts === 0 && o.serverErrors === 0 && o.other === 0,
        detail: `${o.refused} refused (p95 ${o.refusedLatency.p95Ms} ms), ${o.limited} over a caller's own limit (429), ${o.unavailable} other 503, ${o.timeouts} timed out, ${o.serverErrors} 5xx, ${o.other} other`,
      },
      // A 503 that is not admission control's is the store not answering in time (pg's pool waits 5 s): refused slowly.
      timing({ id: 'overload-no-store-timeouts', ok: o.unavailable === 0, detail: `${o.unavailable} answered 503 by a store that did not answer in time` }),
      timing({
        id: 'overload-refused-quickly',
        ok: o.refused === 0 || o.refusedLatency.p95Ms < SOAK_TARGETS.refusedP95Ms,
        detail: `refusals p95 ${o.refusedLatency.p95Ms} ms, max ${o.refusedLatency.maxMs} ms (target p95 < ${SOAK_TARGETS.refusedP95Ms} ms)`,
      }),
    );
  }
  checks.push(
    {
      id: 'nothing-acknowledged-lost',
      ok: r.store.acknowledgedMissing === 0 && r.store.duplicated === 0,
      detail: `${r.store.acknowledgedFound} of ${r.store.acknowledgedPosts} acknowledged posts in the store, ${r.store.duplicated} more than once`,
    },
    {
      id: 'refused-post-retried-once',
      ok: r.retries.notRecorded === 0 && r.store.retriedFound === r.retries.recorded && r.retries.replayed === r.retries.acknowledgedSentAgain,
      detail: `${r.retries.recorded} of ${r.retries.refusedPostsSentAgain} refused posts recorded when sent again, ${r.store.retriedFound} in the store once; ${r.retries.replayed} of ${r.retries.acknowledgedSentAgain} acknowledged posts sent again answered as replays`,
    },
  );
  return checks;
}

interface SentPost {
  offenderId: string;
  body: string;
}

/** The load generator: tokens for several callers, the mix, and what each post's answer was. */
class SoakLoad {
  private readonly random = seededRandom(17_2026);
  private readonly yearLabel: string;
  private readonly acknowledged = new Map<string, SentPost>();
  private readonly refusedPosts = new Map<string, SentPost>();
  private readonly retried = new Set<string>();
  private inFlight = 0;
  private posts = 0;
  /** Unexpected answers already shown, by kind and status: each shown once. */
  private readonly shown = new Set<string>();

  constructor(
    private readonly args: SoakArgs,
    private readonly base: string,
    private readonly tokens: { recorders: string[]; analysts: string[]; nationals: string[]; admin: string },
  ) {
    this.yearLabel = `${args.year}-${String((args.year + 1) % 100).padStart(2, '0')}`;
  }

  /** `rate` requests a second for `seconds`, each sent on schedule; answers the step's figures. */
  async run(rate: number, seconds: number): Promise<SoakStep> {
    const total = Math.round(rate * seconds);
    const answers: Answer[] = [];
    const pending: Array<Promise<void>> = [];
    let maxInFlight = 0;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(this.one().then((a) => void answers.push(a)));
      maxInFlight = Math.max(maxInFlight, this.inFlight);
    }
    await Promise.all(pending);
    return summarise(rate, seconds, answers, maxInFlight);
  }

  /** A few requests of each kind, one at a time and not counted: the service's first answers compile its code paths. */
  async warmUp(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      for (const [kind] of MIX) {
        const answer = await this.one(kind);
        if (answer.outcome !== 'ok') throw new Error(`warm-up: a ${kind} was answered ${answer.status || answer.outcome}; the soak's requests are wrong`);
      }
    }
  }

  /** Waits until nothing is in flight and the read models have caught up (at most a minute). */
  async settle(): Promise<void> {
    const until = performance.now() + 60_000;
    while (performance.now() < until) {
      const { lag } = await this.metrics();
      if (lag === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Each post refused (503) sent again with its eventId, a few at a time; and a sample of acknowledged ones. */
  async retryRefusedPosts(): Promise<SoakResult['retries']> {
    const refused = [...this.refusedPosts.entries()].filter(([id]) => !this.acknowledged.has(id));
    const sample = [...this.acknowledged.entries()].slice(0, 50);
    let recorded = 0;
    let replayed = 0;
    const queue = [...refused.map((e) => ({ entry: e, again: false })), ...sample.map((e) => ({ entry: e, again: true }))];
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const [eventId, post] = job.entry;
        for (let attempt = 0; attempt < 20; attempt++) {
          const res = await this.send('POST', `/offenders/${post.offenderId}/events`, this.pick(this.tokens.recorders), post.body);
          if (res.status === 503) {
            await new Promise((resolve) => setTimeout(resolve, 1000 * Number(res.headers.get('retry-after') ?? 1)));
            continue;
          }
          if (res.status === 201 && job.again && res.headers.get('idempotent-replay') === 'true') replayed++;
          if (res.status === 201 && !job.again) {
            recorded++;
            this.retried.add(eventId);
          }
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return { refusedPostsSentAgain: refused.length, recorded, notRecorded: refused.length - recorded, acknowledgedSentAgain: sample.length, replayed };
  }

  /** Counts, in the store itself (the service stopped), each acknowledged and each retried post. */
  async countInStore(target: BenchTarget): Promise<SoakResult['store']> {
    const opened = await openTarget(target);
    try {
      const counts = new Map<string, number>();
      const ids = [...this.acknowledged.keys(), ...this.retried];
      for (let i = 0; i < ids.length; i += 5000) {
        const { rows } = await opened.sql!.query<{ id: string; n: number }>(
          'SELECT event_id::text AS id, count(*)::int AS n FROM events WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
          [ids.slice(i, i + 5000)],
        );
        for (const row of rows) counts.set(row.id, row.n);
      }
      const found = (id: string) => (counts.get(id) ?? 0) >= 1;
      const acknowledged = [...this.acknowledged.keys()];
      return {
        acknowledgedPosts: acknowledged.length,
        acknowledgedFound: acknowledged.filter(found).length,
        acknowledgedMissing: acknowledged.filter((id) => !found(id)).length,
        duplicated: [...counts.values()].filter((n) => n > 1).length,
        retriedFound: [...this.retried].filter((id) => counts.get(id) === 1).length,
      };
    } finally {
      await opened.close();
    }
  }

  /** The read models' lag and the admission limits, from /metrics (never refused). */
  async metrics(): Promise<{ lag: number | null; limits: { writes: number | null; reads: number | null } }> {
    try {
      const res = await fetch(`${this.base}/metrics`, { headers: { Authorization: `Bearer ${this.tokens.admin}` }, signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      const figure = (pattern: RegExp) => {
        const m = pattern.exec(text);
        return m ? Number(m[1]) : null;
      };
      return {
        lag: figure(/^mappa_read_model_lag_events (\d+)$/m),
        limits: { writes: figure(/^mappa_admission_limit\{budget="writes"\} (\d+)$/m), reads: figure(/^mappa_admission_limit\{budget="reads"\} (\d+)$/m) },
      };
    } catch {
      return { lag: null, limits: { writes: null, reads: null } };
    }
  }

  private async one(kind: Kind = this.kind()): Promise<Answer> {
    this.inFlight++;
    const started = performance.now();
    let status = 0;
    let outcome: Outcome;
    try {
      const res = await this.request(kind);
      status = res.status;
      outcome = await classify(res.clone());
      if (outcome === 'other' && !this.shown.has(`${kind} ${status}`)) {
        this.shown.add(`${kind} ${status}`);
        console.log(`[soak] unexpected ${status} to a ${kind}: ${(await res.text()).slice(0, 300)}`);
      }
    } catch (error) {
      outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'other';
      if (outcome === 'other' && !this.shown.has(`${kind} error`)) {
        this.shown.add(`${kind} error`);
        console.log(`[soak] no answer to a ${kind}: ${String((error as Error).cause ?? error)}`);
      }
    } finally {
      this.inFlight--;
    }
    return { kind, outcome, status, ms: performance.now() - started };
  }

  private async request(kind: Kind): Promise<Response> {
    const { area } = this.args;
    switch (kind) {
      case 'post': {
        const n = ++this.posts;
        const eventId = randomUUID();
        const post = {
          offenderId: `SOAK-${process.pid}-${n}`,
          body: JSON.stringify({
            eventId,
            type: 'OffenderRegistered',
            occurredOn: '2015-04-01',
            data: { area, category: 1 + (n % 2), level: 1, inCustody: false, underSupervision: true },
          }),
        };
        const res = await this.send('POST', `/offenders/${post.offenderId}/events`, this.pick(this.tokens.recorders), post.body);
        if (res.status === 201) this.acknowledged.set(eventId, post);
        else if (res.status === 503) this.refusedPosts.set(eventId, post);
        return res;
      }
      case 'areaReport':
        return this.send('GET', `/reports/${area}/${this.yearLabel}`, this.pick(this.tokens.analysts));
      case 'nationalReport':
        return this.send('GET', `/reports/${ENGLAND_AND_WALES}/${this.yearLabel}`, this.pick(this.tokens.nationals));
      case 'snapshot':
        return this.send('GET', `/snapshots/${area}?date=${this.args.year + 1}-03-${String(1 + this.random.int(0, 30)).padStart(2, '0')}`, this.pick(this.tokens.analysts));
    }
  }

  private async send(method: 'GET' | 'POST', url: string, token: string, body?: string): Promise<Response> {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body,
      signal: AbortSignal.timeout(this.args.timeoutMs),
    });
    // The whole answer is read: a report's time includes sending it.
    const text = await res.text();
    return new Response(res.status === 204 ? null : text, { status: res.status, headers: res.headers });
  }

  private kind(): Kind {
    let x = this.random.next();
    for (const [kind, share] of MIX) {
      if (x < share) return kind;
      x -= share;
    }
    return 'post';
  }

  private pick(tokens: string[]): string {
    return tokens[this.random.int(0, tokens.length - 1)];
  }
}

async function classify(res: Response): Promise<Outcome> {
  if (res.status >= 200 && res.status < 300) return 'ok';
  if (res.status === 503) {
    const body = (await res.json().catch(() => null)) as { details?: Array<{ rule?: string }> } | null;
    return body?.details?.some((d) => d.rule === 'admission-control') ? 'refused' : 'unavailable';
  }
  if (res.status === 429) return 'limited';
  return res.status >= 500 ? 'serverError' : 'other';
}

function summarise(rate: number, seconds: number, answers: Answer[], maxInFlight: number): SoakStep {
  const count = (o: Outcome) => answers.filter((a) => a.outcome === o).length;
  const ok = answers.filter((a) => a.outcome === 'ok');
  const accepted = ok.length;
  const errors = answers.length - accepted;
  const acceptedLatency = percentiles(ok.map((a) => a.ms));
  return {
    rate,
    seconds,
    sent: answers.length,
    accepted,
    throughputPerSecond: round(accepted / seconds),
    refused: count('refused'),
    limited: count('limited'),
    unavailable: count('unavailable'),
    timeouts: count('timeout'),
    serverErrors: count('serverError'),
    other: count('other'),
    errorsByStatus: answers
      .filter((a) => a.outcome !== 'ok' && a.outcome !== 'refused')
      .reduce<Record<string, number>>((by, a) => ({ ...by, [a.status]: (by[a.status] ?? 0) + 1 }), {}),
    acceptedLatency,
    postLatency: percentiles(ok.filter((a) => a.kind === 'post').map((a) => a.ms)),
    readLatency: percentiles(ok.filter((a) => a.kind !== 'post').map((a) => a.ms)),
    refusedLatency: percentiles(answers.filter((a) => a.outcome === 'refused').map((a) => a.ms)),
    maxInFlight,
    serverRssMiB: { start: null, max: null, end: null },
    readModelLagEvents: { max: null, end: null },
    held: errors === 0 && accepted > 0 && acceptedLatency.p95Ms < SOAK_TARGETS.heldP95Ms,
  };
}

/** Nearest-rank percentiles of durations in milliseconds. */
export function percentiles(ms: readonly number[]): Percentiles {
  if (ms.length === 0) return { samples: 0, p50Ms: Number.NaN, p95Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]);
  return { samples: sorted.length, p50Ms: rank(0.5), p95Ms: rank(0.95), p99Ms: rank(0.99), maxMs: round(sorted[sorted.length - 1]) };
}

const maxOf = (values: Array<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? Math.max(...known) : null;
};

/** The service's resident memory in MiB (Linux /proc; null elsewhere). */
async function rssMiB(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? null : round(Number(kb) / 1024, 0);
  } catch {
    return null;
  }
}

async function countEvents(target: BenchTarget): Promise<number> {
  const opened = await openTarget(target);
  try {
    return (await opened.sql!.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
  } finally {
    await opened.close();
  }
}

/** `mappa serve` (the built dist/, as a user runs it) with HS256 tokens and the request rate limit off. */
async function startService(target: BenchTarget) {
  const port = await freePort();
  const secret = randomBytes(32).toString('hex');
  const config = targetConfig(target);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVENT_STORE: config.eventStore,
    DATA_DIR: config.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_JWT_SECRET: secret,
    AUTH_JWT_ISSUER: ISSUER,
    AUTH_JWT_AUDIENCE: AUDIENCE,
    // The request rate limit counts per caller per minute: it would refuse the load, not the store.
    RATE_LIMIT_REQUESTS: '0',
  };
  for (const name of ['DATABASE_URL', 'DATABASE_SCHEMA', 'AUTH_DEV_MODE', 'MAPPA_DEV_AUTH', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWT_PUBLIC_KEY_FILE'] as const) delete env[name];
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  if (config.schema) env.DATABASE_SCHEMA = config.schema;
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mappa.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = once(child, 'exit');
  const base = `http://127.0.0.1:${port}`;
  const until = performance.now() + 5 * 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mappa serve exited (${child.exitCode}) before it answered`);
    // /health answers "starting" (200) while the store opens; ready means the service itself answers.
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (performance.now() > until) throw new Error('mappa serve was not ready (/health/ready) within 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const token = (p: Principal) => mintToken(p, { key: { secret }, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 3600 });
  return {
    base,
    pid: child.pid,
    async tokens() {
      const many = (n: number, p: (i: number) => Principal) => Promise.all(Array.from({ length: n }, (_, i) => token(p(i))));
      return {
        // Many callers, as many agency systems and analysts: each has its own report read limit (one
        // national report in flight), which the soak is not measuring.
        recorders: await many(16, (i) => ({ sub: `soak-recorder-${i}`, agency: 'police', roles: ['recorder'], areas: ['*'] })),
        analysts: await many(32, (i) => ({ sub: `soak-area-analyst-${i}`, agency: 'police', roles: ['analyst'], areas: ['*'] })),
        nationals: await many(32, (i) => ({ sub: `soak-national-analyst-${i}`, agency: 'moj', roles: ['analyst'], areas: ['*'] })),
        admin: await token({ sub: 'soak-admin', agency: 'moj', roles: ['admin'], areas: ['*'] }),
      };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
