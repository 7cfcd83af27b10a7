import { InvalidInputError, InvalidTimelineError, NotFoundError, type MappaError } from '../errors';
import { checkEventFields, divisionNotInAreaProblem } from './event-fields';
import type { NewOffenderEvent } from './offender-event';
import type { RuleId } from './offender-rules';
import { retractedIds, stateAt, type TimelineEvent } from './offender-timeline';
import { isValidDivision } from './reference-areas';
import { findTimelineViolations, type TimelineViolation } from './timeline-rules';

// The offender decider: whether one posted event may be appended to an offender's stream
// (DOMAIN.md section 5). Pure: the stream and today's date come in, a decision goes out.
// Checks run cheapest first: fields (400), then the offender (404), then the timeline (422).

export { RULES, describeRule, type RuleId } from './offender-rules';
export { validateTimeline, findTimelineViolations, type TimelineViolation } from './timeline-rules';

export type Decision = { ok: true } | { ok: false; error: MappaError };

type Retraction = Extract<NewOffenderEvent, { type: 'EventRetracted' }>;

const ACCEPTED: Decision = { ok: true };
const refuse = (error: MappaError): Decision => ({ ok: false, error });

/**
 * Decides whether `candidate` may be appended to `stream`.
 * @param stream the offender's stored events with their revisions, in arrival order
 * @param candidate the posted event
 * @param today the date the service runs on, YYYY-MM-DD (nothing may be dated after it)
 */
export function decide(stream: readonly TimelineEvent[], candidate: NewOffenderEvent, today: string): Decision {
  const field = checkEventFields(candidate, today);
  if (field) return refuse(new InvalidInputError(field.message, [field]));

  if (candidate.type !== 'OffenderRegistered' && !stream.some((e) => e.type === 'OffenderRegistered')) {
    const message = `Offender ${candidate.offenderId} is not known to the service, so a ${candidate.type} cannot be recorded before an OffenderRegistered.`;
    return refuse(new NotFoundError(message, [{ field: 'offenderId', rule: 'known-offender' satisfies RuleId, message }]));
  }

  return candidate.type === 'EventRetracted' ? decideRetraction(stream, candidate) : decideFact(stream, candidate);
}

/** A dated fact: inserted into effective-date order and the timeline re-checked from its date on. */
function decideFact(stream: readonly TimelineEvent[], candidate: NewOffenderEvent): Decision {
  // Revision = stream length puts it after every event already recorded for the same date.
  const placed: TimelineEvent = { ...candidate, revision: stream.length };

  if (candidate.type === 'DivisionChanged') {
    // A division is a field of its area; the area is the one the offender is in on that date.
    const { area } = stateAt(stream, candidate.occurredOn);
    if (area !== null && !isValidDivision(area, candidate.data.division)) {
      const problem = divisionNotInAreaProblem('data.division', candidate.data.division, area);
      return refuse(new InvalidInputError(problem.message, [problem]));
    }
  }

  const violation = firstNewViolation(stream, [...stream, placed], candidate.occurredOn);
  if (!violation) return ACCEPTED;
  const self = `${candidate.type} of ${candidate.occurredOn}`;
  if (violation.revision === placed.revision) {
    return refuse(timelineError(`${self} cannot be recorded: ${violation.reason}.`, violation, violation.field));
  }
  const message = `Recording this ${self} would make the later ${describeLater(violation)} invalid: ${violation.reason}.`;
  return refuse(timelineError(message, violation));
}

/**
 * A correction of the record, not a dated fact (DOMAIN.md 3): it names an event of this offender
 * still in force, and the timeline without that event must stay valid at every date.
 */
function decideRetraction(stream: readonly TimelineEvent[], candidate: Retraction): Decision {
  const targetId = candidate.data.retractedEventId;
  const target = stream.find((e) => e.eventId === targetId);
  const refuseTarget = (rule: RuleId, message: string) =>
    refuse(new InvalidTimelineError(message, [{ field: 'data.retractedEventId', rule, message }]));

  if (!target || target.offenderId !== candidate.offenderId) {
    return refuseTarget('retraction-of-this-offender', `Event ${targetId} is not an event of offender ${candidate.offenderId}, so it cannot be retracted here.`);
  }
  if (target.type === 'EventRetracted') {
    return refuseTarget('retraction-not-of-retraction', `Event ${targetId} is itself a retraction and cannot be retracted; record the right event again instead.`);
  }
  if (retractedIds(stream).has(targetId)) {
    return refuseTarget('retraction-not-repeated', `The ${target.type} of ${target.occurredOn} (event ${targetId}) is already retracted.`);
  }

  // Nothing before the retracted event changes, so the timeline is re-checked from its date on.
  const withRetraction = [...stream, { ...candidate, revision: stream.length }];
  const violation = firstNewViolation(stream, withRetraction, target.occurredOn);
  if (!violation) return ACCEPTED;
  const message = `Retracting the ${target.type} of ${target.occurredOn} (event ${targetId}) would make the later ${describeLater(violation)} invalid: ${violation.reason}.`;
  return refuse(timelineError(message, violation));
}

/**
 * The first violation in `after` (checked from `from` on) that `before` does not already have.
 * A stream recorded under older rules may hold a violation; it must not block unrelated posts.
 */
function firstNewViolation(
  before: readonly TimelineEvent[],
  after: readonly TimelineEvent[],
  from: string,
): TimelineViolation | null {
  const found = findTimelineViolations(after, from);
  if (found.length === 0) return null;
  const key = (v: TimelineViolation) => `${v.revision}:${v.rule}`;
  const existing = new Set(findTimelineViolations(before, from).map(key));
  return found.find((v) => !existing.has(key(v))) ?? null;
}

const describeLater = (v: TimelineViolation): string => `${v.type} of ${v.occurredOn} (event ${v.eventId})`;

/** `field` only when the fault is in the posted event itself; a later event's field would mislead. */
function timelineError(message: string, violation: TimelineViolation, field?: string): InvalidTimelineError {
  const detail = field === undefined ? { rule: violation.rule, message } : { field, rule: violation.rule, message };
  return new InvalidTimelineError(message, [detail]);
}
