import { InvalidInputError, InvalidTimelineError, NotFoundError, type MappaError } from '../errors';
import { checkEventFields, divisionNotInAreaProblem } from './event-fields';
import type { NewOffenderEvent } from './offender-event';
import type { RuleId } from './offender-rules';
import { retractedIds, stateAt, type TimelineEvent } from './offender-timeline';
import { isValidDivision } from './reference-areas';
import { extendsTail, type StreamTail } from './stream-tail';
import { findTimelineViolations, violationAfter, type TimelineViolation } from './timeline-rules';

// The offender decider (DOMAIN.md section 5), pure; checks run cheapest first: fields (400), offender (404), timeline (422).

export { RULES, describeRule, type RuleId } from './offender-rules';
export { validateTimeline, findTimelineViolations, type TimelineViolation } from './timeline-rules';

export type Decision = { ok: true } | { ok: false; error: MappaError };

type Retraction = Extract<NewOffenderEvent, { type: 'EventRetracted' }>;

const ACCEPTED: Decision = { ok: true };
const refuse = (error: MappaError): Decision => ({ ok: false, error });

/** Decides whether `candidate` may follow `stream` on `today`; `tail` (stream-tail.ts), if kept, only makes the same decision cheaper. */
export function decide(stream: readonly TimelineEvent[], candidate: NewOffenderEvent, today: string, tail?: StreamTail): Decision {
  const field = checkEventFields(candidate, today);
  if (field) return refuse(new InvalidInputError(field.message, [field]));

  const registered = tail?.length === stream.length ? tail.registered : stream.some((e) => e.type === 'OffenderRegistered');
  if (candidate.type !== 'OffenderRegistered' && !registered) {
    const message = `Offender ${candidate.offenderId} is not known to the service, so a ${candidate.type} cannot be recorded before an OffenderRegistered.`;
    return refuse(new NotFoundError(message, [{ field: 'offenderId', rule: 'known-offender' satisfies RuleId, message }]));
  }

  if (candidate.type === 'EventRetracted') return decideRetraction(stream, candidate);
  if (tail?.length === stream.length && extendsTail(tail, candidate)) return decideAtTail(tail, candidate);
  return decideFact(stream, candidate);
}

/** A dated fact on or after every event in force, in a valid stream: only its own check can fail. */
function decideAtTail(tail: StreamTail, candidate: NewOffenderEvent): Decision {
  const placed: TimelineEvent = { ...candidate, revision: tail.length };
  const division = divisionRefusal(() => tail.state.area, candidate);
  if (division) return division;
  // Every charge of the timeline is in the state at its tail, so no charge dates are needed.
  const violation = violationAfter(tail.state, placed, NO_CHARGE_DATES);
  return violation ? refuse(ownViolation(candidate, violation)) : ACCEPTED;
}

const NO_CHARGE_DATES: ReadonlyMap<string, string> = new Map();

/** A dated fact: inserted into effective-date order and the timeline re-checked from its date on. */
function decideFact(stream: readonly TimelineEvent[], candidate: NewOffenderEvent): Decision {
  // Revision = stream length puts it after every event already recorded for the same date.
  const placed: TimelineEvent = { ...candidate, revision: stream.length };

  const division = divisionRefusal(() => stateAt(stream, candidate.occurredOn).area, candidate);
  if (division) return division;

  const violation = firstNewViolation(stream, [...stream, placed], candidate.occurredOn);
  if (!violation) return ACCEPTED;
  if (violation.revision === placed.revision) return refuse(ownViolation(candidate, violation));
  const message = `Recording this ${candidate.type} of ${candidate.occurredOn} would make the later ${describeLater(violation)} invalid: ${violation.reason}.`;
  return refuse(timelineError(message, violation));
}

/** A division is a field of its area: the area the offender is in on the event's date. */
function divisionRefusal(areaOnDate: () => string | null, candidate: NewOffenderEvent): Decision | null {
  if (candidate.type !== 'DivisionChanged') return null;
  const area = areaOnDate();
  if (area === null || isValidDivision(area, candidate.data.division)) return null;
  const problem = divisionNotInAreaProblem('data.division', candidate.data.division, area);
  return refuse(new InvalidInputError(problem.message, [problem]));
}

const ownViolation = (candidate: NewOffenderEvent, violation: TimelineViolation): InvalidTimelineError =>
  timelineError(`${candidate.type} of ${candidate.occurredOn} cannot be recorded: ${violation.reason}.`, violation, violation.field);

/** A correction of the record (DOMAIN.md 3): it names an event still in force, and the timeline without it must stay valid. */
function decideRetraction(stream: readonly TimelineEvent[], candidate: Retraction): Decision {
  const targetId = candidate.data.retractedEventId;
  const target = stream.find((e) => e.eventId === targetId);
  const refuseTarget = (rule: RuleId, message: string) => refuse(new InvalidTimelineError(message, [{ field: 'data.retractedEventId', rule, message }]));

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

/** The first violation in `after` that `before` does not already have: an old stream's violation must not block unrelated posts. */
function firstNewViolation(before: readonly TimelineEvent[], after: readonly TimelineEvent[], from: string): TimelineViolation | null {
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
