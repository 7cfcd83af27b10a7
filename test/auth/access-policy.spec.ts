import { randomUUID } from 'node:crypto';
import {
  assertMayAdminister,
  assertMayPublish,
  assertMayReadPublications,
  assertMayReadAccessAudit,
  assertMayReadOffender,
  assertMayReadReport,
  assertMayReadTrace,
  recordingRefusal,
} from '../../src/auth/access-policy';
import { LOCAL_OPERATOR, type Agency, type Principal, type Role } from '../../src/auth/principal';
import { OFFENDER_EVENT_TYPES, type OffenderEventData, type OffenderEventType } from '../../src/domain/offender-event';
import { areasOfOffender, responsibleArea } from '../../src/domain/responsible-area';
import { ForbiddenError } from '../../src/errors';
import { eventsOf, randomEventId, streamOf } from '../support/offender-events';

// The policy table of docs/security.md, written out again here on purpose: the test states the
// table, the code must agree with it.

const GM = 'greater-manchester';
const LANCS = 'lancashire';

const who = (roles: Role[], agency: Agency = 'police', areas: string[] = [GM]): Principal => ({ sub: `${agency}-${roles.join('+')}`, agency, roles, areas });

// The policy reads an event's type, date, area and offender; the rest of its data is the builders' own.
const gm1 = eventsOf('GM-1', randomEventId);
const registered = gm1.registered('2014-04-01', { onLicence: true });
const gmStream = streamOf([registered]);
/** An event of any type, for the tables: its data does not matter to who may record it. */
const anyEvent = (type: OffenderEventType, occurredOn = '2014-06-01') => gm1.event(type, occurredOn, {} as OffenderEventData[typeof type]);

const refusalOf = (fn: () => void): ForbiddenError | null => {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof ForbiddenError) return error;
    throw error;
  }
};

describe('who records which event types (docs/security.md, "Recording events")', () => {
  const P = 'police',
    B = 'probation',
    J = 'prison',
    M = 'moj';
  // type: agencies that record it (duty-to-cooperate records none).
  const TABLE: Record<Exclude<OffenderEventType, 'EventRetracted'>, string[]> = {
    OffenderRegistered: [P, B, M],
    CategoryChanged: [P, B, M],
    LevelChanged: [P, B, M],
    DivisionChanged: [P, B, M],
    OffenderTransferred: [P, B, M],
    CustodyEntered: [B, J, M],
    ReleasedToCommunity: [B, J, M],
    SupervisionStarted: [B, M],
    SupervisionEnded: [B, M],
    LicenceBreached: [B, M],
    NotificationRequirementBreached: [P, M],
    SopoImposed: [P, M],
    NotificationOrderImposed: [P, M],
    ForeignTravelOrderImposed: [P, M],
    SopoBreached: [P, M],
    SfoCharged: [B, M],
    SfoOutcomeRecorded: [B, M],
    SeriousCaseReviewCommenced: [B, M],
    MappaManagementEnded: [P, B, M],
  };
  const agencies: Agency[] = ['police', 'probation', 'prison', 'duty-to-cooperate', 'moj'];
  const cases = OFFENDER_EVENT_TYPES.filter((t) => t !== 'EventRetracted').flatMap((type) =>
    agencies.map((agency) => ({ type, agency, allowed: TABLE[type as keyof typeof TABLE].includes(agency) })),
  );

  it.each(cases)('$agency recorder, $type: allowed=$allowed', ({ type, agency, allowed }) => {
    const e = type === 'OffenderRegistered' ? eventsOf('GM-2', randomEventId).registered('2014-06-01') : anyEvent(type);
    const refusal = recordingRefusal(who(['recorder'], agency), type === 'OffenderRegistered' ? [] : gmStream, e);
    expect(refusal === null).toBe(allowed);
    if (refusal) expect(refusal.toBody()).toMatchObject({ error: 'forbidden', details: [{ field: 'type', rule: 'agency-event-type' }] });
  });

  it.each(cases)('retracting a $type: $agency allowed=$allowed', ({ type, agency, allowed }) => {
    const target = type === 'OffenderRegistered' ? registered : anyEvent(type, '2014-07-01');
    const stream = type === 'OffenderRegistered' ? gmStream : streamOf([registered, target]);
    const retraction = gm1.retracted('2014-08-01', target.eventId);
    expect(recordingRefusal(who(['recorder'], agency), stream, retraction) === null).toBe(allowed);
  });
});

