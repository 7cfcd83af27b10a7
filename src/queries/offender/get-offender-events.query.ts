import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../auth/principal';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import type { ScopedRead } from './scoped-read';

export type OffenderEventView = Omit<RecordedOffenderEvent, 'position'> & {
  position: string;
  /** The eventId of the EventRetracted that retracted this event, if any (auditors still see it). */
  retractedBy: string | null;
};

export interface OffenderHistory {
  /** The events of the MAPPA periods the reader may read, in revision order. */
  events: OffenderEventView[];
  /** How many MAPPA periods of the offender the reader may not see (their events are left out; nothing else is said of them). */
  hiddenPeriods: number;
}

/** One offender's stream in revision order, retracted events marked, limited to the MAPPA periods `reader` may read. */
export class GetOffenderEventsQuery extends Query<ScopedRead<OffenderHistory>> {
  constructor(
    readonly offenderId: string,
    readonly reader: Principal,
  ) {
    super();
  }
}
