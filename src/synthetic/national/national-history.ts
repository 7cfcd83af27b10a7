import { derivedRandom, seededRandom, type SeededRandom } from '../seeded-random';
import { EventIds } from '../synthetic-ids';
import { decide } from '../../domain/offender-decider';
import { advanceTail, foldTail, type StreamTail } from '../../domain/stream-tail';
import type { Category, NewOffenderEvent } from '../../domain/offender-event';
import { evolve, initialOffenderState, type OffenderState } from '../../domain/offender-state';
import { effectiveTimeline, type TimelineEvent } from '../../domain/offender-timeline';
import { AREAS, divisionsOf, isArea } from '../../domain/reference-areas';
import { populationAged10Plus } from '../../reports/reference-data';
import { ArrivalQueue, type PendingOffender } from './arrival-queue';
import { dateOfDay, dayOf, DAYS_PER_YEAR } from '../synthetic-calendar';
import { CATEGORY_SHAPE, SYNTHETIC_DIVISIONS } from './generation-shape';
import { OffenderLife, type LifeItem, type LifeWorld } from './offender-life';

// `mappa generate`: a deterministic national history in arrival order, every event checked with the domain's decide(), so `mappa import` accepts it all.
// Offenders are generated on their registration day and forgotten once ended, so memory follows the offenders live at once.

export interface NationalHistoryOptions {
  /** Area ids (default: all 42). */
  areas?: readonly string[];
  /** Offenders active (under MAPPA, in custody or not) on any 31 March, over all the areas. */
  activeOffenders?: number;
  /** First report year: the history starts on 1 April of it. */
  fromYear?: number;
  /** The history ends on 31 March of this year. */
  toYear?: number;
  seed?: number;
}

export const NATIONAL_DEFAULTS = { activeOffenders: 100_000, fromYear: 2005, toYear: 2025, seed: 20_050_401 } as const;

/** Preset sizes: smoke for CI, medium (10 areas), national (the default of the issue). */
export const GENERATE_SCALES = {
  smoke: { areas: 3, activeOffenders: 600, fromYear: 2012, toYear: 2016 },
  medium: { areas: 10, activeOffenders: 25_000, fromYear: 2005, toYear: 2025 },
  national: { areas: 42, activeOffenders: 100_000, fromYear: 2005, toYear: 2025 },
} as const;

export type GenerateScale = keyof typeof GENERATE_SCALES;

/** The first `count` areas of a history: Greater Manchester (the shape's source) first, then alphabetical. */
export function firstAreas(count: number): string[] {
  const ordered = ['greater-manchester', ...AREAS.filter((a) => a !== 'greater-manchester')];
  return ordered.slice(0, Math.max(1, Math.min(AREAS.length, count)));
}

export interface GeneratedLine {
  /** One NDJSON line (no newline): the event as a poster sends it. */
  line: string;
  /** The day the event reaches the service, YYYY-MM-DD (non-decreasing along the output). */
  recordedOn: string;
}

/** Counts on one 31 March, from the accepted events (DOMAIN.md 4 fold). */
export interface SnapshotCounts {
  date: string;
  active: number;
  /** Active (in custody or not) by category. */
  activeByCategory: Record<'1' | '2' | '3', number>;
  inCommunity: number;
  /** In the community, by category and by level (6.1). */
  byCategory: Record<'1' | '2' | '3', number>;
  byLevel: Record<'1' | '2' | '3', number>;
}

export interface GenerationStats {
  offenders: number;
  events: number;
  byType: Record<string, number>;
  /** Events recorded after the day they happened. */
  late: number;
  /** Of those, the ones that reach the service after a later-dated event of the same offender (back-dated). */
  backDated: number;
  /** Events the decider refused, left out of the output (should be a handful). */
  refused: number;
  refusedByRule: Record<string, number>;
  /** The first few refusals, for whoever tunes the shape: offender, event and the decider's message. */
  refusedSamples: string[];
  /** Most offenders with events still waiting for their arrival day (a memory bound). */
  maxPendingOffenders: number;
  snapshots: SnapshotCounts[];
}

export class NationalHistory {
  readonly areas: readonly string[];
  readonly activeOffenders: number;
  readonly fromYear: number;
  readonly toYear: number;
  readonly seed: number;
  readonly stats: GenerationStats;
  private readonly startDay: number;
  private readonly endDay: number;
  private readonly snapshotDays: number[];
  private readonly cumulativeWeights: number[];
  private readonly prefixes: Map<string, string>;
  private readonly areaCounters = new Map<string, number>();
  private readonly eventIds: EventIds;
  private offenderCounter = 0;