describe('a recorder posts only for offenders managed in its areas', () => {
  const police = (areas: string[]) => who(['recorder'], 'police', areas);

  it('registers only into its areas (data.area)', () => {
    const intoGm = eventsOf('GM-9', randomEventId).registered('2014-05-01');
    expect(recordingRefusal(police([GM]), [], intoGm)).toBeNull();
    expect(recordingRefusal(police(['*']), [], intoGm)).toBeNull();
    expect(recordingRefusal(police([LANCS]), [], intoGm)?.toBody()).toMatchObject({ error: 'forbidden', details: [{ field: 'data.area', rule: 'area' }] });
  });

  it("posts other events by the offender's area at the event's date", () => {
    const level = gm1.levelChanged('2014-06-01', 2);
    expect(recordingRefusal(police([GM]), gmStream, level)).toBeNull();
    expect(recordingRefusal(police([LANCS, 'cumbria']), gmStream, level)?.details[0]).toMatchObject({ field: 'offenderId', rule: 'area' });
  });

  it('a transfer out is posted by the sending area, and the receiving area takes over from its date', () => {
    const transfer = gm1.transferred('2014-09-01', LANCS);
    expect(recordingRefusal(police([GM]), gmStream, transfer)).toBeNull();
    expect(recordingRefusal(police([LANCS]), gmStream, transfer)?.message).toMatch(/sending area, which is greater-manchester/);

    const moved = streamOf([registered, transfer]);
    const after = gm1.levelChanged('2014-10-01', 2);
    const before = gm1.levelChanged('2014-08-01', 2);
    const sameDay = gm1.levelChanged('2014-09-01', 2);
    expect(recordingRefusal(police([LANCS]), moved, after)).toBeNull();
    expect(recordingRefusal(police([GM]), moved, after)).not.toBeNull();
    expect(recordingRefusal(police([GM]), moved, before)).toBeNull(); // back-dated: still GM's then
    expect(recordingRefusal(police([LANCS]), moved, before)).not.toBeNull();
    expect(responsibleArea(moved, sameDay)).toBe(LANCS); // recorded after the transfer on its day
    // Retracting the transfer is the sending area's business too.
    const retraction = gm1.event('EventRetracted', '2014-11-01', { retractedEventId: transfer.eventId, reason: 'wrong area' });
    expect(recordingRefusal(police([GM]), moved, retraction)).toBeNull();
    expect(recordingRefusal(police([LANCS]), moved, retraction)).not.toBeNull();
    expect(areasOfOffender(moved)).toEqual([GM, LANCS]);
  });

  it('an event dated before any registration is judged by the latest area; an unknown offender is left to the decider (404)', () => {
    expect(responsibleArea(gmStream, gm1.levelChanged('2010-01-01', 2))).toBe(GM);
    expect(recordingRefusal(police([LANCS]), [], eventsOf('nobody', randomEventId).levelChanged('2014-06-01', 2))).toBeNull();
  });

  it('a retraction of no known event needs only an agency that records something (the decider then refuses it)', () => {
    const retraction = gm1.event('EventRetracted', '2014-06-01', { retractedEventId: randomUUID(), reason: 'x' });
    expect(recordingRefusal(police([GM]), gmStream, retraction)).toBeNull();
    expect(recordingRefusal(who(['recorder'], 'duty-to-cooperate'), gmStream, retraction)).not.toBeNull();
  });

  it('only the recorder role records, whatever the other roles; the local operator records anything', () => {
    const level = gm1.levelChanged('2014-06-01', 2);
    for (const role of ['analyst', 'auditor', 'admin', 'publisher'] as Role[]) {
      expect(recordingRefusal(who([role], 'moj', ['*']), gmStream, level)?.details[0]).toMatchObject({ rule: 'role' });
    }
    expect(recordingRefusal(LOCAL_OPERATOR, gmStream, gm1.sfoCharged('2014-06-01', 'C1'))).toBeNull();
  });
});

