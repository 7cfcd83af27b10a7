import { randomBytes } from 'node:crypto';
import { ProjectionRunner } from '../projections/projection-runner';
import { createJwtVerifier } from '../src/auth/jwt-verifier';
import { mintToken } from '../src/auth/mint-token';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import { createHttpApp } from '../src/http/create-http-app';
import { openTarget, targetConfig, type BenchTarget } from './bench-target';
import { latencies, timed, type Latencies } from './measure';
import { requestUrl, switchRequests, yearText, type SwitchKind, type SwitchTo } from './workbench-switches';

// Issue 15.3: switching area, year or date in the workbench within 300 ms at national scale, server
// time. Each switch is the set of requests the page makes for it (workbench-switches.ts, checked
// against the page by the browser test), sent together as the browser does, over the real HTTP
// stack (tokens, guards, the report read limit), timed until every answer is read in full. Each
// sample switches to something not asked before (the next area, year, date or moment).

export interface WorkbenchArgs {
  target: BenchTarget;
  /** The area of the year, date and as-known-at switches. */
  area: string;
  /** The report year of the area and as-known-at switches (2014 for 2014-15). */
  year: number;
  /** The areas the area switch goes through, in turn. */
  areas: string[];
  /** Report years the year switch goes through (fromYear..toYear). */
  fromYear: number;
  toYear: number;
  /** Snapshot dates are drawn from [from, to]. */
  from: string;
  to: string;
  /** Switches timed of each kind (time-boxed by budgetSeconds, at least 3); three more warm up first. */
  samples: number;
  /** Switches to england-and-wales timed (a national report each). */
  nationalSamples: number;
  budgetSeconds: number;
}

export interface WorkbenchSwitch {
  kind: SwitchKind | 'areaNational';
  /** What one switch asks, with placeholders: the figures' reader sees what was timed. */
  requests: string[];
  latency: Latencies;
  /** Switches with an answer other than 200 (not timed). */
  failed: number;
}

export interface WorkbenchResult {
  area: string;
  year: number;
  /** Areas the area switch went through. */
  areas: number;
  switches: WorkbenchSwitch[];
}

export async function workbench(args: WorkbenchArgs): Promise<WorkbenchResult> {
  const recorded = await catchUpAndRecordingTimes(args.target);
  const secret = randomBytes(32).toString('hex');
  const app = await createHttpApp({
    config: targetConfig(args.target),
    auth: { development: false, verifier: createJwtVerifier({ key: { secret }, issuer: 'mappa-bench', audience: 'mappa' }) },
    // Dozens of switches a minute from one caller is the bench, not a user: the request rate limit would refuse them.
    rateLimit: false,
  });
  app.useLogger(['error']);
  await app.listen(0, '127.0.0.1');
  try {
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    // A national analyst: every area and england-and-wales in the picker, what the page shows any reader of reports.
    const token = await mintToken(
      { sub: 'bench-workbench-analyst', agency: 'moj', roles: ['analyst'], areas: ['*'] },
      { key: { secret }, issuer: 'mappa-bench', audience: 'mappa', ttlSeconds: 3600 },
    );
    const send = async (to: SwitchTo, kind: SwitchKind): Promise<boolean> => {
      const statuses = await Promise.all(
        switchRequests(kind, to).map(async (r) => {
          const res = await fetch(base + requestUrl(r), { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      return statuses.every((s) => s === 200);
    };
    const measure = async (kind: SwitchKind, samples: number, nth: (i: number) => SwitchTo, as: WorkbenchSwitch['kind'] = kind): Promise<WorkbenchSwitch> => {
      for (let i = 0; i < 3; i++) await send(nth(i), kind); // warm-up: plans and connections, not counted
      const ms: number[] = [];
      let failed = 0;
      const deadline = Date.now() + args.budgetSeconds * 1000;
      for (let i = 0; i < samples && (i < 3 || Date.now() < deadline); i++) {
        const t = await timed(() => send(nth(3 + i), kind));
        if (t.value) ms.push(t.ms);
        else failed++;
      }
      const shape: SwitchTo = { area: as === 'areaNational' ? ENGLAND_AND_WALES : '{area}', year: '{year}', date: '{date}', asKnownAt: '{moment}' };
      return { kind: as, requests: switchRequests(kind, shape).map((r) => `GET ${decodeURIComponent(requestUrl(r))}`), latency: latencies(ms), failed };
    };

    const year = yearText(args.year);
    const years = Array.from({ length: args.toYear - args.fromYear + 1 }, (_, i) => yearText(args.fromYear + i));
    const areas = args.areas.filter((a) => a !== ENGLAND_AND_WALES);
    const n = args.samples + 3;
    const dates = spread(dayNumber(args.from), dayNumber(args.to), n).map((d) => new Date(d * DAY).toISOString().slice(0, 10));
    // The moments the store learnt its history: its events were recorded while the bench imported them.
    const moments = spread(recorded.first, recorded.last, n).map((t) => new Date(t).toISOString());
    return {
      area: args.area,
      year: args.year,
      areas: areas.length,
      switches: [
        await measure('area', args.samples, (i) => ({ area: areas[(areas.indexOf(args.area) + 1 + i) % areas.length], year })),
        await measure('year', args.samples, (i) => ({ area: args.area, year: years[i % years.length] })),
        await measure('date', args.samples, (i) => ({ area: args.area, year, date: dates[i % dates.length] })),
        await measure('asKnownAt', args.samples, (i) => ({ area: args.area, year, asKnownAt: moments[i % moments.length] })),
        await measure('area', args.nationalSamples, () => ({ area: ENGLAND_AND_WALES, year }), 'areaNational'),
      ],
    };
  } finally {
    await app.close();
  }
}

const DAY = 86_400_000;
const dayNumber = (date: string): number => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);

/** `count` values spread evenly over [first, last]. */
const spread = (first: number, last: number, count: number): number[] => Array.from({ length: count }, (_, i) => Math.round(first + ((last - first) * i) / Math.max(1, count - 1)));

/** The read models as far as the store (else the service would catch up while timed), and when its events were recorded. */
async function catchUpAndRecordingTimes(target: BenchTarget): Promise<{ first: number; last: number }> {
  const opened = await openTarget(target);
  try {
    const runner = new ProjectionRunner(opened.store, opened.sql!);
    await runner.init();
    await runner.catchUp();
    const { rows } = await opened.sql!.query<{ first: Date | string; last: Date | string }>('SELECT min(recorded_at) AS first, max(recorded_at) AS last FROM events');
    return { first: new Date(rows[0].first).getTime(), last: new Date(rows[0].last).getTime() };
  } finally {
    await opened.close();
  }
}
