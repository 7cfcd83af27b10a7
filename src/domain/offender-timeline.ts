import type { NewOffenderEvent } from './offender-event';
import { evolve, initialOffenderState, type OffenderState } from './offender-state';

// Effective-date order and retraction (DOMAIN.md section 4): the fold is always in (occurredOn, revision) order, never arrival order, and a retracted event counts nowhere.

/** What the timeline needs of a stored event. */
export type TimelineEvent = NewOffenderEvent & { revision: number };

/** Orders events by (occurredOn, revision): the order every fold uses. */
export const byEffectiveOrder = (a: TimelineEvent, b: TimelineEvent): number => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : a.revision - b.revision);

/** Ids of the events retracted by the `EventRetracted` events among `events`. */
export function retractedIds(events: readonly TimelineEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) if (e.type === 'EventRetracted') ids.add(e.data.retractedEventId);
  return ids;
}

/** The events that count, in effective order: a retraction removes the retracted event from every fold at every date. */
export function effectiveTimeline(events: readonly TimelineEvent[]): TimelineEvent[] {
  const retracted = retractedIds(events);
  return events.filter((e) => e.type !== 'EventRetracted' && !retracted.has(e.eventId)).sort(byEffectiveOrder);
}

/** State at the end of `asOf` (all dates when absent), over the given events. */
export function stateAt(events: readonly TimelineEvent[], asOf?: string): OffenderState {
  let state = initialOffenderState();
  for (const e of effectiveTimeline(events)) {
    if (asOf !== undefined && e.occurredOn > asOf) break;
    state = evolve(state, e);
  }
  return state;
}
