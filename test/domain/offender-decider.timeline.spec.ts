import {
  categoryChanged,
  custodyEntered,
  divisionChanged,
  foreignTravelOrderImposed,
  given,
  levelChanged,
  licenceBreached,
  managementEnded,
  notificationBreached,
  notificationOrderImposed,
  registered,
  released,
  reviewCommenced,
  sfoCharged,
  sfoOutcome,
  sopoBreached,
  sopoImposed,
  supervisionEnded,
  supervisionStarted,
  transferred,
} from './offender-scenario';

// DOMAIN.md section 5, the rules of a valid timeline (422): for each, a refusal and the nearest
// case that is accepted. Events here are posted in date order; back-dating has its own spec.

const rso = registered('2014-04-01'); // category 1, level 1, in the community under supervision, not on licence
const onLicence = registered('2014-04-01', { onLicence: true });
const inCustody = registered('2014-04-01', { inCustody: true });

describe('an offender who is not active', () => {
  const ended = managementEnded('2014-12-01');

  it('can have nothing recorded but OffenderRegistered', () => {
    const error = given(rso, ended).when(levelChanged('2015-01-01', 2)).thenRefused(422, 'only-registration-while-inactive');
    expect(error.message).toBe('LevelChanged of 2015-01-01 cannot be recorded: the offender has no open MAPPA period on 2015-01-01.');
  });

  it('can be registered again, and then managed as before', () => {
    const again = registered('2015-01-01', { level: 2 });
    given(rso, ended).when(again).thenAccepted();
    given(rso, ended, again).when(levelChanged('2015-02-01', 3)).thenAccepted();
  });

  it('can still have events recorded for the period before it ended', () => {
    given(rso, ended).when(levelChanged('2014-06-01', 2)).thenAccepted();
  });
});

describe('an active offender', () => {
  it('cannot be registered again', () => {
    given(rso).when(registered('2014-06-01')).thenRefused(422, 'already-active');
  });

  it('can be registered again the day the period ends', () => {
    given(rso, managementEnded('2014-06-01')).when(registered('2014-06-01')).thenAccepted();
  });
});

describe('category 3', () => {
  it('is refused at level 1 at registration', () => {
    given()
      .when(registered('2014-04-01', { category: 3, level: 1 }))
      .thenRefused(422, 'category-3-needs-level-2-or-3');
  });

  it('is accepted at level 2 at registration', () => {
    given()
      .when(registered('2014-04-01', { category: 3, level: 2 }))
      .thenAccepted();
  });

  it('is refused as a change of category while at level 1', () => {
    given(registered('2014-04-01', { category: 2, level: 1 }))
      .when(categoryChanged('2014-06-01', 3))
      .thenRefused(422, 'category-3-needs-level-2-or-3');
  });

  it('is accepted as a change of category while at level 2', () => {
    given(registered('2014-04-01', { category: 2, level: 2 }))
      .when(categoryChanged('2014-06-01', 3))
      .thenAccepted();
  });

  it('cannot move to level 1', () => {
    const error = given(registered('2014-04-01', { category: 3, level: 2 }))
      .when(levelChanged('2014-06-01', 1))
      .thenRefused(422, 'category-3-needs-level-2-or-3');
    expect(error.details[0].field).toBe('data.level');
  });

  it('can move between levels 2 and 3, and leave MAPPA instead of level 1', () => {
    given(registered('2014-04-01', { category: 3, level: 2 }))
      .when(levelChanged('2014-06-01', 3))
      .thenAccepted();
    given(registered('2014-04-01', { category: 3, level: 2 }))
      .when(managementEnded('2014-06-01'))
      .thenAccepted();
  });
});

describe('a change of category, level or division', () => {
  it('is refused when it changes nothing', () => {
    given(rso).when(categoryChanged('2014-06-01', 1)).thenRefused(422, 'must-change-something');
    given(rso).when(levelChanged('2014-06-01', 1)).thenRefused(422, 'must-change-something');
    given(rso).when(divisionChanged('2014-06-01', 'salford')).thenRefused(422, 'must-change-something');
  });

  it('is accepted when it changes something', () => {
    given(rso).when(categoryChanged('2014-06-01', 2)).thenAccepted();
    given(rso).when(levelChanged('2014-06-01', 2)).thenAccepted();
    given(rso).when(divisionChanged('2014-06-01', 'bolton')).thenAccepted();
  });
});

