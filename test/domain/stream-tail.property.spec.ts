import fc from 'fast-check';
import { decide, type Decision } from '../../src/domain/offender-decider';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { TimelineEvent } from '../../src/domain/offender-timeline';
import { advanceTail, extendsTail, foldTail, type StreamTail } from '../../src/domain/stream-tail';
import { seededRandom } from '../../src/synthetic/seeded-random';
import { eventsOf, streamOf } from '../support/offender-events';
import { randomHistory } from '../support/random-history';

// Issue 13, item 1: deciding an in-order event at the stream's tail must give exactly the decision of
// the full refold, accept and refuse alike, for every event of random histories: in-order, back-dated,
// retractions, refused proposals, and streams that already break a rule (recorded under older rules).

/** What a caller can observe of a decision: accepted, or the error's kind, message and rules. */
const observable = (d: Decision) => (d.ok ? { ok: true } : { ok: false, code: d.error.code, status: d.error.status, message: d.error.message, details: d.error.details });

interface Tally {
  compared: number;
  atTail: number;
  refusedAtTail: number;
}

/** Runs one random history, keeping a tail per offender as the command handler does, and compares every decision. */
function compareOn(seed: number, tally: Tally): void {
  const tails = new Map<string, StreamTail | undefined>();
  const rnd = seededRandom(seed ^ 0x5eed).next;
  randomHistory({
    seed,
    offenders: 4,
    proposals: 60,
    keep: (stream: readonly TimelineEvent[], candidate: NewOffenderEvent, today: string) => {
      // The histories draw Greater Manchester's divisions only; some become a division no area has.
      if (candidate.type === 'DivisionChanged' && rnd() < 0.3) candidate.data.division = 'no-such-division';
      const tail = tails.get(candidate.offenderId) ?? foldTail(stream);
      const full = decide(stream, candidate, today);
      const fast = decide(stream, candidate, today, tail);
      expect({ seed, revision: stream.length, candidate, decision: observable(fast) }).toEqual({ seed, revision: stream.length, candidate, decision: observable(full) });
      tally.compared++;
      if (extendsTail(tail, candidate)) {
        tally.atTail++;
        if (!full.ok) tally.refusedAtTail++;
      }
      // Now and then a refused event is kept anyway, as a stream recorded under older rules would hold it.
      const keep = full.ok || rnd() < 0.02;
      if (keep) {
        const placed = { ...candidate, revision: stream.length };
        tails.set(candidate.offenderId, full.ok ? advanceTail(tail, placed) : undefined);
      } else {
        tails.set(candidate.offenderId, tail);
      }
      return keep;
    },
  });
}

describe('deciding at the tail (issue 13, item 1)', () => {
  it('gives the full refold decision for every event of random histories, accept and refuse alike', () => {
    const tally: Tally = { compared: 0, atTail: 0, refusedAtTail: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => compareOn(seed, tally)),
      { numRuns: 60 },
    );
    // The property is only worth something if the tail path carried real weight, refusals included.
    expect(tally.atTail).toBeGreaterThan(tally.compared / 3);
    expect(tally.refusedAtTail).toBeGreaterThan(40);
  });

  it('keeps the tail equal to a fresh fold as in-order events are added', () => {
    const stream: TimelineEvent[] = [];
    let tail: StreamTail | undefined = foldTail(stream);
    let advanced = 0;
    randomHistory({
      seed: 7,
      offenders: 1,
      proposals: 200,
      keep: (s, candidate, today) => {
        if (!decide(s, candidate, today).ok) return false;
        const placed = { ...candidate, revision: s.length };
        tail = tail ? advanceTail(tail, placed) : undefined;
        stream.push(placed);
        if (tail) advanced++;
        expect(tail ?? foldTail(stream)).toEqual(foldTail(stream));
        tail ??= foldTail(stream);
        return true;
      },
    });
    expect(advanced).toBeGreaterThan(10);
  });

  it('refolds a stream that already breaks a rule: an in-order event may change how an earlier one breaks it', () => {
    // Recorded under older rules: an outcome of charge X before any charge X.
    const t2 = eventsOf('T2');
    const stream = streamOf([
      t2.event('OffenderRegistered', '2014-01-01', { area: 'lancashire', category: 2, level: 2, inCustody: false, underSupervision: true }),
      t2.sfoOutcome('2014-03-01', 'X', 'convicted'),
    ]);
    const charge = t2.event('SfoCharged', '2014-03-01', { chargeId: 'X' });
    const tail = foldTail(stream);
    expect(tail.valid).toBe(false);
    const full = decide(stream, charge, '2016-01-01');
    expect(full.ok).toBe(false); // the earlier outcome would now come before its charge
    expect(observable(decide(stream, charge, '2016-01-01', tail))).toEqual(observable(full));
  });

  it('never uses a tail folded from another length of stream', () => {
    const t1 = eventsOf('T1');
    const stale = foldTail([]);
    const stream = streamOf([t1.event('OffenderRegistered', '2014-01-01', { area: 'lancashire', category: 2, level: 2, inCustody: false, underSupervision: true })]);
    const custody = t1.custodyEntered('2014-02-01', 'sentence');
    // The stale tail says "not registered"; the decision must come from the stream itself.
    expect(decide(stream, custody, '2016-01-01', stale)).toEqual(decide(stream, custody, '2016-01-01'));
    expect(decide(stream, custody, '2016-01-01', stale).ok).toBe(true);
  });
});
