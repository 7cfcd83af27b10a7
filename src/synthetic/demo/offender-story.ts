import { registrationData, type Category, type Level, type NewOffenderEvent, type OffenderEventData, type OffenderEventType } from '../../domain/offender-event';
import type { OffenderState } from '../../domain/offender-state';
import { stateAt } from '../../domain/offender-timeline';
import { RecordIds, type EventIds, type RecordKind } from '../synthetic-ids';

// One offender's history in effective-date order, each event with the date the service learns it (`recordedOn`): a late record or a retraction comes later.

export interface StoryItem {
  event: NewOffenderEvent;
  /** When the event reaches the service (its arrival order), YYYY-MM-DD. */
  recordedOn: string;
  /** Creation order over the whole history: breaks ties of recordedOn. */
  seq: number;
}

export class OffenderStory {
  /** Events in effective order: by occurredOn, then the order they were written. */
  readonly items: StoryItem[] = [];
  private readonly recordIds: RecordIds;

  constructor(
    readonly offenderId: string,
    private readonly ids: EventIds,
  ) {
    this.recordIds = new RecordIds(offenderId);
  }

  /** Adds an event at its date; a `recordedOn` after the date makes it a late, back-dated record. */
  record<T extends OffenderEventType>(occurredOn: string, type: T, data: OffenderEventData[T], recordedOn = occurredOn): NewOffenderEvent {
    if (recordedOn < occurredOn) throw new Error(`${this.offenderId}: ${type} of ${occurredOn} cannot be recorded before it happened.`);
    const { eventId, seq } = this.ids.next();
    const event = { eventId, offenderId: this.offenderId, occurredOn, type, data } as NewOffenderEvent;
    let at = this.items.length;
    while (at > 0 && this.items[at - 1].event.occurredOn > occurredOn) at--;
    this.items.splice(at, 0, { event, recordedOn, seq });
    return event;
  }

  /** Retracts an event recorded in error, the correction reaching the service on `recordedOn`. */
  retract(target: NewOffenderEvent, recordedOn: string, reason: string): NewOffenderEvent {
    return this.record(recordedOn, 'EventRetracted', { retractedEventId: target.eventId, reason });
  }

  /** State at the end of `date` (every event when absent), by the domain's own fold. */
  stateAt(date?: string): OffenderState {
    return stateAt(
      this.items.map((item, revision) => ({ ...item.event, revision })),
      date,
    );
  }

  // Shorthands for the events the demonstration histories use most.

  register(
    on: string,
    registration: { area: string; category: Category; level: Level; division?: string; inCustody?: boolean; underSupervision?: boolean; onLicence?: boolean },
  ): NewOffenderEvent {
    const { area, category, level, division, inCustody = false, underSupervision = false, onLicence = false } = registration;
    return this.record(on, 'OffenderRegistered', registrationData({ area, category, level, division, inCustody, underSupervision, onLicence }));
  }

  /** A new id for an order, charge or review of this offender (unique per offender, DOMAIN.md 4). */
  newId(kind: RecordKind): string {
    return this.recordIds.next(kind);
  }

  /** Date of the last event in effective order. */
  get lastDate(): string {
    return this.items[this.items.length - 1]?.event.occurredOn ?? '0000-01-01';
  }
}
