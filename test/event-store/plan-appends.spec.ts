import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { StreamAppend } from '../../src/event-store/event-store';
import { planAppends } from '../../src/event-store/postgres/plan-appends';
import { eventsOf } from '../support/offender-events';

// planAppends writes each item's recordedAt text once for all its events; it must still be the
// item's own time, moved forward only so that recordedAt never decreases along positions.

const metadata = { actor: 'test', agency: 'moj', correlationId: 'c', causationId: null, source: 'import' } as const;
const event = (offenderId: string, n: number): NewOffenderEvent =>
  eventsOf(offenderId, () => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`).supervisionEnded('2014-05-01');
const item = (offenderId: string, recordedAt: string, ...ids: number[]): StreamAppend => ({
  offenderId,
  expectedRevision: 'any',
  events: ids.map((n) => event(offenderId, n)),
  metadata,
  recordedAt,
});

describe('planAppends recordedAt', () => {
  it('gives every event of an item its own recordedAt, never earlier than the one before', () => {
    const plan = planAppends(
      [
        item('A', '2015-01-01T10:00:00.000Z', 1, 2),
        item('B', '2015-01-01T10:00:00.000Z', 3),
        item('C', '2015-01-02T09:00:00.000Z', 4, 5),
        item('D', '2014-12-31T00:00:00.000Z', 6),
      ],
      { lastPosition: 0n, lastRecordedAt: new Date('2015-01-01T09:00:00.000Z'), lastRevisions: new Map(), existingEventIds: new Set() },
    );
    expect(plan.accepted.map((e) => [e.offenderId, e.position, e.recordedAt])).toEqual([
      ['A', 1n, '2015-01-01T10:00:00.000Z'],
      ['A', 2n, '2015-01-01T10:00:00.000Z'],
      ['B', 3n, '2015-01-01T10:00:00.000Z'],
      ['C', 4n, '2015-01-02T09:00:00.000Z'],
      ['C', 5n, '2015-01-02T09:00:00.000Z'],
      ['D', 6n, '2015-01-02T09:00:00.000Z'],
    ]);
    expect(plan.lastRecordedAt?.toISOString()).toBe('2015-01-02T09:00:00.000Z');
  });

  it('moves an item forward to a later store head', () => {
    const plan = planAppends([item('A', '2015-01-01T10:00:00.000Z', 1)], {
      lastPosition: 7n,
      lastRecordedAt: new Date('2015-03-01T00:00:00.000Z'),
      lastRevisions: new Map(),
      existingEventIds: new Set(),
    });
    expect(plan.accepted.map((e) => [e.position, e.recordedAt])).toEqual([[8n, '2015-03-01T00:00:00.000Z']]);
  });
});
