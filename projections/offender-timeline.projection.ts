import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { SqlClient } from '../src/sql/sql-client';
import { FACT_TYPES } from './fact-areas.projection';
import type { Projection } from './projection';

/** The events whose data the report queries read (src/reports/tables): the facts they count and an SFO charge's outcome; other rows keep no data (the event store has it). */
export const TYPES_WITH_DATA: ReadonlySet<string> = new Set<string>([...FACT_TYPES, 'SfoOutcomeRecorded']);

/** Indexes only the reports use, built at the end of a rebuild. */
const READER_INDEXES = [
  { name: 'rm_events_type_date', sql: 'CREATE INDEX IF NOT EXISTS rm_events_type_date ON rm_events (type, occurred_on);' },
  { name: 'rm_events_recorded_at', sql: 'CREATE INDEX IF NOT EXISTS rm_events_recorded_at ON rm_events (recorded_at);' },
  // An SFO outcome or a review finds its charge by offender and chargeId.
  { name: 'rm_events_offender_ref', sql: 'CREATE INDEX IF NOT EXISTS rm_events_offender_ref ON rm_events (offender_id, ref_id) WHERE ref_id IS NOT NULL;' },
];

/** rm_events: every event's reference (traces, revisions and as-known-at read them) with the position of any retraction, and the data of the events reports count (see docs/decisions.md, "rm_events without the data reports do not read"). */
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
      data         jsonb,
      retracted_at bigint,
      retracted_by uuid,
      agency       text
    );
    -- The poster's agency (revisions name it, issue 14.3). Added to stores made before it: their
    -- rows say null until a mappa rebuild fills them in.
    ALTER TABLE rm_events ADD COLUMN IF NOT EXISTS agency text;
    -- Only the events reports read keep their data (TYPES_WITH_DATA); the unique event id was never read (the store guarantees it).
    ALTER TABLE rm_events ALTER COLUMN data DROP NOT NULL;
    DROP INDEX IF EXISTS rm_events_event_id;
    CREATE INDEX IF NOT EXISTS rm_events_offender ON rm_events (offender_id, position);
    ${READER_INDEXES.map((i) => i.sql).join('\n    ')}
  `;
  readonly readerIndexes = READER_INDEXES;

  async apply(events: readonly RecordedOffenderEvent[], tx: SqlClient): Promise<void> {
    const rows = new Map<string, unknown[]>();
    const retractions: Array<{ target: string; position: bigint; eventId: string; offenderId: string }> = [];
    for (const e of events) {
      const data = e.data as Record<string, unknown>;
      const refId = (data.orderId ?? data.chargeId ?? data.reviewId ?? data.retractedEventId ?? null) as string | null;
      rows.set(e.eventId, [
        e.position,
        e.eventId,
        e.offenderId,
        e.revision,
        e.type,
        e.occurredOn,
        e.recordedAt,
        refId,
        TYPES_WITH_DATA.has(e.type) ? JSON.stringify(e.data) : null,
        null,
        null,
        e.metadata.agency,
      ]);
      if (e.type === 'EventRetracted') retractions.push({ target: e.data.retractedEventId, position: e.position, eventId: e.eventId, offenderId: e.offenderId });
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
      ['position', 'event_id', 'offender_id', 'revision', 'type', 'occurred_on', 'recorded_at', 'ref_id', 'data', 'retracted_at', 'retracted_by', 'agency'],
      [...rows.values()],
    );
    // A retraction names an event of the same offender (DOMAIN.md 5): found through the offender's index.
    for (const r of earlier) {
      await tx.query('UPDATE rm_events SET retracted_at = $1, retracted_by = $2 WHERE offender_id = $4 AND event_id = $3 AND retracted_at IS NULL', [
        r.position.toString(),
        r.eventId,
        r.target,
        r.offenderId,
      ]);
    }
  }

  reset(): void {}
}
