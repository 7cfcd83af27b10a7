import { Query } from '@nestjs/cqrs';
import type { RecordedOffenderEvent } from '../../domain/offender-event';

export type OffenderEventView = Omit<RecordedOffenderEvent, 'position'> & {
  position: string;
  /** The eventId of the EventRetracted that retracted this event, if any (auditors still see it). */
  retractedBy: string | null;
};

/** One offender's stream in revision order, retracted events marked. */
export class GetOffenderEventsQuery extends Query<OffenderEventView[]> {
  constructor(readonly offenderId: string) {
    super();
  }
}
