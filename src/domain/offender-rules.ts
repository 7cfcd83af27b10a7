// Refusal rules (DOMAIN.md section 5): a stable id each, carried in `details[].rule`, so agency systems act without parsing messages; the ids are public.

export const RULES = {
  // Fields, checked without the offender's history (400).
  'known-event-type': 'An event type must be one of the event catalogue.',
  'real-date': 'A date must be a real calendar date written YYYY-MM-DD.',
  'not-in-future': 'An event cannot be dated after today.',
  'known-area': 'An area must be one of the 42 MAPPA areas of England and Wales.',
  'known-category': 'A category must be 1, 2 or 3.',
  'known-level': 'A management level must be 1, 2 or 3.',
  'division-configured-for-area': 'A division must be one configured for its area, or a lower-kebab-case id if the area has none configured.',
  'licence-needs-supervision-in-community': 'An offender registered as on licence must be under supervision and not in custody.',
  'expiry-not-before-order': 'An order cannot expire before the date it was imposed.',
  'retraction-names-an-event': 'A retraction must name the eventId of the event it retracts.',

  // The offender (404).
  'known-offender': 'Only an OffenderRegistered can be recorded for an offender the service does not know.',

  // The timeline (422), each checked against the state just before the event, in effective-date order.
  'only-registration-while-inactive': 'While an offender has no open MAPPA period, nothing but an OffenderRegistered can be recorded.',
  'already-active': 'An offender with an open MAPPA period cannot be registered again; end the period first.',
  'category-3-needs-level-2-or-3': 'A category 3 offender is only ever managed at level 2 or 3; end the MAPPA period instead of moving to level 1.',
  'must-change-something': 'A category, level or division change must change it to a different value.',
  'custody-only-from-community': 'An offender can only enter custody from the community.',
  'release-only-from-custody': 'An offender can only be released to the community from custody.',
  'supervision-start-only-when-unsupervised': 'Supervision can only start when the offender is not under supervision.',
  'supervision-end-only-when-supervised': 'Supervision can only end when the offender is under supervision.',
  'licence-breach-needs-licence-in-community': 'A licence can only be breached while the offender is on licence in the community.',
  'sopo-breach-custody-only-from-community': 'A SOPO breach can only send to custody an offender who is in the community.',
  'category-1-only': 'Notification breaches, SOPOs, notification orders, foreign travel orders and SOPO breaches apply only to category 1 offenders.',
  'sopo-breach-needs-sopo-in-force': 'A SOPO breach must name a SOPO of the offender that is in force on the breach date.',
  'order-id-unique': 'An orderId is used by only one order of the offender, of any kind and in any MAPPA period.',
  'charge-id-unique': 'A chargeId is used by only one SFO charge of the offender, in any MAPPA period.',
  'review-id-unique': 'A reviewId is used by only one serious case review of the offender, in any MAPPA period.',
  'sfo-charge-needs-supervision': 'A serious further offence charge can only be recorded while the offender is under supervision.',
  'sfo-outcome-needs-known-charge': 'An SFO outcome must name a charge recorded for the offender.',
  'sfo-outcome-not-before-charge': 'An SFO outcome cannot be dated before its charge.',
  'sfo-outcome-once-per-charge': 'An SFO charge has only one outcome.',
  'review-needs-known-charge': 'A serious case review must name a charge recorded for the offender on or before its date.',
  'review-needs-charge-at-level-2-or-3': 'A serious case review is only commenced for a charge made while the offender was managed at level 2 or 3.',
  'transfer-to-another-area': 'A transfer must move the offender to a different MAPPA area.',
  'retraction-of-this-offender': 'A retraction must name an event recorded for the same offender.',
  'retraction-not-repeated': 'An event that is already retracted cannot be retracted again.',
  'retraction-not-of-retraction': 'A retraction cannot itself be retracted; record the right event again instead.',
} as const;

export type RuleId = keyof typeof RULES;

/** The rule in one sentence, for error details, documentation and traces. */
export const describeRule = (rule: RuleId): string => RULES[rule];
