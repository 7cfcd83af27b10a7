import { stateAt } from '../../src/domain/offender-timeline';
import { OFFENDER, custodyEntered, event, given, levelChanged, managementEnded, registered, released, retracted, sfoCharged, sfoOutcome, sopoImposed } from './offender-scenario';

// DOMAIN.md sections 3 and 5: EventRetracted corrects the record. It removes the retracted event
// at every date (it is not dated itself), and the timeline without that event must stay valid.

const rso = registered('2014-04-01'); // category 1, level 1, in the community under supervision

describe('retracting an event', () => {
  it('is accepted, and the event no longer counts at any date', () => {
    const level2 = levelChanged('2014-06-01', 2);
    const stream = given(rso, level2).when(retracted('2015-01-10', level2.eventId)).thenAccepted();
    expect(stateAt(stream, '2014-07-01').level).toBe(1);
    expect(stateAt(stream).level).toBe(1);
  });

  it('lets the right event be recorded in its place, with the same order id', () => {
    const wrong = sopoImposed('2014-06-01', 'O1', '2014-07-01');
    const withRetraction = given(rso, wrong).when(retracted('2014-08-01', wrong.eventId)).thenAccepted();
    given(...withRetraction)
      .when(sopoImposed('2014-06-01', 'O1', '2019-06-01'))
      .thenAccepted();
  });

  it('is accepted after the MAPPA period has ended: a correction is not an event of the period', () => {
    const level2 = levelChanged('2014-06-01', 2);
    given(rso, level2, managementEnded('2014-12-01')).when(retracted('2015-01-10', level2.eventId)).thenAccepted();
  });

  it('is accepted for the only registration of an offender with nothing else recorded', () => {
    given(rso).when(retracted('2014-05-01', rso.eventId)).thenAccepted();
  });
});

describe('a retraction naming the wrong event', () => {
  it('is refused a second time for the same event', () => {
    const level2 = levelChanged('2014-06-01', 2);
    given(rso, level2, retracted('2014-07-01', level2.eventId)).when(retracted('2014-08-01', level2.eventId)).thenRefused(422, 'retraction-not-repeated');
  });

  it('is refused for an event of another offender', () => {
    const theirs = event('LevelChanged', '2014-06-01', { level: 2 }, { offenderId: 'GM-000999' });
    const error = given(rso).when(retracted('2014-07-01', theirs.eventId)).thenRefused(422, 'retraction-of-this-offender');
    expect(error.message).toContain(OFFENDER);
  });

  it('is refused for an id no event has', () => {
    given(rso).when(retracted('2014-07-01', '5b1e0c0e-0000-4000-8000-000000000000')).thenRefused(422, 'retraction-of-this-offender');
  });

  it('is refused for a retraction', () => {
    const level2 = levelChanged('2014-06-01', 2);
    const retraction = retracted('2014-07-01', level2.eventId);
    given(rso, level2, retraction).when(retracted('2014-08-01', retraction.eventId)).thenRefused(422, 'retraction-not-of-retraction');
  });
});

describe('a retraction that would leave a later event invalid', () => {
  it('is refused for a custody that a later release depends on, naming the release', () => {
    const custody = custodyEntered('2014-06-01');
    const release = released('2014-09-01', true);
    const error = given(rso, custody, release).when(retracted('2014-10-01', custody.eventId)).thenRefused(422, 'release-only-from-custody');
    expect(error.message).toBe(
      `Retracting the CustodyEntered of 2014-06-01 (event ${custody.eventId}) would make the later ReleasedToCommunity of 2014-09-01 (event ${release.eventId}) invalid: ` +
        'the offender is not in custody on 2014-09-01.',
    );
  });

  it('is accepted once the dependent event is retracted first', () => {
    const custody = custodyEntered('2014-06-01');
    const release = released('2014-09-01', true);
    given(rso, custody, release, retracted('2014-10-01', release.eventId)).when(retracted('2014-10-02', custody.eventId)).thenAccepted();
  });

  it('is refused for the registration of an offender with later events', () => {
    given(rso, levelChanged('2014-06-01', 2)).when(retracted('2014-07-01', rso.eventId)).thenRefused(422, 'only-registration-while-inactive');
  });

  it('is refused for the end of a period followed by a new registration', () => {
    const ended = managementEnded('2014-06-01');
    given(rso, ended, registered('2014-10-01')).when(retracted('2014-11-01', ended.eventId)).thenRefused(422, 'already-active');
  });

  it('is refused for a charge that has an outcome', () => {
    const charge = sfoCharged('2014-06-01', 'C1');
    given(rso, charge, sfoOutcome('2014-09-01', 'C1')).when(retracted('2014-10-01', charge.eventId)).thenRefused(422, 'sfo-outcome-needs-known-charge');
  });
});
