import { Query } from '@nestjs/cqrs';
import type { OffenderState } from '../../domain/offender-state';

export interface OffenderView {
  offenderId: string;
  /** Effective date the state is for (end of that day), or null for "all events". */
  asOf: string | null;
  /** Only events recorded at or before this instant count, or null for everything known. */
  asKnownAt: string | null;
  /** Revision of the last event taken into account (-1: none). */
  revision: number;
  /** Global position of the last event of the stream taken into account. */
  position: string | null;
  state: Omit<OffenderState, 'known'>;
}

/** The state of one offender at a date, as known at a time (DOMAIN.md 4). */
export class GetOffenderQuery extends Query<OffenderView> {
  constructor(
    readonly offenderId: string,
    readonly asOf?: string,
    readonly asKnownAt?: Date,
  ) {
    super();
  }
}
