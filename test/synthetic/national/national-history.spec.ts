import { decide } from '../../../src/domain/offender-decider';
import type { NewOffenderEvent } from '../../../src/domain/offender-event';
import type { TimelineEvent } from '../../../src/domain/offender-timeline';
import { stateAt } from '../../../src/domain/offender-timeline';
import { firstAreas, NationalHistory, type NationalHistoryOptions } from '../../../src/synthetic/national/national-history';

// `mappa generate`: deterministic, every event accepted by the decider in arrival order, and the
// proportions of the Greater Manchester report (about two thirds category 1, about 99% level 1).

const OPTIONS: NationalHistoryOptions = { areas: firstAreas(4), activeOffenders: 2000, fromYear: 2010, toYear: 2018, seed: 42 };

function generate(options: NationalHistoryOptions) {
  const history = new NationalHistory(options);
  const lines = [...history.lines()];
  return { history, lines, events: lines.map((l) => JSON.parse(l.line) as NewOffenderEvent) };
}

describe('NationalHistory (mappa generate)', () => {
  const { history, lines, events } = generate(OPTIONS);

  it('is deterministic: the same options give the same lines, another seed another history', () => {
    const again = generate(OPTIONS);
    expect(again.lines).toEqual(lines);
    const other = generate({ ...OPTIONS, seed: 43 });
    expect(other.lines.slice(0, 50)).not.toEqual(lines.slice(0, 50));
  });

  it('writes events as a poster sends them, in arrival order, with unique event ids', () => {
    for (const e of events.slice(0, 100)) expect(Object.keys(e).sort()).toEqual(['data', 'eventId', 'occurredOn', 'offenderId', 'type']);
    const recorded = lines.map((l) => l.recordedOn);
    expect(recorded).toEqual([...recorded].sort());
    expect(recorded[0]).toBe('2010-04-01');
    expect(recorded[recorded.length - 1] <= '2018-03-31').toBe(true);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('passes every event through decide() against the offender stream so far, in arrival order', () => {
    const streams = new Map<string, TimelineEvent[]>();
    const refused: string[] = [];
    lines.forEach(({ recordedOn }, i) => {
      const event = events[i];
      const stream = streams.get(event.offenderId) ?? [];
      const decision = decide(stream, event, recordedOn);
      if (!decision.ok) refused.push(`${event.offenderId} ${event.type} ${event.occurredOn}: ${decision.error.message}`);
      else stream.push({ ...event, revision: stream.length });
      streams.set(event.offenderId, stream);
    });
    expect(refused).toEqual([]);
    expect(history.stats.events).toBe(events.length);
  });

  it('has the Greater Manchester shape: about two thirds category 1 and about 99% at level 1 in the community', () => {
    const byOffender = new Map<string, TimelineEvent[]>();
    for (const e of events) {
      const stream = byOffender.get(e.offenderId) ?? [];
      stream.push({ ...e, revision: stream.length });
      byOffender.set(e.offenderId, stream);
    }
    for (const year of [2012, 2015, 2018]) {
      let active = 0;
      let community = 0;
      let category1 = 0;
      let level1 = 0;
      for (const stream of byOffender.values()) {
        const s = stateAt(stream, `${year}-03-31`);
        if (!s.active) continue;
        active++;
        if (s.inCustody) continue;
        community++;
        if (s.category === 1) category1++;
        if (s.level === 1) level1++;
      }
      expect(active).toBeGreaterThan(0.85 * OPTIONS.activeOffenders!);
      expect(active).toBeLessThan(1.15 * OPTIONS.activeOffenders!);
      expect(category1 / community).toBeGreaterThan(0.58);
      expect(category1 / community).toBeLessThan(0.78);
      expect(level1 / community).toBeGreaterThan(0.975);
    }
    // The generator's own counts agree with the fold above.
    const march2015 = history.stats.snapshots.find((s) => s.date === '2015-03-31')!;
    expect(march2015.active).toBeGreaterThan(0.85 * OPTIONS.activeOffenders!);
  });

  it('has the rare events in small numbers: level 2/3 spells, recalls, orders, breaches, SFOs, transfers, late and retracted events', () => {
    const count = (type: string) => events.filter((e) => e.type === type).length;
    for (const type of [
      'LevelChanged',
      'CustodyEntered',
      'ReleasedToCommunity',
      'LicenceBreached',
      'SopoImposed',
      'NotificationRequirementBreached',
      'SfoCharged',
      'SfoOutcomeRecorded',
      'OffenderTransferred',
      'DivisionChanged',
      'MappaManagementEnded',
      'EventRetracted',
    ]) {
      expect(count(type)).toBeGreaterThan(0);
    }
    expect(count('EventRetracted') / events.length).toBeLessThan(0.01);
    expect(history.stats.late).toBeGreaterThan(0);
    expect(history.stats.late / events.length).toBeLessThan(0.02);
    expect(history.stats.backDated).toBeGreaterThan(0);
    // Areas: only those asked for; transfers between them.
    const areas = new Set(events.flatMap((e) => (e.type === 'OffenderRegistered' ? [e.data.area] : e.type === 'OffenderTransferred' ? [e.data.toArea] : [])));
    expect([...areas].sort()).toEqual([...OPTIONS.areas!].sort());
  });

  it('keeps only offenders with events still to arrive in memory', () => {
    expect(history.stats.maxPendingOffenders).toBeLessThan(history.stats.offenders);
  });
});
