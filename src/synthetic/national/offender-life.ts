import {
  registrationData,
  type Category,
  type CustodyReason,
  type Level,
  type NewOffenderEvent,
  type OffenderEventData,
  type OffenderEventType,
} from '../../domain/offender-event';
import { evolve, initialOffenderState, orderInForce, type OffenderState } from '../../domain/offender-state';
import type { SeededRandom } from '../seeded-random';
import { dateOfDay, DAYS_PER_YEAR } from '../synthetic-calendar';
import { RecordIds, type RecordKind } from '../synthetic-ids';
import { CATEGORY_SHAPE, RATES, registrationLevel } from './generation-shape';

// One offender's life simulated forward: each next event has a rate (generation-shape.ts) and the first to fire happens, over the domain's own evolve.

/** What the life needs from the history it belongs to. */
export interface LifeWorld {
  /** Last day of the history (no event after it). */
  endDay: number;
  /** Another area for a transfer (null: none, e.g. a one-area history). */
  otherArea(random: SeededRandom, current: string): string | null;
  /** An area for a new registration after a previous period ended elsewhere. */
  anyArea(random: SeededRandom): string;
  /** The divisions to use in an area (configured ones, or synthetic ones where none are). */
  divisionsOf(area: string): readonly string[];
  /** The next event id of the history (deterministic). */
  nextEventId(): string;
}

/** One event of the life with the day it happens and the day the service learns it. */
export interface LifeItem {
  event: NewOffenderEvent;
  occurredDay: number;
  recordedDay: number;
  /** Creation order within the life: breaks ties of recordedDay. */
  order: number;
  late: boolean;
}

type Scheduled =
  { day: number; kind: 'end' } | { day: number; kind: 'outcome'; chargeId: string } | { day: number; kind: 'review'; chargeId: string } | { day: number; kind: 'remand' };

/** Event types that may reach the service late without breaking what arrives in between. */
const MAY_BE_LATE: ReadonlySet<OffenderEventType> = new Set([
  'NotificationRequirementBreached',
  'SopoImposed',
  'NotificationOrderImposed',
  'ForeignTravelOrderImposed',
  'DivisionChanged',
  'SfoOutcomeRecorded',
]);

const perYear = (rate: number) => rate / DAYS_PER_YEAR;

/** A possible next event: its rate per day, and what it does (the end reason if it ends the period). */
interface Move {
  rate: number;
  run: (day: number) => string | null | void;
}

export class OffenderLife {
  readonly items: LifeItem[] = [];
  private order = 0;
  private readonly recordIds: RecordIds;

  /** The offender's state today: evolve over the events written so far, less those recorded in error. */
  private state: OffenderState = initialOffenderState();
  /** Not in the state, but how long custody lasts depends on it. */
  private custodyReason: CustodyReason = 'sentence';
  /** The day the service learns of each SOPO: a late SOPO is breached only once recorded. */
  private readonly sopoKnownOn = new Map<string, number>();
  private schedule: Scheduled[] = [];
  /** Events recorded in error, with the day their retraction reaches the service. */
  private retractions: Array<{ day: number; target: NewOffenderEvent }> = [];
  /** No level change until this day: a level recorded in error awaits its retraction. */
  private levelBlockedUntil = -1;

  constructor(
    readonly offenderId: string,
    private readonly random: SeededRandom,
    private readonly world: LifeWorld,
  ) {
    this.recordIds = new RecordIds(offenderId);
  }

  // Read once the life has registered, which is the first thing it does.
  private get area(): string {
    return this.state.area as string;
  }
  private get category(): Category {
    return this.state.category as Category;
  }
  private get level(): Level {
    return this.state.level as Level;
  }
  private get openCharges(): number {
    return Object.values(this.state.charges).filter((charge) => charge.outcome === null).length;
  }

  /** Simulates from the first registration on `day` to the end of the history. */
  live(day: number, area: string, category: Category): this {
    let registration: { day: number; area: string; category: Category } | null = { day, area, category };
    while (registration) {
      this.register(registration.day, registration.area, registration.category);
      const ended = this.runPeriod(registration.day);
      registration = null;
      if (ended && ended.reason !== 'deceased' && this.random.chance(RATES.reRegistration)) {
        const next = ended.day + this.random.int(365, 6 * 365);
        if (next <= this.world.endDay) {
          const sameArea = this.random.chance(0.7);
          registration = { day: next, area: sameArea ? this.area : this.world.anyArea(this.random), category: this.category === 3 ? 2 : this.category };
        }
      }
    }
    // A retraction is a correction of the record, allowed whether or not a period is open.
    for (const r of this.retractions) this.retract(r.day, r.target);
    return this;
  }