  constructor(options: NationalHistoryOptions = {}) {
    this.areas = [...(options.areas ?? AREAS)];
    if (this.areas.length === 0 || this.areas.some((a) => !isArea(a))) throw new Error('generate: areas must be MAPPA area ids.');
    this.activeOffenders = options.activeOffenders ?? NATIONAL_DEFAULTS.activeOffenders;
    this.fromYear = options.fromYear ?? NATIONAL_DEFAULTS.fromYear;
    this.toYear = options.toYear ?? NATIONAL_DEFAULTS.toYear;
    if (!(this.toYear > this.fromYear)) throw new Error('generate: the last year must be after the first.');
    this.seed = (options.seed ?? NATIONAL_DEFAULTS.seed) >>> 0;
    this.eventIds = new EventIds(this.seed);
    this.startDay = dayOf(`${this.fromYear}-04-01`);
    this.endDay = dayOf(`${this.toYear}-03-31`);
    this.snapshotDays = [];
    for (let y = this.fromYear + 1; y <= this.toYear; y++) this.snapshotDays.push(dayOf(`${y}-03-31`));
    // Offenders per area follow the population aged 10 and over (reference data, mid-2014).
    let sum = 0;
    this.cumulativeWeights = this.areas.map((a) => (sum += populationAged10Plus(a, 2014) ?? 1_000_000));
    this.prefixes = new Map(AREAS.map((a, i) => [a, offenderIdPrefix(a, i)]));
    this.stats = {
      offenders: 0,
      events: 0,
      byType: {},
      late: 0,
      backDated: 0,
      refused: 0,
      refusedByRule: {},
      refusedSamples: [],
      maxPendingOffenders: 0,
      snapshots: this.snapshotDays.map((d) => ({
        date: dateOfDay(d),
        active: 0,
        activeByCategory: { 1: 0, 2: 0, 3: 0 },
        inCommunity: 0,
        byCategory: { 1: 0, 2: 0, 3: 0 },
        byLevel: { 1: 0, 2: 0, 3: 0 },
      })),
    };
  }

  get firstDate(): string {
    return dateOfDay(this.startDay);
  }

  get lastDate(): string {
    return dateOfDay(this.endDay);
  }

  /** Every event of the history, in arrival order. */
  *lines(): Generator<GeneratedLine> {
    const random = seededRandom(this.seed);
    const queue = new ArrivalQueue();
    const world = this.world();
    // The case load already under MAPPA when the history starts is registered over its first month.
    const initialDays = 30;
    const initial = this.activeOffenders;
    const arrivalsPerDay = ([1, 2, 3] as Category[]).map((c) => (CATEGORY_SHAPE[c].stockShare * this.activeOffenders) / (CATEGORY_SHAPE[c].meanPeriodYears * DAYS_PER_YEAR));

    for (let day = this.startDay; day <= this.endDay; day++) {
      const offset = day - this.startDay;
      if (offset < initialDays) {
        const count = Math.floor((initial * (offset + 1)) / initialDays) - Math.floor((initial * offset) / initialDays);
        for (let i = 0; i < count; i++) queue.push(this.newOffender(day, stockCategory(random), world, random));
      }
      for (const c of [1, 2, 3] as Category[]) {
        const count = poisson(random, arrivalsPerDay[c - 1]);
        for (let i = 0; i < count; i++) queue.push(this.newOffender(day, c, world, random));
      }
      if (queue.size > this.stats.maxPendingOffenders) this.stats.maxPendingOffenders = queue.size;
      // Whoever registers later cannot have an event arriving today or before: today's lines are final.
      yield* drain(queue, day);
    }
    yield* drain(queue, Number.POSITIVE_INFINITY);
  }

  private world(): LifeWorld {
    const endDay = this.endDay;
    return {
      endDay,
      otherArea: (random, current) => {
        if (this.areas.length < 2) return null;
        for (;;) {
          const area = this.pickArea(random);
          if (area !== current) return area;
        }
      },
      anyArea: (random) => this.pickArea(random),
      divisionsOf: (area) => divisionsOf(area) ?? SYNTHETIC_DIVISIONS,
      nextEventId: () => this.eventIds.next().eventId,
    };
  }

