import { evolve, initialOffenderState, type OffenderState } from './offender-state';
import { effectiveTimeline, type TimelineEvent } from './offender-timeline';
import { findTimelineViolations } from './timeline-rules';

// An offender's stream folded to its end, so an event dated after everything in force is decided without refolding (issue 13, item 1).

export interface StreamTail {
  /** Events of the stream this tail was folded from; a tail of another length is never used. */
  readonly length: number;
  /** State after every event in force, in effective order. */
  readonly state: OffenderState;
  /** Latest date of the events in force (null before any). */
  readonly lastDate: string | null;
  /** Whether the stream holds an OffenderRegistered, retracted or not (the known-offender rule). */
  readonly registered: boolean;
  /** Whether the stream breaks no rule: one recorded under older rules is decided by a full refold. */
  readonly valid: boolean;
}

/** The tail of `stream`, by one full fold. */
export function foldTail(stream: readonly TimelineEvent[]): StreamTail {
  const inForce = effectiveTimeline(stream);
  let state = initialOffenderState();
  for (const event of inForce) state = evolve(state, event);
  return {
    length: stream.length,
    state,
    lastDate: inForce.length > 0 ? inForce[inForce.length - 1].occurredOn : null,
    registered: stream.some((e) => e.type === 'OffenderRegistered'),
    valid: findTimelineViolations(stream).length === 0,
  };
}

/** Whether `candidate` comes after every event in force, so that the tail decides it. */
export function extendsTail(tail: StreamTail, candidate: TimelineEvent | Omit<TimelineEvent, 'revision'>): boolean {
  return tail.valid && candidate.type !== 'EventRetracted' && (tail.lastDate === null || candidate.occurredOn >= tail.lastDate);
}

/** The tail with `accepted` added: one fold step when it extends the tail, else undefined (fold again when needed). */
export function advanceTail(tail: StreamTail, accepted: TimelineEvent): StreamTail | undefined {
  if (!extendsTail(tail, accepted) || accepted.revision !== tail.length) return undefined;
  return {
    length: tail.length + 1,
    state: evolve(tail.state, accepted),
    lastDate: accepted.occurredOn,
    registered: tail.registered || accepted.type === 'OffenderRegistered',
    valid: true,
  };
}