  /** Runs one MAPPA period; the end day and reason, or null when the history ends first. */
  private runPeriod(from: number): { day: number; reason: string } | null {
    let day = from;
    for (;;) {
      const moves = this.possibleMoves(day);
      const total = moves.reduce((sum, m) => sum + m.rate, 0);
      const wait = total > 0 ? Math.max(1, Math.ceil(-Math.log(1 - this.random.next()) / total)) : Number.POSITIVE_INFINITY;
      const next = this.nextScheduled();
      if (next && next.day <= day + wait) {
        this.schedule.splice(this.schedule.indexOf(next), 1);
        day = Math.max(day, next.day);
        if (day > this.world.endDay) return null;
        const ended = this.runScheduled(day, next);
        if (ended) return { day, reason: ended };
        continue;
      }
      day += wait;
      if (day > this.world.endDay) return null;
      let u = this.random.next() * total;
      const move = moves.find((m) => (u -= m.rate) < 0) ?? moves[moves.length - 1];
      const ended = move.run(day);
      if (ended) return { day, reason: ended };
    }
  }

  private nextScheduled(): Scheduled | undefined {
    let first: Scheduled | undefined;
    for (const s of this.schedule) if (!first || s.day < first.day) first = s;
    return first;
  }

  private runScheduled(day: number, item: Scheduled): string | null {
    switch (item.kind) {
      case 'end':
        if (this.openCharges > 0) {
          // An SFO case is still open: MAPPA management goes on until it is decided.
          this.schedule.push({ day: day + this.random.int(30, 180), kind: 'end' });
          return null;
        }
        return this.end(day);
      case 'outcome': {
        const outcome = this.weighted(RATES.sfoOutcomes);
        this.record(day, 'SfoOutcomeRecorded', { chargeId: item.chargeId, outcome });
        return null;
      }
      case 'review':
        this.record(day, 'SeriousCaseReviewCommenced', { reviewId: this.newId('SCR'), chargeId: item.chargeId });
        return null;
      case 'remand':
        if (!this.state.inCustody) this.enterCustody(day, 'remand');
        return null;
    }
  }

  private possibleMoves(day: number): Move[] {
    const moves: Move[] = [];
    const add = (ratePerYear: number, run: Move['run']) => {
      if (ratePerYear > 0) moves.push({ rate: perYear(ratePerYear), run });
    };
    const cat = this.category;

    if (this.state.inCustody) {
      add(1 / RATES.custodyStayYears[this.custodyReason], (d) => this.release(d));
    } else {
      add(RATES.custodyEntry, (d) => this.enterCustody(d, this.weighted(RATES.custodyReasons)));
      if (this.state.onLicence) {
        add(RATES.licenceBreach, (d) => {
          const recalled = this.random.chance(RATES.licenceBreachReturnsToCustody);
          this.record(d, 'LicenceBreached', { returnedToCustody: recalled });
          if (recalled) this.custodyReason = 'recall';
        });
        add(1 / RATES.licenceEndYears, (d) => {
          if (cat === 2 && this.openCharges === 0) {
            this.record(d, 'SupervisionEnded', {});
            return this.end(d, 'licence-expired');
          }
          this.endSupervision(d);
          return null;
        });
      } else if (this.state.underSupervision) {
        add(1 / RATES.communityOrderEndYears, (d) => this.endSupervision(d));
      } else {
        add(RATES.supervisionStart, (d) => {
          this.record(d, 'SupervisionStarted', {});
        });
        if (cat === 2) add(1 / RATES.category2UnsupervisedEndYears, (d) => (this.openCharges === 0 ? this.end(d, 'no-longer-eligible') : null));
      }
      if (this.world.divisionsOf(this.area).length > 1) add(RATES.divisionChange, (d) => this.changeDivision(d));
      add(RATES.transfer, (d) => this.transfer(d));
      if (cat === 1) {
        add(RATES.notificationBreach, (d) => {
          this.record(d, 'NotificationRequirementBreached', { outcome: this.weighted(RATES.notificationBreachOutcomes) });
        });
        add(RATES.sopoImposed, (d) => this.imposeSopo(d));
        add(RATES.notificationOrderImposed, (d) => {
          this.record(d, 'NotificationOrderImposed', { orderId: this.newId('NO') });
        });
        add(RATES.foreignTravelOrderImposed, (d) => {
          const expiresOn = dateOfDay(d + this.random.int(180, 5 * 365));
          this.record(d, 'ForeignTravelOrderImposed', { orderId: this.newId('FTO'), expiresOn });
        });
        if (this.breachableSopos(day).length > 0) add(RATES.sopoBreach, (d) => this.breachSopo(d));
      }
      if (this.state.underSupervision) {
        add(RATES.sfoCharge * (this.level > 1 ? RATES.sfoChargeAtLevel2Or3Factor : 1), (d) => this.chargeSfo(d));
      }
      add(RATES.recordedInError, (d) => this.recordInError(d));
    }

    if (day >= this.levelBlockedUntil) {
      if (this.level === 1) {
        add(RATES.level1To2, (d) => this.changeLevel(d, 2));
        add(RATES.level1To3, (d) => this.changeLevel(d, 3));
      } else if (this.level === 2) {
        add(RATES.level2To3, (d) => this.changeLevel(d, 3));
        if (cat !== 3) add(RATES.level2To1, (d) => this.changeLevel(d, 1));
      } else {
        add(RATES.level3To2, (d) => this.changeLevel(d, 2));
        if (cat !== 3) add(RATES.level3To1, (d) => this.changeLevel(d, 1));
      }
    }
    if (cat === 2) add(RATES.category2To1, (d) => this.changeCategory(d, 1));
    if (cat === 1) add(RATES.category1To2, (d) => this.changeCategory(d, 2));
    return moves;
  }

