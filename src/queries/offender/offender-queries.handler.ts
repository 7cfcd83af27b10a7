import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { areasOfOffender } from '../../domain/responsible-area';
import { stateAt } from '../../domain/offender-timeline';
import { echo, NotFoundError } from '../../errors';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store';
import { GetOffenderAreasQuery } from './get-offender-areas.query';
import { GetOffenderEventsQuery, type OffenderEventView } from './get-offender-events.query';
import { GetOffenderQuery, type OffenderView } from './get-offender.query';

// Offender-level reads fold the offender's own stream: exact for any asOf/asKnownAt and always
// up to date with the last write (one stream is small). Reports never do this: they read
// the read models (src/reports).

@QueryHandler(GetOffenderQuery)
export class GetOffenderHandler implements IQueryHandler<GetOffenderQuery, OffenderView> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ offenderId, asOf, asKnownAt }: GetOffenderQuery): Promise<OffenderView> {
    const stream = await this.store.readStream(offenderId);
    const known = asKnownAt ? stream.filter((e) => new Date(e.recordedAt) <= asKnownAt) : stream;
    if (known.length === 0) {
      throw new NotFoundError(
        asKnownAt && stream.length > 0
          ? `Offender ${offenderId} was not yet known at ${asKnownAt.toISOString()}.`
          : `Offender ${echo(offenderId)} is not known to the service.`,
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
  }
}

@QueryHandler(GetOffenderEventsQuery)
export class GetOffenderEventsHandler implements IQueryHandler<GetOffenderEventsQuery, OffenderEventView[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ offenderId }: GetOffenderEventsQuery): Promise<OffenderEventView[]> {
    const stream = await this.store.readStream(offenderId);
    if (stream.length === 0) throw new NotFoundError(`Offender ${echo(offenderId)} is not known to the service.`);
    const retractedBy = new Map<string, string>();
    for (const e of stream) if (e.type === 'EventRetracted') retractedBy.set(e.data.retractedEventId, e.eventId);
    return stream.map((e) => ({ ...e, position: e.position.toString(), retractedBy: retractedBy.get(e.eventId) ?? null }));
  }
}

@QueryHandler(GetOffenderAreasQuery)
export class GetOffenderAreasHandler implements IQueryHandler<GetOffenderAreasQuery, string[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ offenderId }: GetOffenderAreasQuery): Promise<string[]> {
    return areasOfOffender(await this.store.readStream(offenderId));
  }
}