describe('custody', () => {
  it('can only be entered from the community', () => {
    given(inCustody).when(custodyEntered('2014-06-01')).thenRefused(422, 'custody-only-from-community');
    given(rso).when(custodyEntered('2014-06-01', 'remand')).thenAccepted();
  });

  it('can only be left from custody', () => {
    given(rso).when(released('2014-06-01', false)).thenRefused(422, 'release-only-from-custody');
    given(inCustody).when(released('2014-06-01', true)).thenAccepted();
  });
});

describe('supervision', () => {
  const unsupervised = registered('2014-04-01', { underSupervision: false });

  it('can only start when not under supervision', () => {
    given(rso).when(supervisionStarted('2014-06-01')).thenRefused(422, 'supervision-start-only-when-unsupervised');
    given(unsupervised).when(supervisionStarted('2014-06-01')).thenAccepted();
  });

  it('can only end when under supervision', () => {
    given(unsupervised).when(supervisionEnded('2014-06-01')).thenRefused(422, 'supervision-end-only-when-supervised');
    given(rso).when(supervisionEnded('2014-06-01')).thenAccepted();
  });

  it('is not ended by custody: it can end in custody', () => {
    given(rso, custodyEntered('2014-05-01')).when(supervisionEnded('2014-06-01')).thenAccepted();
  });
});

describe('a licence breach', () => {
  it('is refused when not on licence', () => {
    given(rso).when(licenceBreached('2014-06-01', true)).thenRefused(422, 'licence-breach-needs-licence-in-community');
  });

  it('is refused in custody, where the licence has ended', () => {
    given(onLicence, custodyEntered('2014-05-01', 'remand')).when(licenceBreached('2014-06-01', false)).thenRefused(422, 'licence-breach-needs-licence-in-community');
  });

  it('is accepted on licence in the community, and a recall puts the offender in custody', () => {
    given(onLicence).when(licenceBreached('2014-06-01', true)).thenAccepted();
    given(onLicence, licenceBreached('2014-06-01', true)).when(custodyEntered('2014-06-02')).thenRefused(422, 'custody-only-from-community');
  });
});

describe('category 1 only', () => {
  const violent = registered('2014-04-01', { category: 2 });
  const cases = [
    ['NotificationRequirementBreached', notificationBreached('2014-06-01')],
    ['SopoImposed', sopoImposed('2014-06-01', 'S1')],
    ['NotificationOrderImposed', notificationOrderImposed('2014-06-01', 'N1')],
    ['ForeignTravelOrderImposed', foreignTravelOrderImposed('2014-06-01', 'F1')],
  ] as const;

  it.each(cases)('%s is refused for a category 2 offender', (_type, candidate) => {
    given(violent).when(candidate).thenRefused(422, 'category-1-only');
  });

  it.each(cases)('%s is accepted for a category 1 offender', (_type, candidate) => {
    given(rso).when(candidate).thenAccepted();
  });

  it('SopoBreached is refused once the offender is no longer category 1', () => {
    given(rso, sopoImposed('2014-05-01', 'S1'), categoryChanged('2014-06-01', 2))
      .when(sopoBreached('2014-07-01', 'S1', false))
      .thenRefused(422, 'category-1-only');
  });
});