describe('reads: the role table (docs/security.md, "Reading")', () => {
  type Capability = 'report' | 'report-e&w' | 'trace' | 'offender' | 'access-audit' | 'administer' | 'publish' | 'publications';
  const TABLE: Record<Role, Capability[]> = {
    recorder: [],
    analyst: ['report', 'publications'],
    auditor: ['report', 'trace', 'offender', 'access-audit', 'publications'],
    admin: ['administer'],
    publisher: ['publish', 'publications'],
  };
  const check: Record<Capability, (p: Principal) => void> = {
    report: (p) => assertMayReadReport(p, GM),
    'report-e&w': (p) => assertMayReadReport(p, 'england-and-wales'),
    trace: (p) => assertMayReadTrace(p, GM),
    offender: (p) => assertMayReadOffender(p, [GM]),
    'access-audit': (p) => assertMayReadAccessAudit(p),
    administer: (p) => assertMayAdminister(p),
    publish: (p) => assertMayPublish(p, GM),
    publications: (p) => assertMayReadPublications(p, GM),
  };
  const cases = (Object.keys(TABLE) as Role[]).flatMap((role) =>
    (Object.keys(check) as Capability[]).map((capability) => ({ role, capability, allowed: TABLE[role].includes(capability) })),
  );

  it.each(cases)('$role of greater-manchester, $capability: allowed=$allowed', ({ role, capability, allowed }) => {
    const refusal = refusalOf(() => check[capability](who([role], 'moj', [GM])));
    expect(refusal === null).toBe(allowed);
    if (refusal) expect(refusal.status).toBe(403);
  });

  it('england-and-wales figures only for *', () => {
    expect(refusalOf(() => assertMayReadReport(who(['analyst'], 'moj', ['*']), 'england-and-wales'))).toBeNull();
    expect(refusalOf(() => assertMayReadReport(who(['analyst'], 'moj', [GM, LANCS]), 'england-and-wales'))?.details[0]).toMatchObject({ field: 'area' });
    expect(refusalOf(() => assertMayReadTrace(who(['auditor'], 'moj', ['*']), 'england-and-wales'))).toBeNull();
    expect(refusalOf(() => assertMayReadTrace(who(['auditor'], 'moj', [GM]), 'england-and-wales'))).not.toBeNull();
  });

  it('areas scope every read', () => {
    expect(refusalOf(() => assertMayReadReport(who(['analyst'], 'moj', [GM]), LANCS))).not.toBeNull();
    expect(refusalOf(() => assertMayReadTrace(who(['auditor'], 'moj', [GM]), LANCS))).not.toBeNull();
    expect(refusalOf(() => assertMayReadOffender(who(['auditor'], 'moj', [GM]), [LANCS]))).not.toBeNull();
    expect(refusalOf(() => assertMayReadOffender(who(['auditor'], 'moj', [GM]), [LANCS, GM]))).toBeNull();
    // An unknown offender is in no area: only a * auditor learns it does not exist.
    expect(refusalOf(() => assertMayReadOffender(who(['auditor'], 'moj', [GM]), []))).not.toBeNull();
    expect(refusalOf(() => assertMayReadOffender(who(['auditor'], 'moj', ['*']), []))).toBeNull();
  });

  it('roles add up: a token with several roles may do what each may', () => {
    const both = who(['analyst', 'admin'], 'moj', [GM]);
    expect(refusalOf(() => assertMayReadReport(both, GM))).toBeNull();
    expect(refusalOf(() => assertMayAdminister(both))).toBeNull();
    expect(refusalOf(() => assertMayReadTrace(both, GM))).not.toBeNull();
  });
});
