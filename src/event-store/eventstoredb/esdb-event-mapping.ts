import { ANY, NO_STREAM, jsonEvent, type AllStreamResolvedEvent, type AppendExpectedRevision, type EventData, type JSONEventType, type ResolvedEvent } from '@eventstore/db-client';
import type { EventMetadata, NewOffenderEvent, RecordedOffenderEvent } from '../../domain/offender-event';
import type { ExpectedRevision } from '../event-store';

export const OFFENDER_STREAM_PREFIX = 'offender-';

/** The body stored in EventStoreDB: the envelope fields ESDB has no place of its own for. */
export interface EsdbEventData {
  [key: string]: unknown;
  offenderId: string;
  occurredOn: string;
  data: unknown;
}

/** EventMetadata plus what the service sets at append; `appendId` tells a real append from ESDB's idempotent replay. */
export interface EsdbEventMetadata extends EventMetadata {
  [key: string]: unknown;
  recordedAt: string;
  appendId: string;
}

export type OffenderJsonEvent = JSONEventType<string, EsdbEventData, EsdbEventMetadata>;

/** Position of a record whose real log position the server did not send (stream reads before 22.6). */
export const UNKNOWN_POSITION = -1n;

/** ESDB's "no position" marker, 2^64 - 1, sent for events read from a stream by older servers. */
const NO_POSITION_MARKER = 0xffff_ffff_ffff_ffffn;

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no-stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  return BigInt(expected);
}

/** Our eventId becomes the ESDB event id, which is what ESDB's own idempotency keys on. */
export function toEsdbEvent(event: NewOffenderEvent, metadata: EsdbEventMetadata): EventData<OffenderJsonEvent> {
  return jsonEvent<OffenderJsonEvent>({
    id: event.eventId,
    type: event.type,
    data: { offenderId: event.offenderId, occurredOn: event.occurredOn, data: event.data },
    metadata,
  });
}

export function isOffenderRecord(streamId: string, type: string): boolean {
  // '$'-prefixed types are ESDB's own (stream metadata, links, stats), never offender facts.
  return streamId.startsWith(OFFENDER_STREAM_PREFIX) && !type.startsWith('$');
}

/** Our position is the ESDB commit position, distinct per event for every gRPC append (see docs/decisions.md, "Moved from code comments"). */
export function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): bigint {
  const candidates = [resolved.event?.position?.commit, resolved.commitPosition];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== NO_POSITION_MARKER) return candidate;
  }
  return UNKNOWN_POSITION;
}

/** A resolved ESDB event as an offender event, or null for anything that is not one. */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedOffenderEvent | null {
  const event = resolved.event;
  if (!event || !isOffenderRecord(event.streamId, event.type) || !event.isJson) return null;
  const body = event.data as Partial<EsdbEventData>;
  const { recordedAt, appendId: _appendId, ...metadata } = (event.metadata ?? {}) as Partial<EsdbEventMetadata>;
  return {
    eventId: event.id,
    type: event.type,
    offenderId: body.offenderId ?? event.streamId.slice(OFFENDER_STREAM_PREFIX.length),
    occurredOn: body.occurredOn,
    data: body.data,
    revision: Number(event.revision),
    position: positionOf(resolved),
    recordedAt: recordedAt ?? event.created.toISOString(),
    metadata: metadata as EventMetadata,
  } as RecordedOffenderEvent;
}

/** The appendId an event was written with, to recognise events of one particular append. */
export function appendIdOf(resolved: ResolvedEvent): string | undefined {
  const metadata = resolved.event?.metadata as Partial<EsdbEventMetadata> | undefined;
  return typeof metadata?.appendId === 'string' ? metadata.appendId : undefined;
}
