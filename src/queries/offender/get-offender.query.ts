import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../auth/principal';
import type { OffenderState } from '../../domain/offender-state';
import type { ScopedRead } from './scoped-read';

export interface OffenderView {
  offenderId: string;
  /** Effective date the state is for (end of that day), or null for "all events". */
  asOf: string | null;
  /** Only events recorded at or before this instant count, or null for everything known. */
  asKnownAt: string | null;
  /** Revision of the last event taken into account (events of MAPPA periods the reader may not see are not). */
  revision: number;
  /** Global position of the last event of the stream taken into account. */
  position: string | null;
  state: Omit<OffenderState, 'known'>;
}

/** One offender's state at a date as known at a time (DOMAIN.md 4), folded over the MAPPA periods `reader` may read. */
export class GetOffenderQuery extends Query<ScopedRead<OffenderView>> {
  constructor(
    readonly offenderId: string,
    readonly reader: Principal,
    readonly asOf?: string,
    readonly asKnownAt?: Date,
  ) {
    super();
  }
}
