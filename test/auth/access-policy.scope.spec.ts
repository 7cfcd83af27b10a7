import { readablePeriods, recordingRefusal, refusedWrite, unknownOffenderRefusal } from '../../src/auth/access-policy';
import { LOCAL_OPERATOR, type Principal } from '../../src/auth/principal';
import { mappaPeriods } from '../../src/domain/mappa-periods';
import { InvalidInputError, InvalidTimelineError, NotFoundError } from '../../src/errors';
import { levelChanged, managementEnded, registered, retracted, streamOf, transferred } from '../domain/offender-scenario';

// The decisions of the policy that depend on an offender's MAPPA periods (docs/security.md:
// "The read-scope rule", "Refused writes", retracting a transfer).

const KENT = 'kent';
const LONDON = 'london';
const ESSEX = 'essex';

const recorder = (areas: string[]): Principal => ({ sub: `recorder-${areas.join('-')}`, agency: 'police', roles: ['recorder'], areas });
const auditor = (areas: string[]): Principal => ({ sub: `auditor-${areas.join('-')}`, agency: 'police', roles: ['auditor'], areas });

const londonThenKent = streamOf([
  registered('2014-04-01', { area: LONDON, division: undefined }),
  levelChanged('2014-06-01', 2),
  managementEnded('2015-01-01'),
  registered('2016-01-01', { area: KENT, division: undefined }),
]);

describe('the read-scope rule: readablePeriods', () => {
  const { periods } = mappaPeriods(londonThenKent);
  it('an area reads the periods it managed; `*` reads all', () => {
    expect(readablePeriods(auditor([KENT]), periods).map((p) => p.index)).toEqual([1]);
    expect(readablePeriods(auditor([LONDON]), periods).map((p) => p.index)).toEqual([0]);
    expect(readablePeriods(auditor([ESSEX]), periods)).toEqual([]);
    expect(readablePeriods(auditor(['*']), periods).map((p) => p.index)).toEqual([0, 1]);
  });
});

describe('refused writes: refusedWrite', () => {
  const otherAreas = recordingRefusal(recorder([ESSEX]), londonThenKent, levelChanged('2014-06-02', 3))!;
  const unknownStream = streamOf([]);
  const unknown = unknownOffenderRefusal(recorder([ESSEX]), unknownStream, levelChanged('2014-06-02', 3))!;

  it("one answer for an unknown offender and another area's, and the audit goes to the other areas only", () => {
    const known = refusedWrite(recorder([ESSEX]), londonThenKent, levelChanged('2014-06-02', 3), otherAreas);
    const none = refusedWrite(recorder([ESSEX]), unknownStream, levelChanged('2014-06-02', 3), unknown);
    expect(JSON.stringify(known.shown.toBody())).toBe(JSON.stringify(none.shown.toBody()));
    expect(known.shown.status).toBe(403);
    expect(known.areaGroups).toEqual([[LONDON]]); // the area managing the offender at that date
    expect(none).toMatchObject({ rule: 'known-offender', areaGroups: [[]] });
  });

  it('a `*` caller and the local operator get the refusal as it is, 404 included', () => {
    const notFound = new NotFoundError('Offender X is not known to the service.', [{ field: 'offenderId', rule: 'known-offender', message: 'unknown' }]);
    for (const caller of [recorder(['*']), LOCAL_OPERATOR]) {
      expect(refusedWrite(caller, unknownStream, levelChanged('2014-06-02', 3), notFound).shown).toBe(notFound);
    }
  });

  it('timeline details only when the caller managed every period the date can touch', () => {
    const error = new InvalidTimelineError('names london events', [{ rule: 'already-active', message: 'names london events' }]);
    // Kent back-dating into London's period or the gap before Kent's: hidden, audited for London only.
    const hidden = refusedWrite(recorder([KENT]), londonThenKent, registered('2015-06-01', { area: KENT }), error);
    expect(hidden.shown).toBeInstanceOf(InvalidTimelineError);
    expect(hidden.shown.toBody()).toEqual({
      error: 'invalid-timeline',
      message: expect.not.stringMatching(/london/i),
      details: [expect.objectContaining({ rule: 'record-of-another-area' })],
    });
    expect(hidden).toMatchObject({ rule: 'already-active', areaGroups: [[LONDON]] });
    // Kent within its own period: shown, audited for Kent.
    const shown = refusedWrite(recorder([KENT]), londonThenKent, levelChanged('2016-02-01', 1), error);
    expect(shown).toMatchObject({ shown: error, areaGroups: [[KENT]] });
    // A field error says nothing of the record: shown as it is.
    const field = new InvalidInputError('bad level', [{ field: 'data.level', rule: 'range', message: 'bad level' }]);
    expect(refusedWrite(recorder([KENT]), londonThenKent, registered('2015-06-01', { area: KENT }), field).shown).toBe(field);
  });
});

describe('retracting a transfer', () => {
  const transfer = transferred('2014-09-01', KENT);
  const fresh = streamOf([registered('2014-04-01', { area: LONDON, division: undefined }), transfer]);
  const acted = streamOf([registered('2014-04-01', { area: LONDON, division: undefined }), transfer, levelChanged('2014-10-01', 2)]);
  const retraction = retracted('2014-11-01', transfer.eventId);
  const rule = (areas: string[], stream: typeof fresh) => recordingRefusal(recorder(areas), stream, retraction)?.details[0]?.rule ?? null;

  it('the sending area until the receiving area records after it, then the receiving area only; `*` always', () => {
    expect([rule([LONDON], fresh), rule([KENT], fresh), rule(['*'], fresh), rule([ESSEX], fresh)]).toEqual([null, 'transfer-retraction', null, 'area']);
    expect([rule([LONDON], acted), rule([KENT], acted), rule(['*'], acted), rule([ESSEX], acted)]).toEqual(['transfer-retraction', null, null, 'area']);
  });
});
