import { InvalidInputError } from '../../src/errors';
import { optionalDate, optionalInstant, optionalReason, optionalTimeBound } from '../../src/http/params';

// Query parameters (issue 10, item 10): real dates and times in 1900-9999, and reasons that show
// what they say (no blank, control or bidi/format characters).

describe('optionalInstant', () => {
  it.each([
    ['year 0 (was a 500 later on)', '0000-01-01T00:00:00Z'],
    ['30 February (was read as 2 March)', '2015-02-30T00:00:00Z'],
    ['a year before 1900', '1899-12-31T23:59:59Z'],
    ['hour 24', '2015-02-28T24:00:00Z'],
    ['minute 60', '2015-02-28T12:60:00Z'],
    ['second 60', '2015-02-28T12:00:60Z'],
    ['an offset of 24 hours', '2015-02-28T12:00:00+24:00'],
    ['no time zone', '2015-02-28T12:00:00'],
  ])('refuses %s with a 400', (_, value) => {
    expect(() => optionalInstant('asKnownAt', value)).toThrow(InvalidInputError);
  });

  it.each(['2015-02-28T23:59:59Z', '2016-02-29T00:00:00.123Z', '1900-01-01T00:00+01:00', '9999-12-31T23:59:59Z'])('accepts %s', (value) => {
    expect(optionalInstant('asKnownAt', value)?.toISOString()).toBe(new Date(value).toISOString());
  });
});

describe('dates', () => {
  it.each(['2015-02-30', '0000-01-01', '1899-12-31', '2015-13-01'])('refuses %s', (value) => {
    expect(() => optionalDate('asOf', value)).toThrow(InvalidInputError);
    expect(() => optionalTimeBound('from', value)).toThrow(InvalidInputError);
  });

  it('accepts real dates from 1900 to 9999', () => {
    expect(optionalDate('asOf', '1900-01-01')).toBe('1900-01-01');
    expect(optionalDate('asOf', '2016-02-29')).toBe('2016-02-29');
    expect(optionalTimeBound('to', '9999-12-30', true)?.toISOString()).toBe('9999-12-31T00:00:00.000Z');
  });
});

describe('optionalReason', () => {
  it.each([
    ['blank', '   '],
    ['a no-break space only', '\u00a0'],
    ['a right-to-left override', 'SCR 2015\u202e7102'],
    ['a left-to-right embedding', '\u202areview'],
    ['an isolate', 'review \u2066x\u2069'],
    ['a left-to-right mark', 'review\u200e'],
    ['a right-to-left mark', 'review\u200f'],
    ['a zero-width space', 'rev\u200biew'],
    ['a byte-order mark', '\ufeffreview'],
    ['a line separator', 'review\u2028'],
    ['a control character', 'review\u0007'],
    ['201 characters', 'x'.repeat(201)],
  ])('refuses %s', (_, value) => {
    expect(() => optionalReason(value)).toThrow(InvalidInputError);
  });

  it('accepts printable text in any script, trimmed, and no reason at all', () => {
    expect(optionalReason(' SCR 2015-07 ')).toBe('SCR 2015-07');
    expect(optionalReason('مراجعة الحالة')).toBe('مراجعة الحالة');
    expect(optionalReason('x'.repeat(200))).toHaveLength(200);
    expect(optionalReason(undefined)).toBeUndefined();
    expect(optionalReason('')).toBeUndefined();
  });
});