  // ---- what each move records (the state follows by evolve)

  private register(day: number, area: string, category: Category): void {
    const shape = CATEGORY_SHAPE[category];
    const level = registrationLevel(shape, this.random.next());
    const inCustody = this.random.chance(shape.registeredInCustody);
    const underSupervision = !inCustody && this.random.chance(shape.supervisedInCommunity);
    const onLicence = underSupervision && this.random.chance(shape.onLicenceIfSupervised);
    const divisions = this.world.divisionsOf(area);
    const division = divisions.length > 0 && !this.random.chance(RATES.noDivision) ? this.random.pick(divisions) : undefined;
    this.record(day, 'OffenderRegistered', registrationData({ area, category, level, division, inCustody, underSupervision, onLicence }));
    this.custodyReason = 'sentence';
    // Category 2 periods end with the licence; the others last a drawn number of years.
    if (category !== 2) this.scheduleEnd(day, category);
  }

  private scheduleEnd(day: number, category: Category): void {
    const years = -Math.log(1 - this.random.next()) * CATEGORY_SHAPE[category].meanPeriodYears;
    this.schedule.push({ day: day + Math.max(30, Math.round(years * DAYS_PER_YEAR)), kind: 'end' });
  }

  private end(day: number, reason = this.weighted(RATES.endReasons[this.category])): string {
    this.record(day, 'MappaManagementEnded', { reason });
    this.schedule = [];
    return reason;
  }

  private release(day: number): void {
    const reason = this.custodyReason;
    const onLicence = reason === 'recall' || (reason === 'sentence' && this.random.chance(RATES.licenceAfterSentence[this.category]));
    this.record(day, 'ReleasedToCommunity', { onLicence });
  }

  private enterCustody(day: number, reason: CustodyReason): void {
    this.record(day, 'CustodyEntered', { reason });
    this.custodyReason = reason;
  }

  private endSupervision(day: number): void {
    this.record(day, 'SupervisionEnded', {});
  }

  private changeLevel(day: number, level: Level): void {
    this.record(day, 'LevelChanged', { level, ...(level > 1 ? { reason: 'MAPPA meeting' } : {}) });
  }

  private changeCategory(day: number, category: Category): void {
    this.record(day, 'CategoryChanged', { category });
    if (!this.schedule.some((s) => s.kind === 'end')) this.scheduleEnd(day, category);
  }

  private changeDivision(day: number): void {
    const choices = this.world.divisionsOf(this.area).filter((d) => d !== this.state.division);
    this.record(day, 'DivisionChanged', { division: this.random.pick(choices) });
  }

  private transfer(day: number): void {
    const toArea = this.world.otherArea(this.random, this.area);
    if (toArea === null) return;
    const divisions = this.world.divisionsOf(toArea);
    const toDivision = divisions.length > 0 && this.random.chance(0.9) ? this.random.pick(divisions) : undefined;
    this.record(day, 'OffenderTransferred', { toArea, ...(toDivision === undefined ? {} : { toDivision }) });
  }

