import { areaGroups, mappaPeriods, periodAt, periodsFrom, transferFollowedByEvents } from '../../src/domain/mappa-periods';
import { areasOfOffender } from '../../src/domain/responsible-area';
import { levelChanged, managementEnded, registered, retracted, sopoImposed, streamOf, transferred } from './offender-scenario';

// The read-scope rule of docs/security.md: MAPPA periods, the areas that managed each, and the
// period each event belongs to. Kent and London stand for any two areas.

const KENT = 'kent';
const LONDON = 'london';
const ESSEX = 'essex';

/** Which period (index) each event of the stream belongs to, in stream order. */
const periodsOfEvents = (stream: ReturnType<typeof streamOf>) => {
  const { periodOf } = mappaPeriods(stream);
  return stream.map((e) => periodOf.get(e.revision));
};

describe('MAPPA periods (docs/security.md, "The read-scope rule")', () => {
  it('a period runs from a registration to the end that closes it; the last may be open', () => {
    const stream = streamOf([registered('2014-04-01', { area: LONDON }), levelChanged('2014-06-01', 2), managementEnded('2015-01-01'), registered('2016-01-01', { area: KENT })]);
    const { periods } = mappaPeriods(stream);
    expect(periods).toEqual([
      { index: 0, startsOn: '2014-04-01', endsOn: '2015-01-01', areas: [LONDON] },
      { index: 1, startsOn: '2016-01-01', endsOn: null, areas: [KENT] },
    ]);
    expect(periodsOfEvents(stream)).toEqual([0, 0, 0, 1]);
  });

  it('periods follow effective dates, not arrival: a back-dated earlier period comes first', () => {
    const stream = streamOf([registered('2016-01-01', { area: KENT }), registered('2013-01-01', { area: LONDON }), managementEnded('2014-01-01')]);
    const { periods } = mappaPeriods(stream);
    expect(periods.map((p) => [p.startsOn, p.endsOn, p.areas])).toEqual([
      ['2013-01-01', '2014-01-01', [LONDON]],
      ['2016-01-01', null, [KENT]],
    ]);
    expect(periodsOfEvents(stream)).toEqual([1, 0, 0]);
  });

  it('a transfer mid-period makes the receiving area a manager of the whole period, events before it included', () => {
    const stream = streamOf([
      registered('2014-04-01', { area: LONDON }),
      levelChanged('2014-05-01', 2),
      transferred('2014-09-01', KENT),
      levelChanged('2014-10-01', 3),
      managementEnded('2015-01-01'),
      registered('2016-01-01', { area: ESSEX }),
    ]);
    const { periods } = mappaPeriods(stream);
    expect(periods.map((p) => p.areas)).toEqual([[LONDON, KENT], [ESSEX]]);
    expect(periodsOfEvents(stream)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(areasOfOffender(stream)).toEqual([LONDON, KENT, ESSEX]);
  });

  it('a retracted transfer grants nothing', () => {
    const transfer = transferred('2014-09-01', KENT);
    const stream = streamOf([registered('2014-04-01', { area: LONDON }), transfer, retracted('2014-09-02', transfer.eventId)]);
    const { periods } = mappaPeriods(stream);
    expect(periods.map((p) => p.areas)).toEqual([[LONDON]]);
    // The transfer and its retraction stay part of London's period (its auditors see them, marked).
    expect(periodsOfEvents(stream)).toEqual([0, 0, 0]);
  });

  it('a retracted registration grants nothing: no period, and its events fall to the period before it', () => {
    const kentRegistration = registered('2016-01-01', { area: KENT });
    const stream = streamOf([registered('2014-04-01', { area: LONDON }), managementEnded('2015-01-01'), kentRegistration, retracted('2016-02-01', kentRegistration.eventId)]);
    const { periods } = mappaPeriods(stream);
    expect(periods.map((p) => p.areas)).toEqual([[LONDON]]);
    expect(periodsOfEvents(stream)).toEqual([0, 0, 0, 0]);
    expect(areasOfOffender(stream)).toEqual([LONDON]);
  });

  it('an offender whose only registration is retracted has no period; its events belong to none', () => {
    const only = registered('2014-04-01', { area: KENT });
    const stream = streamOf([only, retracted('2014-04-02', only.eventId)]);
    expect(mappaPeriods(stream).periods).toEqual([]);
    expect(periodsOfEvents(stream)).toEqual([null, null]);
  });

  it('a retraction belongs to the period of the event it retracts, whatever its own date', () => {
    const mistaken = levelChanged('2014-06-01', 2);
    const stream = streamOf([
      registered('2014-04-01', { area: LONDON }),
      mistaken,
      managementEnded('2015-01-01'),
      registered('2016-01-01', { area: KENT }),
      retracted('2016-03-01', mistaken.eventId),
    ]);
    expect(periodsOfEvents(stream)).toEqual([0, 0, 0, 1, 0]);
  });

  it('an event dated before the first registration belongs to the first period', () => {
    const stream = streamOf([registered('2014-04-01', { area: LONDON }), levelChanged('2013-01-01', 2)]);
    expect(periodsOfEvents(stream)).toEqual([0, 0]);
  });

  it('a transfer or any event in the gap after an end belongs to the period that ended and grants nothing', () => {
    const stream = streamOf([
      registered('2014-04-01', { area: LONDON }),
      managementEnded('2015-01-01'),
      transferred('2015-03-01', KENT), // the rules refuse it; an old stream may hold it
      sopoImposed('2015-04-01', 'SOPO-1'),
    ]);
    expect(mappaPeriods(stream).periods.map((p) => p.areas)).toEqual([[LONDON]]);
    expect(periodsOfEvents(stream)).toEqual([0, 0, 0, 0]);
  });

  it('a registration while a period is open starts a new period rather than widening the open one', () => {
    const stream = streamOf([registered('2014-04-01', { area: LONDON }), levelChanged('2014-05-01', 2), registered('2014-06-01', { area: KENT })]);
    expect(mappaPeriods(stream).periods.map((p) => p.areas)).toEqual([[LONDON], [KENT]]);
    expect(periodsOfEvents(stream)).toEqual([0, 0, 1]);
  });

  it('periodAt: the period holding a date, or the last before it; periodsFrom: those a date can touch', () => {
    const { periods } = mappaPeriods(streamOf([registered('2014-04-01', { area: LONDON }), managementEnded('2015-01-01'), registered('2016-01-01', { area: KENT })]));
    expect(periodAt(periods, '2013-12-31')).toBeNull();
    expect(periodAt(periods, '2014-04-01')?.index).toBe(0);
    expect(periodAt(periods, '2015-06-01')?.index).toBe(0); // the gap: the last period before it
    expect(periodAt(periods, '2017-01-01')?.index).toBe(1);
    expect(periodsFrom(periods, '2014-12-31').map((p) => p.index)).toEqual([0, 1]);
    expect(periodsFrom(periods, '2015-01-01').map((p) => p.index)).toEqual([0, 1]);
    expect(periodsFrom(periods, '2015-01-02').map((p) => p.index)).toEqual([1]);
  });

  it('areaGroups: each distinct set of areas once, less the areas left out, never an empty one', () => {
    const groups = areaGroups([{ areas: [LONDON, KENT] }, { areas: [KENT, LONDON] }, { areas: [ESSEX] }, { areas: [KENT] }], (a) => a === KENT);
    expect(groups).toEqual([[LONDON], [ESSEX]]);
  });

  it('a transfer is followed by events once anything is recorded after it in effective order', () => {
    const transfer = transferred('2014-09-01', KENT);
    const before = streamOf([registered('2014-04-01', { area: LONDON }), transfer, levelChanged('2014-08-01', 2)]);
    expect(transferFollowedByEvents(before, before[1])).toBe(false);
    const after = streamOf([registered('2014-04-01', { area: LONDON }), transfer, levelChanged('2014-09-01', 2)]);
    expect(transferFollowedByEvents(after, after[1])).toBe(true);
  });
});
