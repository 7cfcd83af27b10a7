import { randomBytes } from 'node:crypto';
import { createJwtVerifier } from '../src/auth/jwt-verifier';
import { mintToken } from '../src/auth/mint-token';
import type { Principal } from '../src/auth/principal';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import { createHttpApp } from '../src/http/create-http-app';
import { DEFAULT_REPORT_READ_LIMITS, type ReportReadLimits } from '../src/http/report-read-limiter';
import { catchUpReadModels, targetConfig, type BenchTarget } from './bench-target';
import { latencies, timed, type Latencies } from './measure';

// Fairness between callers (issue 10, item 1): caller B reads its area's annual report, one
// after another, first alone and then while caller A fires england-and-wales reports with as
// much concurrency as it likes (a refused request is asked again when Retry-After says), all through the real HTTP stack (tokens, guards, the report
// read limit). The figure is B's median under attack over B's median alone (target ≤ 2×), with
// the limit in place; the same without the limit shows what it is protecting against.

export interface FairnessArgs {
  target: BenchTarget;
  area: string;
  year: number;
  /** B's calls per measurement (time-boxed by budgetSeconds, at least 3). */
  samples: number;
  budgetSeconds: number;
  /** A's concurrent request loops; each waits what Retry-After says after a 429, then asks again. */
  attackers: number;
}

interface UnderAttack {
  /** B's area-year report while A attacks. */
  b: Latencies & { failed: number };
  /** What A got: national reports served, refused with 429, other answers. */
  a: { served: number; refused: number; other: number; servedLatency: Latencies };
}

export async function fairness(args: FairnessArgs) {
  await catchUpReadModels(args.target);
  const limited = await withService(args, DEFAULT_REPORT_READ_LIMITS, async (service) => {
    const alone = await service.measureB();
    return { alone, underAttack: await service.underAttack() };
  });
  const unlimited = await withService(args, false, async (service) => {
    const alone = await service.measureB();
    return { alone, underAttack: await service.underAttack() };
  });
  const ratio = (run: { alone: Latencies; underAttack: UnderAttack }) => Math.round((100 * run.underAttack.b.medianMs) / run.alone.medianMs) / 100;
  return {
    area: args.area,
    year: args.year,
    attackers: args.attackers,
    limits: DEFAULT_REPORT_READ_LIMITS,
    withLimit: { ...limited, ratio: ratio(limited) },
    withoutLimit: { ...unlimited, ratio: ratio(unlimited) },
  };
}

/** Runs `fn` against the HTTP service on the target, with the given report read limit. */
async function withService<T>(args: FairnessArgs, limits: ReportReadLimits | false, fn: (service: FairnessService) => Promise<T>): Promise<T> {
  const secret = randomBytes(32).toString('hex');
  const app = await createHttpApp({
    config: targetConfig(args.target),
    auth: { development: false, verifier: createJwtVerifier({ key: { secret }, issuer: 'mappa-bench', audience: 'mappa' }) },
    // The request rate limit would refuse A's retries by the minute; this measures the read limit alone.
    rateLimit: false,
    reportReads: limits,
  });
  app.useLogger(['error']);
  await app.listen(0, '127.0.0.1');
  try {
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const token = (p: Principal) => mintToken(p, { key: { secret }, issuer: 'mappa-bench', audience: 'mappa', ttlSeconds: 3600 });
    const national = await token({ sub: 'bench-national-analyst', agency: 'moj', roles: ['analyst'], areas: ['*'] });
    const local = await token({ sub: 'bench-area-analyst', agency: 'police', roles: ['analyst'], areas: [args.area] });
    return await fn(new FairnessService(args, base, national, local));
  } finally {
    await app.close();
  }
}

class FairnessService {
  private readonly year: string;

  constructor(
    private readonly args: FairnessArgs,
    private readonly base: string,
    private readonly nationalToken: string,
    private readonly areaToken: string,
  ) {
    this.year = `${args.year}-${String((args.year + 1) % 100).padStart(2, '0')}`;
  }

  /** B's area-year report, one call after another; the first three warm up and are not counted. */
  async measureB(): Promise<Latencies & { failed: number }> {
    for (let i = 0; i < 3; i++) await this.get(this.args.area, this.areaToken);
    const ms: number[] = [];
    let failed = 0;
    const deadline = Date.now() + this.args.budgetSeconds * 1000;
    // At least one call, then as many as the time allows: under attack one call may take seconds.
    for (let i = 0; i < this.args.samples && (i < 1 || Date.now() < deadline); i++) {
      const t = await timed(() => this.get(this.args.area, this.areaToken));
      if (t.value === 200) ms.push(t.ms);
      else failed++;
    }
    return { ...latencies(ms), failed };
  }

  /** B measured while A's loops ask for england-and-wales reports without pause. */
  async underAttack(): Promise<UnderAttack> {
    let stop = false;
    const a = { served: 0, refused: 0, other: 0 };
    const servedMs: number[] = [];
    const attacker = async () => {
      while (!stop) {
        const t = await timed(() => this.fetch(ENGLAND_AND_WALES, this.nationalToken));
        if (t.value.status === 200) {
          a.served++;
          servedMs.push(t.ms);
        } else if (t.value.status === 429) {
          a.refused++;
          // Flooding past Retry-After is a request rate, the request rate limit's business, not this one's.
          await new Promise((resolve) => setTimeout(resolve, 1000 * Number(t.value.retryAfter ?? 1)));
        } else a.other++;
      }
    };
    const loops = Array.from({ length: this.args.attackers }, attacker);
    // Let A's requests fill whatever they can before B starts.
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const b = await this.measureB();
      return { b, a: { ...a, servedLatency: latencies(servedMs) } };
    } finally {
      stop = true;
      await Promise.all(loops);
    }
  }

  /** One report over HTTP, its body read in full; answers the status. */
  private async get(area: string, token: string): Promise<number> {
    return (await this.fetch(area, token)).status;
  }

  private async fetch(area: string, token: string): Promise<{ status: number; retryAfter: string | null }> {
    const res = await fetch(`${this.base}/reports/${area}/${this.year}`, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  }
}
