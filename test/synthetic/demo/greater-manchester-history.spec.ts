import { decide } from '../../../src/domain/offender-decider';
import type { NewOffenderEvent, RecordedOffenderEvent } from '../../../src/domain/offender-event';
import type { TimelineEvent } from '../../../src/domain/offender-timeline';
import { DEMO_SEED, greaterManchesterArrivals, greaterManchesterHistory } from '../../../src/synthetic/demo/greater-manchester-history';
import { computeReportByFolding } from '../../../src/reports/baseline/fold-report';
import { compareCells, reportChecks } from '../../../src/reports/report-checks';
import published from '../../../reference/published/greater-manchester-2014-15.json';
import { recordInOrder } from '../../reports/recorded-events';

// The demonstration history must reproduce the published 2014/15 report of Greater Manchester
// cell for cell, every event valid when it arrives, and the same history on every run.

describe('Greater Manchester demonstration history', () => {
  let arrivals: { event: NewOffenderEvent; recordedOn: string }[];
  let history: NewOffenderEvent[];
  let recorded: RecordedOffenderEvent[];
  let report: Record<string, number>;

  beforeAll(() => {
    arrivals = greaterManchesterArrivals();
    history = arrivals.map((a) => a.event);
    recorded = recordInOrder(history);
    report = computeReportByFolding(recorded, { area: 'greater-manchester', year: 2014 });
  });

  it('is realistic in size: tens of thousands of events', () => {
    expect(history.length).toBeGreaterThan(25_000);
    expect(history.length).toBeLessThan(60_000);
  });

  it('gives every published cell of 2014/15', () => {
    expect(compareCells(report, published.cells)).toEqual([]);
  });

  it('reconciles the SFO cases that left the area, and the RSOs without a division', () => {
    expect(report['sfoOutcomes.category3-level3.leftArea']).toBe(2);
    expect(report['rsoByDivision.unassigned.count']).toBe(31);
    expect(report['rsoByDivision.total.count']).toBe(2662);
    for (const row of ['category1-level1', 'category1-level2', 'category2-level1', 'category2-level2']) {
      expect(report[`sfoOutcomes.${row}.leftArea`]).toBe(0);
    }
  });

  it('passes every check of its report, and of the national report it feeds', () => {
    expect(reportChecks(report, 'greater-manchester', { year: 2014 }).filter((c) => !c.ok)).toEqual([]);
    const national = computeReportByFolding(recorded, { area: 'england-and-wales', year: 2014 });
    expect(national['rsoByDivision.greater-manchester.count']).toBe(2662);
    expect(reportChecks(national, 'england-and-wales', { year: 2014 }).filter((c) => !c.ok)).toEqual([]);
  });

  it('is valid event by event, in arrival order', () => {
    const streams = new Map<string, TimelineEvent[]>();
    const refused: string[] = [];
    for (const event of history) {
      const stream = streams.get(event.offenderId) ?? [];
      const decision = decide(stream, event, '2016-01-01');
      if (!decision.ok) refused.push(`${event.offenderId} ${event.type} ${event.occurredOn}: ${decision.error.message}`);
      stream.push({ ...event, revision: stream.length });
      streams.set(event.offenderId, stream);
    }
    expect(refused.slice(0, 10)).toEqual([]);
  });

  it('as known on 31 March 2015, lacks what was recorded after it (a late recall, late custody)', () => {
    const knownBy = arrivals.filter((a) => a.recordedOn <= '2015-03-31').length; // positions 1..knownBy
    expect(knownBy).toBeLessThan(history.length);
    const asKnown = computeReportByFolding(recorded, { area: 'greater-manchester', year: 2014, knownUpTo: BigInt(knownBy) });
    expect(asKnown['recalledForLicenceBreach.level2.category3']).toBe(6);
    expect(asKnown['offendersOnSnapshot.level1.category1']).toBeGreaterThan(2653);
  });

  it('is the same history on every call, and another with another seed', () => {
    const asJson = JSON.stringify(history);
    expect(JSON.stringify(greaterManchesterHistory())).toBe(asJson);
    expect(JSON.stringify(greaterManchesterHistory(DEMO_SEED))).toBe(asJson);
    expect(JSON.stringify(greaterManchesterHistory(DEMO_SEED + 1))).not.toBe(asJson);
  });

  it('has unique, UUID-shaped event ids and pseudonymous offender ids', () => {
    const ids = new Set(history.map((e) => e.eventId));
    expect(ids.size).toBe(history.length);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(history.filter((e) => !uuid.test(e.eventId))).toEqual([]);
    expect(history.filter((e) => !/^[A-Z]{2}-\d{6}$/.test(e.offenderId))).toEqual([]);
  });
});
