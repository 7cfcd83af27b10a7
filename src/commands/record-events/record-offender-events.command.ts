import { Command } from '@nestjs/cqrs';
import type { Caller } from '../../auth/principal';
import type { EventMetadata, NewOffenderEvent } from '../../domain/offender-event';
import type { MappaError } from '../../errors';

/** Who posts, through what, and under which request: becomes the events' metadata. */
export interface RecordContext {
  /** Whose authority: each event is checked against the access policy (src/auth/access-policy.ts). */
  principal: Caller;
  actor: string;
  agency: string;
  source: EventMetadata['source'];
  correlationId: string;
  causationId?: string | null;
  /** If-Match: the revision the caller last saw of the offender's stream (single-event posts). */
  expectedRevision?: number;
}

export type RecordOutcome =
  | { status: 'appended' | 'duplicate'; eventId: string; offenderId: string; revision: number; position: bigint; recordedAt: string }
  | { status: 'refused'; eventId: string; offenderId: string; error: MappaError };

/** Record events, each validated and appended on its own, in order, one outcome per event (INTERFACES.md). */
export class RecordOffenderEventsCommand extends Command<RecordOutcome[]> {
  constructor(
    readonly events: readonly NewOffenderEvent[],
    readonly context: RecordContext,
  ) {
    super();
  }
}
