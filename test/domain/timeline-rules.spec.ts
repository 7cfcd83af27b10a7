import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, describeRule, validateTimeline, type RuleId } from '../../src/domain/offender-decider';
import { custodyEntered, given, levelChanged, registered, released, retracted, streamOf } from './offender-scenario';

// validateTimeline (DOMAIN.md section 5) on a whole stream, and the catalogue of rule ids.

const rso = registered('2014-04-01');

describe('validateTimeline', () => {
  it('answers null for a valid timeline', () => {
    expect(validateTimeline(streamOf([rso, custodyEntered('2014-06-01'), released('2014-09-01', true)]))).toBeNull();
  });

  it('names the first invalid event in effective order, its field and rule, in one sentence', () => {
    const second = custodyEntered('2014-08-01');
    const violation = validateTimeline(streamOf([rso, second, custodyEntered('2014-06-01'), levelChanged('2014-10-01', 1)]));
    expect(violation).toEqual({
      eventId: second.eventId,
      type: 'CustodyEntered',
      occurredOn: '2014-08-01',
      revision: 1,
      field: 'type',
      rule: 'custody-only-from-community',
      reason: 'the offender is already in custody on 2014-08-01',
      message: `CustodyEntered of 2014-08-01 (event ${second.eventId}) is invalid: the offender is already in custody on 2014-08-01.`,
    });
  });

  it('checks only events dated on or after `from`, folding the earlier ones', () => {
    const events = streamOf([rso, levelChanged('2014-05-01', 1), custodyEntered('2014-06-01'), custodyEntered('2014-07-01')]);
    expect(validateTimeline(events)?.rule).toBe('must-change-something');
    expect(validateTimeline(events, '2014-06-01')?.occurredOn).toBe('2014-07-01');
    expect(validateTimeline(events, '2014-07-02')).toBeNull();
  });

  it('leaves out retracted events and the retractions themselves', () => {
    const duplicate = custodyEntered('2014-07-01');
    const events = streamOf([rso, custodyEntered('2014-06-01'), duplicate, retracted('2014-08-01', duplicate.eventId)]);
    expect(validateTimeline(events)).toBeNull();
  });
});

describe('a stream that already holds a violation (recorded under older rules)', () => {
  it('does not block an unrelated event', () => {
    given(rso, levelChanged('2014-05-01', 1)).when(levelChanged('2014-06-01', 2)).thenAccepted();
  });

  it('still refuses an event that breaks a rule itself', () => {
    given(rso, levelChanged('2014-05-01', 1)).when(levelChanged('2014-06-01', 1)).thenRefused(422, 'must-change-something');
  });
});

describe('the rule catalogue', () => {
  const ids = Object.keys(RULES) as RuleId[];

  it('describes every rule in one sentence', () => {
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(describeRule(id)).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('has a spec in test/domain that shows every rule refusing', () => {
    const specs = readdirSync(__dirname)
      .filter((f) => f.startsWith('offender-decider') && f.endsWith('.spec.ts'))
      .map((f) => readFileSync(join(__dirname, f), 'utf8'))
      .join('\n');
    const untested = ids.filter((id) => !new RegExp(`thenRefused\\(\\s*\\d{3},\\s*'${id}'`).test(specs));
    expect(untested).toEqual([]);
  });
});