  private imposeSopo(day: number): void {
    const orderId = this.newId('SOPO');
    const expires = this.random.chance(RATES.sopoWithExpiry) ? day + 5 * 365 : null;
    this.record(day, 'SopoImposed', { orderId, ...(expires === null ? {} : { expiresOn: dateOfDay(expires) }) });
    this.sopoKnownOn.set(orderId, this.items[this.items.length - 1].recordedDay);
  }

  private breachSopo(day: number): void {
    const inForce = this.breachableSopos(day);
    if (inForce.length === 0) return;
    const sentToCustody = this.random.chance(RATES.sopoBreachSentToCustody);
    this.record(day, 'SopoBreached', { orderId: this.random.pick(inForce), sentToCustody });
    if (sentToCustody) this.custodyReason = 'sentence';
  }

  /** SOPOs in force on the day and already known to the service, in the order imposed. */
  private breachableSopos(day: number): string[] {
    const on = dateOfDay(day);
    return Object.entries(this.state.orders)
      .filter(([orderId, order]) => order.kind === 'sopo' && orderInForce(order, on) && (this.sopoKnownOn.get(orderId) as number) < day)
      .map(([orderId]) => orderId);
  }

  private chargeSfo(day: number): void {
    const chargeId = this.newId('SFO');
    this.record(day, 'SfoCharged', { chargeId });
    const outcomeDay = day + this.random.int(120, 540);
    this.schedule.push({ day: outcomeDay, kind: 'outcome', chargeId });
    if (this.random.chance(RATES.remandAfterCharge)) this.schedule.push({ day: day + this.random.int(0, 14), kind: 'remand' });
    if (this.level > 1 && this.random.chance(RATES.seriousCaseReviewAtLevel2Or3)) {
      this.schedule.push({ day: day + this.random.int(30, 120), kind: 'review', chargeId });
    }
  }

  /** An event recorded in error (wrong offender, wrong level), retracted days or weeks later. */
  private recordInError(day: number): void {
    const retractOn = Math.min(this.world.endDay, day + this.random.int(1, 30));
    let target: NewOffenderEvent;
    if (this.category === 1 && this.random.chance(0.6)) {
      target = this.random.chance(0.5)
        ? this.record(day, 'NotificationRequirementBreached', { outcome: 'caution' }, 'in error')
        : this.record(day, 'SopoImposed', { orderId: this.newId('SOPO') }, 'in error');
    } else if (this.level === 1 && this.category !== 3 && day >= this.levelBlockedUntil) {
      target = this.record(day, 'LevelChanged', { level: 2, reason: 'MAPPA meeting' }, 'in error');
      this.levelBlockedUntil = retractOn + 1;
    } else {
      return;
    }
    this.retractions.push({ day: retractOn, target });
  }

  private retract(day: number, target: NewOffenderEvent): void {
    this.record(Math.min(day, this.world.endDay), 'EventRetracted', { retractedEventId: target.eventId, reason: 'recorded in error' }, 'correction');
  }

  // ---- the record

  /** Writes an event: a late fact moves the state on; an event recorded in error and its correction leave it as it was. */
  private record<T extends OffenderEventType>(day: number, type: T, data: OffenderEventData[T], as: 'fact' | 'in error' | 'correction' = 'fact'): NewOffenderEvent {
    const event = { eventId: this.world.nextEventId(), type, offenderId: this.offenderId, occurredOn: dateOfDay(day), data } as NewOffenderEvent;
    let recordedDay = day;
    const lateType = MAY_BE_LATE.has(type) || (type === 'LicenceBreached' && !(data as { returnedToCustody: boolean }).returnedToCustody);
    if (as === 'fact' && lateType && this.random.chance(RATES.lateRecord)) {
      recordedDay = Math.min(this.world.endDay, day + this.random.int(1, RATES.lateRecordMaxDays));
    }
    this.items.push({ event, occurredDay: day, recordedDay, order: this.order++, late: recordedDay > day });
    if (as === 'fact') this.state = evolve(this.state, event);
    return event;
  }

  private newId(kind: RecordKind): string {
    return this.recordIds.next(kind);
  }

  private weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    let u = this.random.next();
    for (const [value, weight] of choices) if ((u -= weight) < 0) return value;
    return choices[choices.length - 1][0];
  }
}
