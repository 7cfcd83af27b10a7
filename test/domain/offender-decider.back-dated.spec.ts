import { stateAt } from '../../src/domain/offender-timeline';
import {
  categoryChanged,
  custodyEntered,
  divisionChanged,
  given,
  levelChanged,
  managementEnded,
  registered,
  released,
  sfoCharged,
  sopoImposed,
  supervisionEnded,
  transferred,
} from './offender-scenario';

// DOMAIN.md sections 4-5: a back-dated event is inserted into effective-date order (after the
// events already recorded for its date) and the timeline is re-checked from its date on.

const rso = registered('2014-04-01'); // category 1, level 1, in the community under supervision

describe('a back-dated event that fits its date and what follows', () => {
  it('is accepted, and the state follows effective dates rather than arrival', () => {
    const level2 = levelChanged('2014-10-01', 2);
    const stream = given(rso, level2).when(custodyEntered('2014-06-01')).thenAccepted();
    expect(stateAt(stream, '2014-05-31').inCustody).toBe(false);
    expect(stateAt(stream, '2014-06-01').inCustody).toBe(true);
    // The release that follows can be back-dated in turn, still before the level change.
    given(rso, level2, custodyEntered('2014-06-01')).when(released('2014-08-01', true)).thenAccepted();
  });

  it('goes after the events already recorded for its date', () => {
    given(rso, custodyEntered('2014-06-01')).when(released('2014-06-01', false)).thenAccepted();
    given(rso, custodyEntered('2014-05-01'), released('2014-06-01', false)).when(custodyEntered('2014-06-01')).thenAccepted();
  });

  it('before an existing release it may repair a history recorded before these rules held', () => {
    // A legacy import recorded a release with no custody before it; the missing custody can be back-dated.
    given(rso, released('2014-09-01', true)).when(custodyEntered('2014-06-01')).thenAccepted();
  });
});

describe('a back-dated event that is itself invalid at its date', () => {
  it('is refused with its own rule', () => {
    given(rso, custodyEntered('2014-06-01'), released('2014-09-01', true)).when(custodyEntered('2014-07-01')).thenRefused(422, 'custody-only-from-community');
  });

  it('is refused before the first registration, as no period is open (not as unknown)', () => {
    given(rso).when(levelChanged('2014-03-01', 2)).thenRefused(422, 'only-registration-while-inactive');
  });
});

describe('a back-dated event that makes a later event invalid', () => {
  it('is refused, and the message names the later event', () => {
    const laterCustody = custodyEntered('2014-10-01', 'recall');
    const error = given(rso, custodyEntered('2014-05-01'), released('2014-07-01', true), laterCustody, released('2015-01-01', true))
      .when(custodyEntered('2014-08-01', 'remand'))
      .thenRefused(422, 'custody-only-from-community');
    expect(error.message).toBe(
      `Recording this CustodyEntered of 2014-08-01 would make the later CustodyEntered of 2014-10-01 (event ${laterCustody.eventId}) invalid: ` +
        'the offender is already in custody on 2014-10-01.',
    );
    expect(error.details[0].field).toBeUndefined(); // the fault is not in a field of the posted event
  });

  it('is refused when a lower level makes a later move to category 3 invalid', () => {
    const toCategory3 = categoryChanged('2014-09-01', 3);
    const error = given(registered('2014-04-01', { category: 2, level: 2 }), toCategory3)
      .when(levelChanged('2014-06-01', 1))
      .thenRefused(422, 'category-3-needs-level-2-or-3');
    expect(error.message).toContain(`the later CategoryChanged of 2014-09-01 (event ${toCategory3.eventId})`);
  });

  it('is refused when an earlier end of supervision leaves a later SFO charge unsupervised', () => {
    given(rso, sfoCharged('2014-09-01', 'C1')).when(supervisionEnded('2014-06-01')).thenRefused(422, 'sfo-charge-needs-supervision');
    given(rso, sfoCharged('2014-09-01', 'C1')).when(supervisionEnded('2014-09-01')).thenAccepted(); // the same day, after the charge
  });

  it('is refused when an earlier transfer leaves a later division outside the new area', () => {
    const inKent = registered('2014-04-01', { area: 'kent', division: 'north-kent' });
    given(inKent, divisionChanged('2014-09-01', 'medway'))
      .when(transferred('2014-06-01', 'greater-manchester', 'salford'))
      .thenRefused(422, 'division-configured-for-area');
    // Kent has no divisions configured, so a transfer there leaves a later Greater Manchester division well-formed.
    given(rso, divisionChanged('2014-09-01', 'bolton')).when(transferred('2014-06-01', 'kent')).thenAccepted();
  });

  it('is refused when an earlier end of the MAPPA period leaves later events outside any period', () => {
    given(rso, levelChanged('2014-09-01', 2)).when(managementEnded('2014-06-01')).thenRefused(422, 'only-registration-while-inactive');
  });

  it('is refused when an earlier order takes the id of a later one', () => {
    const later = sopoImposed('2014-09-01', 'O1');
    const error = given(rso, later).when(sopoImposed('2014-06-01', 'O1')).thenRefused(422, 'order-id-unique');
    expect(error.message).toContain(later.eventId);
  });

  it('is refused when a registration in a gap between periods overlaps the next period', () => {
    given(rso, managementEnded('2014-06-01'), registered('2014-10-01')).when(registered('2014-07-01')).thenRefused(422, 'already-active');
  });
});
