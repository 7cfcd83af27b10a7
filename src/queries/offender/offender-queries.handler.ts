import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { readablePeriods } from '../../auth/access-policy';
import type { Principal } from '../../auth/principal';
import { areaGroups, lastPeriod, managingAreas, mappaPeriods, periodAt } from '../../domain/mappa-periods';
import type { RecordedOffenderEvent } from '../../domain/offender-event';
import { stateAt } from '../../domain/offender-timeline';
import { NotFoundError } from '../../errors';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store';
import { GetOffenderEventsQuery, type OffenderHistory } from './get-offender-events.query';
import { GetOffenderQuery, type OffenderView } from './get-offender.query';
import type { ScopedRead } from './scoped-read';

// Offender-level reads fold the offender's own stream (exact, and current with the last write); reports never do. Scoped by MAPPA period (docs/security.md).

@QueryHandler(GetOffenderQuery)
export class GetOffenderHandler implements IQueryHandler<GetOffenderQuery, ScopedRead<OffenderView>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ offenderId, reader, asOf, asKnownAt }: GetOffenderQuery): Promise<ScopedRead<OffenderView>> {
    const stream = await this.store.readStream(offenderId);
    const scope = readerScope(stream, reader);
    // Periods come from the record as known now: a registration retracted since grants nothing, whatever asKnownAt.
    const asked = asOf === undefined ? lastPeriod(scope.periods) : periodAt(scope.periods, asOf);
    return {
      managingAreas: asked?.areas ?? [],
      auditAreas: [asked?.areas ?? []],
      answer: () => {
        const visible = stream.filter(scope.visible);
        const known = asKnownAt ? visible.filter((e) => new Date(e.recordedAt) <= asKnownAt) : visible;
        if (known.length === 0) {
          throw new NotFoundError(
            asKnownAt && visible.length > 0 ? `Offender ${offenderId} was not yet known at ${asKnownAt.toISOString()}.` : `Offender ${offenderId} is not known to the service.`,
          );
        }
        const { known: _known, ...state } = stateAt(known, asOf);
        const last = known[known.length - 1];
        return {
          offenderId,
          asOf: asOf ?? null,
          asKnownAt: asKnownAt?.toISOString() ?? null,
          revision: last.revision,
          position: last.position.toString(),
          state,
        };
      },
    };
  }
}

@QueryHandler(GetOffenderEventsQuery)
export class GetOffenderEventsHandler implements IQueryHandler<GetOffenderEventsQuery, ScopedRead<OffenderHistory>> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ offenderId, reader }: GetOffenderEventsQuery): Promise<ScopedRead<OffenderHistory>> {
    const stream = await this.store.readStream(offenderId);
    const scope = readerScope(stream, reader);
    // A refused reader's entry goes to the areas whose record it asked for, an allowed one's to those it saw.
    const audited = scope.readable.length > 0 ? scope.readable : scope.periods;
    const groups = areaGroups(audited);
    return {
      managingAreas: managingAreas(scope.periods),
      auditAreas: groups.length > 0 ? groups : [[]],
      answer: () => {
        if (stream.length === 0) throw new NotFoundError(`Offender ${offenderId} is not known to the service.`);
        const retractedBy = new Map<string, string>();
        for (const e of stream) if (e.type === 'EventRetracted') retractedBy.set(e.data.retractedEventId, e.eventId);
        const events = stream.filter(scope.visible).map((e) => ({ ...e, position: e.position.toString(), retractedBy: retractedBy.get(e.eventId) ?? null }));
        return { events, hiddenPeriods: scope.periods.length - scope.readable.length };
      },
    };
  }
}

/** The offender's MAPPA periods, those `reader` may read, and which events it may see (those of its periods). */
function readerScope(stream: readonly RecordedOffenderEvent[], reader: Principal) {
  const { periods, periodOf } = mappaPeriods(stream);
  const readable = readablePeriods(reader, periods);
  const readableIndexes = new Set(readable.map((p) => p.index));
  const seesAll = readable.length === periods.length;
  const visible = (e: RecordedOffenderEvent): boolean => {
    const period = periodOf.get(e.revision) ?? null;
    return period === null ? seesAll : readableIndexes.has(period);
  };
  return { periods, readable, visible };
}
