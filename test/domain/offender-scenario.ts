import type { MappaError } from '../../src/errors';
import { decide, type Decision, type RuleId } from '../../src/domain/offender-decider';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { TimelineEvent } from '../../src/domain/offender-timeline';
import { streamOf } from '../support/offender-events';

// The event builders are the tests' one vocabulary (test/support/offender-events.ts), re-exported here for the domain tests.
export * from '../support/offender-events';

// Given/when/then over events for the offender decider (the Emmett style of STYLE.md):
//   given(registered('2014-04-01')).when(levelChanged('2014-06-01', 2)).thenAccepted();

export const TODAY = '2016-01-01';

export interface Outcome {
  decision: Decision;
  /** Asserts the event is accepted; returns the stream with it appended. */
  thenAccepted(): TimelineEvent[];
  /** Asserts the event is refused with this status and rule id; returns the error for further checks. */
  thenRefused(status: 400 | 404 | 422, rule: RuleId): MappaError;
}

export function given(...history: NewOffenderEvent[]) {
  const stream = streamOf(history);
  return {
    stream,
    when(candidate: NewOffenderEvent, today: string = TODAY): Outcome {
      const decision = decide(stream, candidate, today);
      return {
        decision,
        thenAccepted() {
          if (!decision.ok) throw new Error(`expected ${candidate.type} to be accepted, but: ${decision.error.message}`);
          return [...stream, { ...candidate, revision: stream.length }];
        },
        thenRefused(status, rule) {
          if (decision.ok) throw new Error(`expected ${candidate.type} to be refused with ${rule}, but it was accepted`);
          const { error } = decision;
          expect({ status: error.status, rules: error.details.map((d) => d.rule) }).toEqual({ status, rules: [rule] });
          return error;
        },
      };
    },
  };
}
