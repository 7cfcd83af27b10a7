import { decide } from '../../src/domain/offender-decider';
import type { NewOffenderEvent } from '../../src/domain/offender-event';
import type { TimelineEvent } from '../../src/domain/offender-timeline';
import { seededRandom } from '../../src/synthetic/seeded-random';
import { dateOfDay, dayOf } from '../../src/synthetic/synthetic-calendar';

// Random histories that the decider accepts: proposals drawn at random, kept only when
// decide() says yes, in arrival order. Back-dated events and retractions come naturally.

const AREAS = ['greater-manchester', 'lancashire', 'merseyside'];
const GM_DIVISIONS = ['salford', 'bolton', 'wigan'];

export interface RandomHistoryOptions {
  seed: number;
  offenders: number;
  /** Proposals per offender (accepted ones are fewer). */
  proposals: number;
  /** Dates are drawn between these years (inclusive). */
  fromYear?: number;
  toYear?: number;
  /** Whether a proposal is kept (default: decide() accepts it); given the stream so far and the history's today. */
  keep?: (stream: readonly TimelineEvent[], candidate: NewOffenderEvent, today: string) => boolean;
}

export function randomHistory(options: RandomHistoryOptions): NewOffenderEvent[] {
  const rnd = seededRandom(options.seed).next;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fromYear = options.fromYear ?? 2012;
  const toYear = options.toYear ?? 2016;
  const dayCount = (toYear - fromYear + 1) * 365;
  const firstDay = dayOf(`${fromYear}-01-01`);
  const dateOf = (day: number) => dateOfDay(firstDay + day);
  let idCounter = 0;
  const uuid = () => {
    const n = (++idCounter).toString(16).padStart(12, '0');
    return `${(options.seed >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${n}`;
  };

  const streams = new Map<string, TimelineEvent[]>();
  const cursors = new Map<string, number>();
  const out: NewOffenderEvent[] = [];
  const ids = Array.from({ length: options.offenders }, (_, i) => `R${options.seed}-${i}`);
  for (const id of ids) {
    streams.set(id, []);
    cursors.set(id, Math.floor(rnd() * dayCount * 0.3));
  }

  for (let step = 0; step < options.offenders * options.proposals; step++) {
    const offenderId = pick(ids);
    const stream = streams.get(offenderId)!;
    // Mostly forward in time; sometimes back-dated by up to a year.
    let day = cursors.get(offenderId)!;
    const backDated = stream.length > 2 && rnd() < 0.1;
    if (backDated) day = Math.max(0, day - Math.floor(rnd() * 365));
    else day = Math.min(dayCount - 1, day + (rnd() < 0.3 ? 0 : Math.floor(rnd() * 120)));
    const occurredOn = dateOf(day);
    const n = stream.length;
    const ref = `X${n}`;
    const charges = stream.filter((e) => e.type === 'SfoCharged').map((e) => (e.data as { chargeId: string }).chargeId);
    const sopos = stream.filter((e) => e.type === 'SopoImposed').map((e) => (e.data as { orderId: string }).orderId);
    const area = pick(AREAS);
    const proposals: Array<Pick<NewOffenderEvent, 'type' | 'data'>> = [
      {
        type: 'OffenderRegistered',
        data: {
          area,
          category: pick([1, 1, 2, 3] as const),
          level: pick([2, 3] as const),
          division: area === 'greater-manchester' && rnd() < 0.8 ? pick(GM_DIVISIONS) : undefined,
          inCustody: rnd() < 0.3,
          underSupervision: rnd() < 0.6,
        },
      },
      { type: 'LevelChanged', data: { level: pick([1, 2, 3] as const) } },
      { type: 'LevelChanged', data: { level: pick([1, 2, 3] as const) } },
      { type: 'CategoryChanged', data: { category: pick([1, 2, 3] as const) } },
      { type: 'CustodyEntered', data: { reason: pick(['sentence', 'remand', 'recall'] as const) } },
      { type: 'ReleasedToCommunity', data: { onLicence: rnd() < 0.6 } },
      { type: 'LicenceBreached', data: { returnedToCustody: rnd() < 0.7 } },
      { type: 'SupervisionStarted', data: {} },
      { type: 'SupervisionEnded', data: {} },
      { type: 'OffenderTransferred', data: { toArea: area, toDivision: area === 'greater-manchester' ? pick(GM_DIVISIONS) : undefined } },
      { type: 'DivisionChanged', data: { division: pick(GM_DIVISIONS) } },
      { type: 'NotificationRequirementBreached', data: { outcome: pick(['caution', 'conviction', 'no-further-action'] as const) } },
      { type: 'SopoImposed', data: { orderId: `O${ref}` } },
      { type: 'NotificationOrderImposed', data: { orderId: `N${ref}` } },
      { type: 'ForeignTravelOrderImposed', data: { orderId: `F${ref}` } },
      ...(sopos.length ? [{ type: 'SopoBreached' as const, data: { orderId: pick(sopos), sentToCustody: rnd() < 0.5 } }] : []),
      { type: 'SfoCharged', data: { chargeId: `C${ref}` } },
      ...(charges.length
        ? [
            { type: 'SfoOutcomeRecorded' as const, data: { chargeId: pick(charges), outcome: pick(['convicted', 'acquitted', 'discontinued'] as const) } },
            { type: 'SeriousCaseReviewCommenced' as const, data: { reviewId: `S${ref}`, chargeId: pick(charges) } },
          ]
        : []),
      { type: 'MappaManagementEnded', data: { reason: 'other' } },
      ...(n > 1 && rnd() < 0.3 ? [{ type: 'EventRetracted' as const, data: { retractedEventId: pick(stream.slice(1)).eventId, reason: 'recorded in error' } }] : []),
    ] as Array<Pick<NewOffenderEvent, 'type' | 'data'>>;
    const proposal = pick(proposals);
    const candidate = { eventId: uuid(), offenderId, occurredOn, ...proposal } as NewOffenderEvent;
    const data = candidate.data as Record<string, unknown>;
    for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
    const today = dateOf(dayCount);
    if (options.keep ? options.keep(stream, candidate, today) : decide(stream, candidate, today).ok) {
      stream.push({ ...candidate, revision: n });
      out.push(candidate);
      if (!backDated) cursors.set(offenderId, day);
    }
  }
  return out;
}
