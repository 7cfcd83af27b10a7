import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { SqlClient } from '../src/sql/sql-client';
import type { Projection } from './projection';

/**
 * rm_events: every event as the read side needs it, with the position of the retraction that
 * removed it (if any). Facts (orders, breaches, recalls, charges, outcomes, reviews) are counted
 * from here, and traces cite these rows; the interval projection refolds from here when a
 * back-dated event or a retraction arrives.
 */
export class OffenderTimelineProjection implements Projection {
  readonly name = 'offender-timeline';
  readonly tables = ['rm_events'];
  readonly schemaSql = `
    CREATE TABLE IF NOT EXISTS rm_events (
      position     bigint PRIMARY KEY,
      event_id     uuid NOT NULL,
      offender_id  text NOT NULL,
      revision     integer NOT NULL,
      type         text NOT NULL,
      occurred_on  date NOT NULL,
      recorded_at  timestamptz NOT NULL,
      ref_id       text,
      data         jsonb NOT NULL,
      retracted_at bigint,
      retracted_by uuid
    );
    CREATE INDEX IF NOT EXISTS rm_events_offender ON rm_events (offender_id, position);
    CREATE INDEX IF NOT EXISTS rm_events_type_date ON rm_events (type, occurred_on);
    CREATE UNIQUE INDEX IF NOT EXISTS rm_events_event_id ON rm_events (event_id);
    CREATE INDEX IF NOT EXISTS rm_events_recorded_at ON rm_events (recorded_at);
  `;

  async apply(events: readonly RecordedOffenderEvent[], tx: SqlClient): Promise<void> {
    const rows = new Map<string, unknown[]>();
    const retractions: Array<{ target: string; position: bigint; eventId: string }> = [];
    for (const e of events) {
      const data = e.data as Record<string, unknown>;
      const refId = (data.orderId ?? data.chargeId ?? data.reviewId ?? data.retractedEventId ?? null) as string | null;
      rows.set(e.eventId, [e.position, e.eventId, e.offenderId, e.revision, e.type, e.occurredOn, e.recordedAt, refId, JSON.stringify(e.data), null, null]);
      if (e.type === 'EventRetracted') retractions.push({ target: e.data.retractedEventId, position: e.position, eventId: e.eventId });
    }
    const earlier: typeof retractions = [];
    for (const r of retractions) {
      const row = rows.get(r.target);
      if (row) {
        row[9] = r.position;
        row[10] = r.eventId;
      } else earlier.push(r);
    }
    await tx.copyRows(
      'rm_events',
      ['position', 'event_id', 'offender_id', 'revision', 'type', 'occurred_on', 'recorded_at', 'ref_id', 'data', 'retracted_at', 'retracted_by'],
      [...rows.values()],
    );
    for (const r of earlier) {
      await tx.query('UPDATE rm_events SET retracted_at = $1, retracted_by = $2 WHERE event_id = $3 AND retracted_at IS NULL', [
        r.position.toString(),
        r.eventId,
        r.target,
      ]);
    }
  }

  reset(): void {}
}
