import { performance } from 'node:perf_hooks';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { StreamAppend } from '../../src/event-store/event-store';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import { bulkEvents } from '../support/bulk-ndjson';
import { testMetadata } from '../support/offender-event-fixtures';
import { startSecuredApp, type SecuredApp } from '../support/secured-app';

// Issue 11, item 5: /health/live keeps answering through a rebuild of the embedded store, whose one
// connection the rebuild holds; /health/ready says 503 and why meanwhile. PGlite runs on the event
// loop's thread, so an answer waits for the step of the rebuild under way: the test logs the longest
// stretch the thread was held (process CPU time between two timer ticks, which unlike wall-clock
// time does not count time descheduled on a busy machine). Before the runner yielded between
// projections, a 40,000-event rebuild let one answer through in 12 s on this machine; the 1 s bound
// of the issue is not met on the embedded store (docs/decisions.md, issue 11.5), so it is not asserted.

const OFFENDERS = 1_000;
const EVENTS_PER_OFFENDER = 40; // 40,000 events

describe('/health/live during a rebuild of the embedded store', () => {
  let s: SecuredApp;
  beforeAll(async () => {
    s = await startSecuredApp({ development: true });
    const events = bulkEvents({ offenders: OFFENDERS, eventsPerOffender: EVENTS_PER_OFFENDER, runId: 'live' });
    const streams = new Map<string, typeof events>();
    for (const e of events) streams.set(e.offenderId, [...(streams.get(e.offenderId) ?? []), e]);
    const items: StreamAppend[] = [...streams].map(([offenderId, stream]) => ({
      offenderId,
      expectedRevision: 'no-stream',
      events: stream,
      metadata: testMetadata(),
      recordedAt: new Date().toISOString(),
    }));
    for (let i = 0; i < items.length; i += 200) await s.storage.store.appendToStreams(items.slice(i, i + 200));
    await s.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitFor(BigInt(OFFENDERS * EVENTS_PER_OFFENDER), 300_000);
  }, 600_000);
  afterAll(() => s?.close());

  it('answers live throughout, and ready 503 naming the rebuild', async () => {
    const runner = s.app.get<ProjectionRunner>(PROJECTION_RUNNER);
    let done = false;
    const rebuilt = runner.rebuild().finally(() => (done = true));
    const times: number[] = [];
    let longestHoldMs = 0;
    let lastCpu = process.cpuUsage();
    const ticks = setInterval(() => {
      const cpu = process.cpuUsage(lastCpu);
      longestHoldMs = Math.max(longestHoldMs, (cpu.user + cpu.system) / 1000);
      lastCpu = process.cpuUsage();
    }, 5);
    let notReady: { status: number; body: { reasons: string[] } } | undefined;
    while (!done) {
      const asked = performance.now();
      await s.http().get('/health/live').expect(200);
      times.push(performance.now() - asked);
      if (!notReady && runner.rebuildProgressHere()) {
        const res = await s.http().get('/health/ready');
        notReady = { status: res.status, body: res.body };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await rebuilt;
    clearInterval(ticks);
    console.log(`live during the rebuild: ${times.length} answers, slowest ${Math.round(Math.max(...times))} ms; event loop held at most ${Math.round(longestHoldMs)} ms of CPU`);
    expect(times.length).toBeGreaterThan(3);
    expect(notReady).toMatchObject({ status: 503, body: { reasons: [expect.stringMatching(/being rebuilt \(\d+ of 40000 events\)/)] } });
  }, 600_000);
});
