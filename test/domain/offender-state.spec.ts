import type { NewOffenderEvent } from '../../src/domain/offender-event';
import { evolve, initialOffenderState, orderInForce, type OffenderState } from '../../src/domain/offender-state';
import { stateAt } from '../../src/domain/offender-timeline';
import {
  custodyEntered,
  levelChanged,
  licenceBreached,
  managementEnded,
  registered,
  released,
  retracted,
  sfoCharged,
  sfoOutcome,
  sopoBreached,
  sopoImposed,
  streamOf,
  supervisionEnded,
  supervisionStarted,
  transferred,
} from './offender-scenario';

// The flag table of DOMAIN.md section 4: how each event moves inCustody, underSupervision, onLicence.

const fold = (...events: NewOffenderEvent[]): OffenderState => events.reduce(evolve, initialOffenderState());
const flags = ({ active, inCustody, underSupervision, onLicence }: OffenderState) => ({ active, inCustody, underSupervision, onLicence });

const onLicenceInCommunity = registered('2014-04-01', { onLicence: true, underSupervision: true, inCustody: false });

describe('OffenderRegistered', () => {
  it('opens a MAPPA period with the flags it states, licence false by default', () => {
    const s = fold(registered('2014-04-01', { inCustody: true, underSupervision: false, onLicence: undefined }));
    expect(flags(s)).toEqual({ active: true, inCustody: true, underSupervision: false, onLicence: false });
    expect(s).toMatchObject({ known: true, area: 'greater-manchester', division: 'salford', category: 1, level: 1 });
  });
});

describe('inCustody', () => {
  it('is set by CustodyEntered, which ends the licence but not supervision', () => {
    const s = fold(onLicenceInCommunity, custodyEntered('2014-05-01', 'recall'));
    expect(flags(s)).toEqual({ active: true, inCustody: true, underSupervision: true, onLicence: false });
  });

  it('is set by a licence breach with return to custody (a recall), which ends the licence', () => {
    const s = fold(onLicenceInCommunity, licenceBreached('2014-05-01', true));
    expect(flags(s)).toEqual({ active: true, inCustody: true, underSupervision: true, onLicence: false });
  });

  it('is left alone by a licence breach without return to custody', () => {
    const s = fold(onLicenceInCommunity, licenceBreached('2014-05-01', false));
    expect(flags(s)).toEqual({ active: true, inCustody: false, underSupervision: true, onLicence: true });
  });

  it('is set by a SOPO breach with a custodial sentence, which ends the licence', () => {
    const s = fold(onLicenceInCommunity, sopoImposed('2014-04-02', 'S1'), sopoBreached('2014-05-01', 'S1', true));
    expect(flags(s)).toEqual({ active: true, inCustody: true, underSupervision: true, onLicence: false });
  });
});

describe('ReleasedToCommunity', () => {
  it('on licence starts supervision and the licence', () => {
    const s = fold(registered('2014-04-01', { inCustody: true, underSupervision: false }), released('2014-06-01', true));
    expect(flags(s)).toEqual({ active: true, inCustody: false, underSupervision: true, onLicence: true });
  });

  it('without licence leaves supervision as it was', () => {
    const unsupervised = fold(registered('2014-04-01', { inCustody: true, underSupervision: false }), released('2014-06-01', false));
    expect(flags(unsupervised)).toEqual({ active: true, inCustody: false, underSupervision: false, onLicence: false });
    const supervised = fold(registered('2014-04-01', { inCustody: true, underSupervision: true }), released('2014-06-01', false));
    expect(flags(supervised)).toEqual({ active: true, inCustody: false, underSupervision: true, onLicence: false });
  });
});

describe('supervision', () => {
  it('starts with SupervisionStarted', () => {
    const s = fold(registered('2014-04-01', { underSupervision: false }), supervisionStarted('2014-05-01'));
    expect(s.underSupervision).toBe(true);
  });

  it('ends with SupervisionEnded, which also ends the licence', () => {
    const s = fold(onLicenceInCommunity, supervisionEnded('2014-05-01'));
    expect(flags(s)).toEqual({ active: true, inCustody: false, underSupervision: false, onLicence: false });
  });
});

describe('MappaManagementEnded', () => {
  it('closes the period and clears the flags, keeping orders and charges as history', () => {
    const s = fold(
      registered('2014-04-01', { inCustody: false, underSupervision: true, onLicence: true }),
      sopoImposed('2014-04-02', 'S1'),
      sfoCharged('2014-04-03', 'C1'),
      managementEnded('2015-01-01'),
    );
    expect(flags(s)).toEqual({ active: false, inCustody: false, underSupervision: false, onLicence: false });
    expect(s.known).toBe(true);
    expect(Object.keys(s.orders)).toEqual(['S1']);
    expect(Object.keys(s.charges)).toEqual(['C1']);
  });
});

describe('OffenderTransferred', () => {
  it('moves the area and division, leaving no division when none is given', () => {
    expect(fold(registered('2014-04-01'), transferred('2014-05-01', 'kent', 'north-kent'))).toMatchObject({ area: 'kent', division: 'north-kent' });
    expect(fold(registered('2014-04-01'), transferred('2014-05-01', 'kent'))).toMatchObject({ area: 'kent', division: null });
  });
});

describe('orders and charges', () => {
  it('a SOPO is in force from its date up to and including its expiry', () => {
    const { orders } = fold(registered('2014-04-01'), sopoImposed('2014-05-01', 'S1', '2014-12-31'));
    expect(orderInForce(orders.S1, '2014-04-30')).toBe(false);
    expect(orderInForce(orders.S1, '2014-05-01')).toBe(true);
    expect(orderInForce(orders.S1, '2014-12-31')).toBe(true);
    expect(orderInForce(orders.S1, '2015-01-01')).toBe(false);
  });

  it('a charge keeps the level held when charged, and its outcome', () => {
    const { charges } = fold(registered('2014-04-01', { level: 2 }), sfoCharged('2014-05-01', 'C1'), levelChanged('2014-06-01', 1), sfoOutcome('2014-09-01', 'C1'));
    expect(charges.C1).toEqual({ chargedOn: '2014-05-01', levelAtCharge: 2, outcome: 'convicted', outcomeOn: '2014-09-01' });
  });
});

describe('stateAt', () => {
  it('folds in effective-date order, not arrival order (a back-dated custody counts from its date)', () => {
    const stream = streamOf([registered('2014-04-01'), levelChanged('2014-09-01', 2), custodyEntered('2014-06-01')]);
    expect(stateAt(stream, '2014-05-31').inCustody).toBe(false);
    expect(stateAt(stream, '2014-06-01')).toMatchObject({ inCustody: true, level: 1 });
    expect(stateAt(stream)).toMatchObject({ inCustody: true, level: 2 });
  });

  it('leaves out retracted events at every date', () => {
    const raise = levelChanged('2014-06-01', 2);
    const stream = streamOf([registered('2014-04-01'), raise, retracted('2014-08-01', raise.eventId)]);
    expect(stateAt(stream, '2014-07-01').level).toBe(1);
    expect(stateAt(stream).level).toBe(1);
  });
});
