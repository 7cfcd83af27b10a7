import type { Category, CustodyReason, Level, MappaEndReason, NotificationBreachOutcome, SfoOutcome } from '../../domain/offender-event';

// The default shape of a synthetic history: the rates offender-life.ts draws from, set to Greater Manchester 2014/15's proportions.
// The published figures and what each rate aims at: docs/decisions.md, "Moved from code comments"; checked by test/generate/national-history.spec.ts.

export interface CategoryShape {
  /** Share of the active population (in custody or not) on a snapshot date. */
  stockShare: number;
  /** Mean length of a MAPPA period in years, used to size arrivals so the population stays level. */
  meanPeriodYears: number;
  /** Share registered while in custody. */
  registeredInCustody: number;
  /** Of those registered in the community: share under supervision, and of those on licence. */
  supervisedInCommunity: number;
  onLicenceIfSupervised: number;
  /** Registration level: share at level 2 and at level 3 (the rest at level 1). */
  registeredAtLevel2: number;
  registeredAtLevel3: number;
}

export const CATEGORY_SHAPE: Readonly<Record<Category, CategoryShape>> = {
  // Registered sexual offenders: long notification periods, most of them in the community.
  1: {
    stockShare: 0.58,
    meanPeriodYears: 8.4,
    registeredInCustody: 0.35,
    supervisedInCommunity: 0.5,
    onLicenceIfSupervised: 0.4,
    registeredAtLevel2: 0.012,
    registeredAtLevel3: 0.002,
  },
  // Violent offenders: MAPPA-eligible from sentence to the end of the licence.
  2: {
    stockShare: 0.416,
    meanPeriodYears: 3.1,
    registeredInCustody: 0.7,
    supervisedInCommunity: 1,
    onLicenceIfSupervised: 1,
    registeredAtLevel2: 0.012,
    registeredAtLevel3: 0.002,
  },
  // Other dangerous offenders: few, always at level 2 or 3 (DOMAIN.md 5), short periods.
  3: {
    stockShare: 0.004,
    meanPeriodYears: 1.5,
    registeredInCustody: 0.2,
    supervisedInCommunity: 0.6,
    onLicenceIfSupervised: 0.5,
    registeredAtLevel2: 0.8,
    registeredAtLevel3: 0.2,
  },
};

/** Rates per year. */
export const RATES = {
  // Custody, from the community.
  custodyEntry: 0.05,
  custodyReasons: [
    ['sentence', 0.6],
    ['remand', 0.3],
    ['hospital', 0.1],
  ] as ReadonlyArray<readonly [CustodyReason, number]>,
  /** Mean stay in custody by reason, years. */
  custodyStayYears: { sentence: 1.4, remand: 0.3, recall: 0.5, hospital: 1.0 } as Readonly<Record<CustodyReason, number>>,
  /** Released on licence after a sentence (category 2 almost always). */
  licenceAfterSentence: { 1: 0.75, 2: 0.95, 3: 0.6 } as Readonly<Record<Category, number>>,

  // Supervision in the community.
  licenceBreach: 0.2,
  licenceBreachReturnsToCustody: 0.85,
  licenceEndYears: 1.8,
  communityOrderEndYears: 1.2,
  supervisionStart: 0.02,
  /** Category 2 out of licence (released without one): MAPPA management ends soon after. */
  category2UnsupervisedEndYears: 0.5,

  // Management level spells (category 3 never goes to level 1).
  level1To2: 0.012,
  level1To3: 0.0015,
  level2To3: 0.3,
  level2To1: 2.5,
  level3To2: 1.5,
  level3To1: 0.5,
  category2To1: 0.003,
  category1To2: 0.001,

  // Moves.
  divisionChange: 0.06,
  transfer: 0.02,
  /** Share registered with no division yet (the "unassigned" row of 6.10: 31 of 2,662 in GM). */
  noDivision: 0.012,

  // Category 1: civil orders and notification requirements.
  notificationBreach: 0.03,
  notificationBreachOutcomes: [
    ['caution', 0.35],
    ['conviction', 0.45],
    ['no-further-action', 0.2],
  ] as ReadonlyArray<readonly [NotificationBreachOutcome, number]>,
  sopoImposed: 0.042,
  sopoWithExpiry: 0.6,
  notificationOrderImposed: 0.0008,
  foreignTravelOrderImposed: 0.0004,
  sopoBreach: 0.05,
  sopoBreachSentToCustody: 0.4,

  // Serious further offences (under supervision only, DOMAIN.md 5).
  sfoCharge: 0.006,
  sfoChargeAtLevel2Or3Factor: 5,
  remandAfterCharge: 0.7,
  sfoOutcomes: [
    ['convicted', 0.65],
    ['acquitted', 0.1],
    ['discontinued', 0.1],
    ['convicted-other-offence', 0.15],
  ] as ReadonlyArray<readonly [SfoOutcome, number]>,
  seriousCaseReviewAtLevel2Or3: 0.4,

  // End of a MAPPA period, and a new one later.
  endReasons: {
    1: [
      ['registration-expired', 0.85],
      ['deceased', 0.08],
      ['other', 0.07],
    ],
    2: [['licence-expired', 1]],
    3: [
      ['no-longer-eligible', 0.9],
      ['deceased', 0.05],
      ['other', 0.05],
    ],
  } as Readonly<Record<Category, ReadonlyArray<readonly [MappaEndReason, number]>>>,
  reRegistration: 0.05,

  // The record itself: late (back-dated) events and events recorded in error, then retracted.
  lateRecord: 0.05,
  lateRecordMaxDays: 120,
  recordedInError: 0.003,
} as const;

/** Level of a new registration. */
export function registrationLevel(shape: CategoryShape, u: number): Level {
  if (u < shape.registeredAtLevel3) return 3;
  if (u < shape.registeredAtLevel3 + shape.registeredAtLevel2) return 2;
  return 1;
}

/** Divisions used for areas with none configured (any well-formed id is accepted there, DOMAIN.md 2). */
export const SYNTHETIC_DIVISIONS: readonly string[] = ['north', 'south', 'east', 'west', 'central'];