describe('a SOPO breach', () => {
  const sopo = sopoImposed('2014-05-01', 'S1', '2014-12-31');

  it('is accepted while that SOPO is in force, up to and including its expiry', () => {
    given(rso, sopo)
      .when(sopoBreached('2014-12-31', 'S1', false))
      .thenAccepted();
  });

  it('is refused after the SOPO expired', () => {
    const error = given(rso, sopo)
      .when(sopoBreached('2015-01-01', 'S1', false))
      .thenRefused(422, 'sopo-breach-needs-sopo-in-force');
    expect(error.message).toMatch(/SOPO S1 expired on 2014-12-31/);
  });

  it('is refused for an unknown order, or an order that is not a SOPO', () => {
    given(rso, sopo)
      .when(sopoBreached('2014-06-01', 'S2', false))
      .thenRefused(422, 'sopo-breach-needs-sopo-in-force');
    const fto = foreignTravelOrderImposed('2014-05-01', 'F1');
    const error = given(rso, fto)
      .when(sopoBreached('2014-06-01', 'F1', false))
      .thenRefused(422, 'sopo-breach-needs-sopo-in-force');
    expect(error.message).toMatch(/foreign travel order, not a SOPO/);
  });

  it('sending to custody is refused when already in custody, accepted from the community', () => {
    given(rso, sopo, custodyEntered('2014-06-01', 'remand'))
      .when(sopoBreached('2014-07-01', 'S1', true))
      .thenRefused(422, 'sopo-breach-custody-only-from-community');
    given(rso, sopo, custodyEntered('2014-06-01', 'remand'))
      .when(sopoBreached('2014-07-01', 'S1', false))
      .thenAccepted();
    given(rso, sopo)
      .when(sopoBreached('2014-07-01', 'S1', true))
      .thenAccepted();
  });
});

describe('ids', () => {
  it('orderId is refused when used by another order of any kind', () => {
    given(rso, sopoImposed('2014-05-01', 'O1')).when(foreignTravelOrderImposed('2014-06-01', 'O1')).thenRefused(422, 'order-id-unique');
    given(rso, notificationOrderImposed('2014-05-01', 'O1')).when(sopoImposed('2014-06-01', 'O1')).thenRefused(422, 'order-id-unique');
    given(rso, sopoImposed('2014-05-01', 'O1')).when(notificationOrderImposed('2014-06-01', 'O1')).thenRefused(422, 'order-id-unique');
  });

  it('orderId is accepted when new', () => {
    given(rso, sopoImposed('2014-05-01', 'O1')).when(foreignTravelOrderImposed('2014-06-01', 'O2')).thenAccepted();
  });

  it('chargeId is refused when used before, accepted when new', () => {
    given(rso, sfoCharged('2014-05-01', 'C1')).when(sfoCharged('2014-06-01', 'C1')).thenRefused(422, 'charge-id-unique');
    given(rso, sfoCharged('2014-05-01', 'C1')).when(sfoCharged('2014-06-01', 'C2')).thenAccepted();
  });

  it('reviewId is refused when used before, accepted when new', () => {
    const atLevel2 = [registered('2014-04-01', { level: 2 }), sfoCharged('2014-05-01', 'C1'), reviewCommenced('2014-06-01', 'R1', 'C1')];
    given(...atLevel2)
      .when(reviewCommenced('2014-07-01', 'R1', 'C1'))
      .thenRefused(422, 'review-id-unique');
    given(...atLevel2)
      .when(reviewCommenced('2014-07-01', 'R2', 'C1'))
      .thenAccepted();
  });

  it('stay unique across MAPPA periods: the ids of an earlier period cannot be reused after re-registration', () => {
    const earlier = [
      registered('2014-04-01', { level: 2 }),
      sopoImposed('2014-05-01', 'O1'),
      sfoCharged('2014-05-01', 'C1'),
      reviewCommenced('2014-06-01', 'R1', 'C1'),
      managementEnded('2014-12-01'),
      registered('2015-01-01', { level: 2 }),
    ];
    given(...earlier)
      .when(sopoImposed('2015-02-01', 'O1'))
      .thenRefused(422, 'order-id-unique');
    given(...earlier)
      .when(sfoCharged('2015-02-01', 'C1'))
      .thenRefused(422, 'charge-id-unique');
    given(...earlier)
      .when(reviewCommenced('2015-02-01', 'R1', 'C1'))
      .thenRefused(422, 'review-id-unique');
    given(...earlier)
      .when(sopoImposed('2015-02-01', 'O2'))
      .thenAccepted();
  });
});

