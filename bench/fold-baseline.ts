import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import type { EventStore } from '../src/event-store/event-store';
import { computeReportByFolding, rsoRatePer100k, snapshotByFolding } from '../src/reports/baseline/fold-report';
import type { ReportCells } from '../src/reports/tables';
import type { SqlClient } from '../src/sql/sql-client';

// THE BASELINE of the report figures: what a straightforward event-sourced implementation does
// per query, with no read model: fetch the relevant offenders' events from the store and fold
// them in memory (src/reports/baseline/fold-report.ts, the reference oracle). For one area the
// relevant offenders are those ever registered in or transferred to it; for england-and-wales,
// every offender, read offender by offender so memory stays bounded.

/** Offenders ever managed in `area` (a scan of the event log: the baseline has no read model). */
async function offendersOfArea(sql: SqlClient, area: string): Promise<string[]> {
  const { rows } = await sql.query<{ offender_id: string }>(
    `SELECT DISTINCT offender_id FROM events
      WHERE (type = 'OffenderRegistered' AND data->>'area' = $1) OR (type = 'OffenderTransferred' AND data->>'toArea' = $1)`,
    [area],
  );
  return rows.map((r) => r.offender_id);
}

/** Every event of the offenders ever managed in `area`. */
export async function eventsOfArea(store: EventStore, sql: SqlClient, area: string): Promise<RecordedOffenderEvent[]> {
  const ids = await offendersOfArea(sql, area);
  const events: RecordedOffenderEvent[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const streams = await store.readStreams(ids.slice(i, i + 5000));
    for (const stream of streams.values()) for (const e of stream) events.push(e);
  }
  return events;
}

export async function areaReportByFolding(store: EventStore, sql: SqlClient, area: string, year: number): Promise<{ cells: ReportCells; events: number }> {
  const events = await eventsOfArea(store, sql, area);
  return { cells: computeReportByFolding(events, { area, year }), events: events.length };
}

export async function snapshotByFoldingFromStore(store: EventStore, sql: SqlClient, area: string, date: string): Promise<ReportCells> {
  return snapshotByFolding(await eventsOfArea(store, sql, area), area, date);
}

/**
 * The england-and-wales report by folding every offender's events: the log read in offender
 * order, a page of whole offenders at a time, each page folded and its cells added up. Every
 * figure is a count over offenders, so the sum over pages is the report; the rate is then taken
 * from the summed snapshot, as the report does.
 */
export async function nationalReportByFolding(sql: SqlClient, year: number, pageSize = 50_000): Promise<{ cells: ReportCells; events: number }> {
  const cells: ReportCells = {};
  let after = '';
  let events = 0;
  for (;;) {
    // Whole offenders: the page ends at an offender boundary (the last offender is read whole).
    const { rows } = await sql.query<EventRow>(
      `WITH page AS (
         SELECT DISTINCT offender_id FROM (SELECT offender_id FROM events WHERE offender_id > $1 ORDER BY offender_id LIMIT $2) ids
       )
       SELECT position::text AS position, e.offender_id, revision, event_id::text AS event_id, type,
              to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data
         FROM events e JOIN page USING (offender_id) ORDER BY e.offender_id, revision`,
      [after, pageSize],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1].offender_id;
    events += rows.length;
    const page = computeReportByFolding(rows.map(toEvent), { area: ENGLAND_AND_WALES, year });
    for (const [id, value] of Object.entries(page)) if (!id.startsWith('rsoRate.')) cells[id] = (cells[id] ?? 0) + value;
  }
  cells['rsoRate.per100k.value'] = rsoRatePer100k(cells, ENGLAND_AND_WALES, year);
  return { cells, events };
}

interface EventRow {
  position: string;
  offender_id: string;
  revision: number;
  event_id: string;
  type: string;
  occurred_on: string;
  recorded_at: Date | string;
  data: unknown;
}

const toEvent = (r: EventRow): RecordedOffenderEvent =>
  ({
    eventId: r.event_id,
    type: r.type,
    offenderId: r.offender_id,
    occurredOn: r.occurred_on,
    data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data,
    revision: Number(r.revision),
    position: BigInt(r.position),
    recordedAt: new Date(r.recorded_at).toISOString(),
  }) as RecordedOffenderEvent;