  private pickArea(random: SeededRandom): string {
    const total = this.cumulativeWeights[this.cumulativeWeights.length - 1];
    const u = random.next() * total;
    let lo = 0;
    let hi = this.cumulativeWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeWeights[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return this.areas[lo];
  }

  /** Simulates one offender's whole life, keeps the events decide() accepts, and queues their lines. */
  private newOffender(day: number, category: Category, world: LifeWorld, random: SeededRandom): PendingOffender {
    const area = this.pickArea(random);
    const n = (this.areaCounters.get(area) ?? 0) + 1;
    this.areaCounters.set(area, n);
    const seq = this.offenderCounter++;
    const offenderId = `${this.prefixes.get(area)}-${String(n).padStart(7, '0')}`;
    const life = new OffenderLife(offenderId, derivedRandom(this.seed, seq), world).live(day, area, category);
    const arrival = [...life.items].sort((a, b) => a.recordedDay - b.recordedDay || a.order - b.order);
    const stream = this.accept(arrival);
    this.countSnapshots(stream);
    this.stats.offenders++;
    const pending: PendingOffender = { seq, days: [], lines: [], next: 0 };
    for (let i = 0; i < stream.length; i++) {
      pending.days.push(stream[i].recordedDay);
      pending.lines.push(toLine(stream[i].event));
    }
    return pending;
  }

  /** The life's events that decide() accepts, each judged against the ones accepted before it. */
  private accept(arrival: readonly LifeItem[]): Array<{ event: TimelineEvent; recordedDay: number }> {
    const stream: TimelineEvent[] = [];
    const out: Array<{ event: TimelineEvent; recordedDay: number }> = [];
    let latest = '';
    let tail: StreamTail | undefined;
    for (const item of arrival) {
      tail ??= foldTail(stream);
      const decision = decide(stream, item.event, dateOfDay(item.recordedDay), tail);
      if (!decision.ok) {
        this.stats.refused++;
        const rule = decision.error.details[0]?.rule ?? decision.error.code;
        this.stats.refusedByRule[rule] = (this.stats.refusedByRule[rule] ?? 0) + 1;
        if (this.stats.refusedSamples.length < 10) {
          this.stats.refusedSamples.push(`${item.event.offenderId} ${item.event.type} ${item.event.occurredOn}: ${decision.error.message}`);
        }
        continue;
      }
      const event: TimelineEvent = { ...item.event, revision: stream.length };
      stream.push(event);
      tail = advanceTail(tail, event);
      out.push({ event, recordedDay: item.recordedDay });
      this.stats.events++;
      this.stats.byType[event.type] = (this.stats.byType[event.type] ?? 0) + 1;
      if (item.recordedDay > item.occurredDay && event.type !== 'EventRetracted') this.stats.late++;
      if (event.type !== 'EventRetracted') {
        if (event.occurredOn < latest) this.stats.backDated++;
        else latest = event.occurredOn;
      }
    }
    return out;
  }

  /** Adds the offender's state on each 31 March to the snapshot counts (one fold in effective order). */
  private countSnapshots(accepted: ReadonlyArray<{ event: TimelineEvent }>): void {
    const timeline = effectiveTimeline(accepted.map((a) => a.event));
    let state: OffenderState = initialOffenderState();
    let i = 0;
    this.snapshotDays.forEach((day, k) => {
      const date = dateOfDay(day);
      while (i < timeline.length && timeline[i].occurredOn <= date) state = evolve(state, timeline[i++]);
      if (!state.active) return;
      const counts = this.stats.snapshots[k];
      counts.active++;
      counts.activeByCategory[String(state.category) as '1']++;
      if (state.inCustody) return;
      counts.inCommunity++;
      counts.byCategory[String(state.category) as '1']++;
      counts.byLevel[String(state.level) as '1']++;
    });
  }
}

function* drain(queue: ArrivalQueue, upTo: number): Generator<GeneratedLine> {
  while (queue.size > 0 && queue.peekDay() <= upTo) {
    const offender = queue.pop()!;
    const day = offender.days[offender.next];
    const recordedOn = dateOfDay(day);
    while (offender.next < offender.lines.length && offender.days[offender.next] === day) {
      yield { line: offender.lines[offender.next], recordedOn };
      offender.next++;
    }
    if (offender.next < offender.lines.length) queue.push(offender);
  }
}

/** The event as a poster sends it (INTERFACES.md): no recordedAt, no revision. */
const toLine = (e: NewOffenderEvent): string => JSON.stringify({ eventId: e.eventId, type: e.type, offenderId: e.offenderId, occurredOn: e.occurredOn, data: e.data });

/** A category drawn by the shares of the active population (the case load at the start). */
function stockCategory(random: SeededRandom): Category {
  const u = random.next();
  if (u < CATEGORY_SHAPE[1].stockShare) return 1;
  return u < CATEGORY_SHAPE[1].stockShare + CATEGORY_SHAPE[2].stockShare ? 2 : 3;
}

/** A Poisson-distributed count with the given mean (Knuth; the means here are small). */
function poisson(random: SeededRandom, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}

function normal(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** A pseudonymous offender id prefix per area: its initials and its place in the list, e.g. GM13. */
function offenderIdPrefix(area: string, index: number): string {
  const words = area.split('-').filter((w) => w !== 'and');
  const letters = words.length > 1 ? words.map((w) => w[0]).join('') : area.slice(0, 2);
  return `${letters.toUpperCase()}${String(index + 1).padStart(2, '0')}`;
}