describe('ids that happen to name members of every JavaScript object', () => {
  it('are ordinary ids, neither taken nor known', () => {
    given(rso).when(sfoCharged('2014-06-01', 'constructor')).thenAccepted();
    given(rso).when(sopoImposed('2014-06-01', 'toString')).thenAccepted();
    given(rso)
      .when(sopoBreached('2014-06-01', 'constructor', false))
      .thenRefused(422, 'sopo-breach-needs-sopo-in-force');
    given(rso).when(sfoOutcome('2014-06-01', '__proto__')).thenRefused(422, 'sfo-outcome-needs-known-charge');
  });
});

describe('an SFO charge', () => {
  it('is refused when not under supervision', () => {
    given(registered('2014-04-01', { underSupervision: false }))
      .when(sfoCharged('2014-06-01', 'C1'))
      .thenRefused(422, 'sfo-charge-needs-supervision');
  });

  it('is accepted under supervision, in custody too (custody does not end supervision)', () => {
    given(rso, custodyEntered('2014-05-01', 'remand')).when(sfoCharged('2014-06-01', 'C1')).thenAccepted();
  });
});

describe('an SFO outcome', () => {
  const charged = [rso, sfoCharged('2014-05-01', 'C1')];

  it('is refused for an unknown charge', () => {
    given(...charged)
      .when(sfoOutcome('2014-09-01', 'C2'))
      .thenRefused(422, 'sfo-outcome-needs-known-charge');
  });

  it('is refused before the charge date', () => {
    const error = given(...charged)
      .when(sfoOutcome('2014-04-30', 'C1'))
      .thenRefused(422, 'sfo-outcome-not-before-charge');
    expect(error.message).toMatch(/charge C1 is dated 2014-05-01/);
  });

  it('is accepted on the charge date or later', () => {
    given(...charged)
      .when(sfoOutcome('2014-05-01', 'C1', 'acquitted'))
      .thenAccepted();
  });

  it('is refused a second time for the same charge', () => {
    given(...charged, sfoOutcome('2014-09-01', 'C1'))
      .when(sfoOutcome('2014-10-01', 'C1', 'acquitted'))
      .thenRefused(422, 'sfo-outcome-once-per-charge');
  });

  it('is accepted for another charge', () => {
    given(...charged, sfoOutcome('2014-09-01', 'C1'), sfoCharged('2014-09-02', 'C2'))
      .when(sfoOutcome('2014-10-01', 'C2'))
      .thenAccepted();
  });
});

describe('a serious case review', () => {
  it('is refused for an unknown charge, or one not yet made on its date', () => {
    const charged = [registered('2014-04-01', { level: 2 }), sfoCharged('2014-05-01', 'C1')];
    given(...charged)
      .when(reviewCommenced('2014-06-01', 'R1', 'C2'))
      .thenRefused(422, 'review-needs-known-charge');
    given(...charged)
      .when(reviewCommenced('2014-04-15', 'R1', 'C1'))
      .thenRefused(422, 'review-needs-known-charge');
  });

  it('is refused for a charge made at level 1, even if the level rose since', () => {
    const error = given(rso, sfoCharged('2014-05-01', 'C1'), levelChanged('2014-05-02', 3))
      .when(reviewCommenced('2014-06-01', 'R1', 'C1'))
      .thenRefused(422, 'review-needs-charge-at-level-2-or-3');
    expect(error.message).toMatch(/charge C1 was made on 2014-05-01 while the offender was managed at level 1/);
  });

  it('is accepted for a charge made at level 2, even if the level fell since', () => {
    given(registered('2014-04-01', { level: 2 }), sfoCharged('2014-05-01', 'C1'), levelChanged('2014-05-02', 1))
      .when(reviewCommenced('2014-06-01', 'R1', 'C1'))
      .thenAccepted();
  });
});

describe('a transfer', () => {
  it('is refused to the area the offender is already in', () => {
    given(rso)
      .when(transferred('2014-06-01', 'greater-manchester', 'bolton'))
      .thenRefused(422, 'transfer-to-another-area');
  });

  it('is accepted to another area, and back again later', () => {
    given(rso, transferred('2014-06-01', 'lancashire'))
      .when(transferred('2014-07-01', 'greater-manchester', 'bolton'))
      .thenAccepted();
  });
});
