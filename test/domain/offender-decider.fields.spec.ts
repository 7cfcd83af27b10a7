import type { NewOffenderEvent } from '../../src/domain/offender-event';
import {
  TODAY,
  custodyEntered,
  divisionChanged,
  event,
  foreignTravelOrderImposed,
  given,
  levelChanged,
  registered,
  retracted,
  sopoImposed,
  transferred,
} from './offender-scenario';

// DOMAIN.md section 5, fields: refused with 400 whatever the history; an unknown offender with 404.

const known = registered('2014-04-01');

describe('type', () => {
  it('is refused when not in the event catalogue', () => {
    const odd = { ...levelChanged('2014-05-01', 2), type: 'LevelRaised' } as unknown as NewOffenderEvent;
    given(known).when(odd).thenRefused(400, 'known-event-type');
  });

  it('is accepted for every type of the catalogue (here LevelChanged)', () => {
    given(known).when(levelChanged('2014-05-01', 2)).thenAccepted();
  });
});

describe('occurredOn', () => {
  it('is refused when it is not a real calendar date', () => {
    given(known).when(levelChanged('2015-02-30', 2)).thenRefused(400, 'real-date');
    given(known).when(levelChanged('2015-2-3', 2)).thenRefused(400, 'real-date');
  });

  it('is accepted on the last day of February of a leap year', () => {
    given(known).when(levelChanged('2016-02-29', 2), '2016-03-01').thenAccepted();
  });

  it('is refused after today', () => {
    const error = given(known).when(levelChanged('2016-01-02', 2)).thenRefused(400, 'not-in-future');
    expect(error.details[0].field).toBe('occurredOn');
  });

  it('is accepted on today', () => {
    given(known).when(levelChanged(TODAY, 2)).thenAccepted();
  });
});

describe('unknown offender', () => {
  it('is refused (404) for any event but OffenderRegistered', () => {
    const error = given().when(levelChanged('2014-06-01', 2)).thenRefused(404, 'known-offender');
    expect(error.message).toMatch(/not known/);
    given().when(retracted('2014-06-01', 'ev-x')).thenRefused(404, 'known-offender');
  });

  it('is registered by OffenderRegistered', () => {
    given().when(registered('2014-04-01')).thenAccepted();
  });

  it('has its fields checked first (400 before 404)', () => {
    given().when(levelChanged('2014-13-01', 2)).thenRefused(400, 'real-date');
  });
});

describe('area', () => {
  it('is refused when not one of the 42 areas', () => {
    const error = given()
      .when(registered('2014-04-01', { area: 'manchester', division: undefined }))
      .thenRefused(400, 'known-area');
    expect(error.details[0].field).toBe('data.area');
    given()
      .when(registered('2014-04-01', { area: 'england-and-wales', division: undefined }))
      .thenRefused(400, 'known-area');
    given(known).when(transferred('2014-05-01', 'Kent')).thenRefused(400, 'known-area');
  });

  it('is accepted when it is one of them', () => {
    given()
      .when(registered('2014-04-01', { area: 'dyfed-powys', division: undefined }))
      .thenAccepted();
    given(known).when(transferred('2014-05-01', 'kent')).thenAccepted();
  });
});

