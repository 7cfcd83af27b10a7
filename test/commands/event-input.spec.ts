import fc from 'fast-check';
import { parseEventInput } from '../../src/commands/record-events/event-input';
import { MAX_EVENT_DEPTH } from '../../src/commands/record-events/event-limits';
import { parseUntrustedJson } from '../../src/commands/record-events/untrusted-json';
import { OFFENDER_EVENT_TYPES } from '../../src/domain/offender-event';
import { InvalidInputError, type MappaError } from '../../src/errors';
import { hostileEvent, VALID_PAYLOAD } from '../support/event-payload-arbitraries';

// Strict payloads (issue 10, item 5; docs/security.md 4): posted text goes through the same two
// steps as on HTTP and import (secure-json-parse, then the DTOs), and no key outside the event
// catalogue gets through, at any depth, for any event type; nor control characters or deep nesting.

/** The event, or the error, that posted JSON text becomes. */
function posted(text: string): { event?: ReturnType<typeof parseEventInput>; error?: MappaError } {
  try {
    return { event: parseEventInput(parseUntrustedJson(text, 'line'), { missingEventId: 'content' }) };
  } catch (error) {
    return { error: error as MappaError };
  }
}

describe('strict payloads', () => {
  it('covers every event type of the catalogue', () => {
    expect(Object.keys(VALID_PAYLOAD).sort()).toEqual([...OFFENDER_EVENT_TYPES].sort());
  });

  it('every type: the valid payload is accepted as posted; with __proto__, constructor, prototype or any extra key at any depth it is a 400', () => {
    fc.assert(
      fc.property(hostileEvent('GM-000001'), (e) => {
        const valid = posted(e.validText);
        expect(valid.error).toBeUndefined();
        expect(valid.event!.data).toEqual(e.valid.data);

        const hostile = posted(e.hostileText);
        expect({ key: e.key, depth: e.depth, error: hostile.error?.constructor.name, status: hostile.error?.status }).toEqual({
          key: e.key,
          depth: e.depth,
          error: 'InvalidInputError',
          status: 400,
        });
        expect(hostile.error!.details.length).toBeGreaterThan(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('names the field of a prototype key, in data or deeper', () => {
    const cases: Array<[string, string]> = [
      ['{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"__proto__":{"name":"John Smith","address":"1 High St"}}}', 'data.__proto__'],
      ['{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"constructor":{"name":"John Smith","address":"1 High St"}}}', 'data.constructor'],
      ['{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"constructor":{"prototype":{"isAdmin":true}}}}', 'data.constructor'],
      ['{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"prototype":"x"}}', 'data.prototype'],
      ['{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2},"__proto__":{"x":1}}', '__proto__'],
      // The same key written with a JSON escape is still the key.
      ['{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"\\u005f_proto__":{"x":1}}}', 'data.__proto__'],
    ];
    for (const [text, field] of cases) {
      const { error } = posted(text);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect({ text, field: error!.details[0].field, rule: error!.details[0].rule }).toEqual({ text, field, rule: 'forbidden-key' });
      expect(error!.message).toContain(field);
    }
  });

  it('refuses control characters, direction overrides and broken Unicode in any text, and keeps ordinary text', () => {
    const levelChanged = (reason: string) => JSON.stringify({ type: 'LevelChanged', offenderId: 'GM-1', occurredOn: '2014-06-01', data: { level: 2, reason } });
    const unsafe = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.constant(0x7f),
      fc.integer({ min: 0x80, max: 0x9f }),
      fc.constantFrom(0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029, 0xd800, 0xdfff),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), unsafe, fc.string({ maxLength: 20 }), (before, code, after) => {
        const reason = `${before.replace(/[^ -~]/g, '')}${String.fromCharCode(code)}${after.replace(/[^ -~]/g, '')}`;
        const { error } = posted(levelChanged(reason));
        expect({ code, rule: error?.details[0].rule, field: error?.details[0].field }).toEqual({ code, rule: 'control-character', field: 'data.reason' });
      }),
      { numRuns: 500 },
    );
    for (const reason of ['MAPPA meeting', 'réunion à 9h', '会议', 'مراجعة', '😀 review', "O'Brien & co"]) expect(posted(levelChanged(reason)).error).toBeUndefined();
  });

  it(`refuses nesting deeper than ${MAX_EVENT_DEPTH} levels, however deep, without running out of stack`, () => {
    for (const depth of [MAX_EVENT_DEPTH, 50, 5_000, 100_000]) {
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const { error } = posted(`{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"reason":${nested}}}`);
      expect({ depth, error: error?.constructor.name, rule: error?.details[0].rule }).toEqual({ depth, error: 'InvalidInputError', rule: 'depth' });
    }
    // Just within the limit (the event, data, then six lists) the shape is judged as usual: a list is not a reason.
    const { error } = posted(
      `{"type":"LevelChanged","offenderId":"GM-1","occurredOn":"2014-06-01","data":{"level":2,"reason":${'['.repeat(MAX_EVENT_DEPTH - 2)}${']'.repeat(MAX_EVENT_DEPTH - 2)}}}`,
    );
    expect(error?.details.map((d) => [d.field, d.rule])).toContainEqual(['data.reason', 'isString']);
  });

  it('quotes at most 64 characters of a field name, and names at most ten problems', () => {
    const data: Record<string, number> = { level: 2 };
    for (let k = 0; k < 100; k++) data[`${'z'.repeat(500)}${k}`] = k;
    const { error } = posted(JSON.stringify({ type: 'LevelChanged', offenderId: 'GM-1', occurredOn: '2014-06-01', data }));
    expect(error!.details).toHaveLength(10);
    expect(error!.message).toMatch(/^The event has 100 invalid fields/);
    for (const d of error!.details) expect(d.field!.replace(/…$/, '').length).toBeLessThanOrEqual('data.'.length + 64);
    expect(error!.message.length).toBeLessThan(200);
  });
});
