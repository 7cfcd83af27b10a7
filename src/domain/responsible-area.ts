import type { NewOffenderEvent } from './offender-event';
import { managingAreas, mappaPeriods } from './mappa-periods';
import { evolve, initialOffenderState } from './offender-state';
import { byEffectiveOrder, effectiveTimeline, stateAt, type TimelineEvent } from './offender-timeline';

// Which MAPPA area answers for an event: the one that would post it. The access policy (src/auth/access-policy.ts) lets a recorder post only for the areas of its token.

/** The event whose area and agency rules apply: a retraction is judged as the event it retracts. */
export function subjectOf(stream: readonly TimelineEvent[], event: NewOffenderEvent): NewOffenderEvent {
  if (event.type !== 'EventRetracted') return event;
  const target = stream.find((e) => e.eventId === event.data.retractedEventId && e.offenderId === event.offenderId);
  return target && target.type !== 'EventRetracted' ? target : event;
}

/** The area that answers for `event` on `stream`: a registration's own, a retraction's target's, else where the offender was managed when it took effect; null if never registered. */
export function responsibleArea(stream: readonly TimelineEvent[], event: NewOffenderEvent): string | null {
  const subject = subjectOf(stream, event);
  if (subject.type === 'OffenderRegistered') return subject.data.area;
  const stored = stream.find((e) => e.eventId === subject.eventId);
  // A posted event goes after every stored event of its date (revision = stream length).
  const placed: TimelineEvent = stored ?? { ...subject, revision: stream.length };
  let state = initialOffenderState();
  for (const e of effectiveTimeline(stream)) {
    if (byEffectiveOrder(e, placed) >= 0) break;
    state = evolve(state, e);
  }
  return state.area ?? stateAt(stream).area;
}

/** Every area that managed a MAPPA period of the offender; retracted registrations and transfers grant nothing. */
export function areasOfOffender(stream: readonly TimelineEvent[]): string[] {
  return managingAreas(mappaPeriods(stream).periods);
}