describe('division', () => {
  it('of a registration is refused when not configured for its area', () => {
    const error = given()
      .when(registered('2014-04-01', { division: 'north-kent' }))
      .thenRefused(400, 'division-configured-for-area');
    expect(error.message).toMatch(/not a division of Greater Manchester/);
  });

  it('of a registration is accepted when configured, or well-formed in an area with none configured', () => {
    given()
      .when(registered('2014-04-01', { division: 'south-manchester' }))
      .thenAccepted();
    given()
      .when(registered('2014-04-01', { area: 'kent', division: 'north-kent' }))
      .thenAccepted();
  });

  it('is refused when not well-formed, or named like a report row, in an area with none configured', () => {
    given()
      .when(registered('2014-04-01', { area: 'kent', division: 'North Kent' }))
      .thenRefused(400, 'division-configured-for-area');
    given()
      .when(registered('2014-04-01', { area: 'kent', division: 'unassigned' }))
      .thenRefused(400, 'division-configured-for-area');
  });

  it('of a transfer is checked against the area transferred to', () => {
    given(known)
      .when(transferred('2014-05-01', 'kent', 'salford'))
      .thenAccepted();
    given(registered('2014-04-01', { area: 'kent', division: undefined }))
      .when(transferred('2014-05-01', 'greater-manchester', 'north-kent'))
      .thenRefused(400, 'division-configured-for-area');
  });

  it('of a DivisionChanged is checked against the area on its date', () => {
    const error = given(known).when(divisionChanged('2014-05-01', 'north-kent')).thenRefused(400, 'division-configured-for-area');
    expect(error.details[0].field).toBe('data.division');
    given(known, transferred('2014-05-01', 'kent')).when(divisionChanged('2014-06-01', 'north-kent')).thenAccepted();
    // Back-dated to before the transfer, it is judged against Greater Manchester.
    given(known, transferred('2014-05-01', 'kent')).when(divisionChanged('2014-04-15', 'north-kent')).thenRefused(400, 'division-configured-for-area');
  });
});

describe('category and level', () => {
  it('are refused outside 1-3 without crashing on odd values', () => {
    given()
      .when(registered('2014-04-01', { category: 4 as never }))
      .thenRefused(400, 'known-category');
    given()
      .when(registered('2014-04-01', { level: '2' as never }))
      .thenRefused(400, 'known-level');
    given(known)
      .when(event('CategoryChanged', '2014-05-01', { category: null as never }))
      .thenRefused(400, 'known-category');
    given(known)
      .when(event('LevelChanged', '2014-05-01', {} as never))
      .thenRefused(400, 'known-level');
  });

  it('are refused when data is not an object at all', () => {
    const odd = { ...levelChanged('2014-05-01', 2), data: null } as unknown as NewOffenderEvent;
    const { decision } = given(known).when(odd);
    expect(decision.ok ? 'accepted' : decision.error.toBody()).toMatchObject({ error: 'invalid-input', details: [{ field: 'data' }] });
  });
});

describe('onLicence at registration', () => {
  it('is refused without supervision, or in custody', () => {
    given()
      .when(registered('2014-04-01', { onLicence: true, underSupervision: false }))
      .thenRefused(400, 'licence-needs-supervision-in-community');
    given()
      .when(registered('2014-04-01', { onLicence: true, inCustody: true }))
      .thenRefused(400, 'licence-needs-supervision-in-community');
  });

  it('is accepted under supervision in the community', () => {
    given()
      .when(registered('2014-04-01', { onLicence: true, underSupervision: true, inCustody: false }))
      .thenAccepted();
  });
});

describe('expiresOn of an order', () => {
  it('is refused when not a real date, or before the order', () => {
    given(known)
      .when(sopoImposed('2014-05-01', 'S1', '2014-02-30'))
      .thenRefused(400, 'real-date');
    given(known)
      .when(foreignTravelOrderImposed('2014-05-01', 'F1', '2014-04-30'))
      .thenRefused(400, 'expiry-not-before-order');
  });

  it('is accepted on the day of the order or later, even in the future', () => {
    given(known)
      .when(sopoImposed('2014-05-01', 'S1', '2014-05-01'))
      .thenAccepted();
    given(known)
      .when(foreignTravelOrderImposed('2014-05-01', 'F1', '2019-05-01'))
      .thenAccepted();
  });
});

describe('retractedEventId', () => {
  it('is refused when empty', () => {
    given(known).when(retracted('2014-05-01', '')).thenRefused(400, 'retraction-names-an-event');
  });

  it('is accepted when it names an event', () => {
    const custody = custodyEntered('2014-05-01');
    given(known, custody).when(retracted('2014-06-01', custody.eventId)).thenAccepted();
  });
});
