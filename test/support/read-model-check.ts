import { FACT_TYPES } from '../../projections/fact-areas.projection';
import { intervalsOf, type IntervalValue, type PositionedEvent } from '../../projections/offender-intervals/interval-fold';
import { rowFromDb } from '../../projections/offender-intervals/interval-rows';
import { ProjectionRunner } from '../../projections/projection-runner';
import { InMemoryEventStore } from '../../src/event-store/in-memory/in-memory-event-store';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { byEffectiveOrder } from '../../src/domain/offender-timeline';
import type { SqlClient } from '../../src/sql/sql-client';

// Checks of the interval read model against the definition: for every offender and every
// knowledge position P, the rows known at P are exactly the intervals of the fold of the events
// known at P (DOMAIN.md 4, "as known at T").

interface StoredRow extends IntervalValue {
  offenderId: string;
  validToKnownAt: bigint | null;
  knownFrom: bigint;
  knownTo: bigint | null;
}

export async function loadIntervalRows(db: SqlClient): Promise<StoredRow[]> {
  const { rows } = await db.query('SELECT * FROM rm_intervals ORDER BY id');
  return rows.map(rowFromDb);
}

const describeInterval = (v: IntervalValue) =>
  `${v.validFrom}..${v.validTo ?? ''} ${v.area}/${v.division ?? '-'} c${v.category} l${v.level} ${v.inCustody ? 'custody' : 'community'} @${v.startPos} [${v.areaPos},${v.divisionPos},${v.categoryPos},${v.levelPos},${v.custodyPos}]`;

/** Mismatches between the stored rows and the definition, as readable lines (empty: all good). */
export function intervalMismatches(events: readonly RecordedOffenderEvent[], rows: readonly StoredRow[]): string[] {
  const problems: string[] = [];
  const byOffender = new Map<string, RecordedOffenderEvent[]>();
  for (const e of events) byOffender.set(e.offenderId, [...(byOffender.get(e.offenderId) ?? []), e]);
  const rowsByOffender = new Map<string, StoredRow[]>();
  for (const r of rows) rowsByOffender.set(r.offenderId, [...(rowsByOffender.get(r.offenderId) ?? []), r]);

  for (const [offenderId, stream] of byOffender) {
    const retractedAt = new Map<string, bigint>();
    for (const e of stream) if (e.type === 'EventRetracted') retractedAt.set(e.data.retractedEventId, e.position);
    const offenderRows = rowsByOffender.get(offenderId) ?? [];
    for (const known of stream.map((e) => e.position)) {
      const effective = stream
        .filter((e) => e.position <= known && e.type !== 'EventRetracted' && !((retractedAt.get(e.eventId) ?? known + 1n) <= known))
        .sort(byEffectiveOrder) as PositionedEvent[];
      const expected = intervalsOf(effective).intervals.map(describeInterval).sort();
      const actual = offenderRows
        .filter((r) => r.knownFrom <= known && (r.knownTo === null || r.knownTo > known))
        .map((r) => ({ ...r, validTo: r.validToKnownAt !== null && r.validToKnownAt > known ? null : r.validTo }))
        .filter((r) => r.validTo === null || r.validTo > r.validFrom)
        .map(describeInterval)
        .sort();
      if (expected.join('\n') !== actual.join('\n')) {
        problems.push(`${offenderId} as known at ${known}:\n  expected ${expected.join('\n           ')}\n  stored   ${actual.join('\n           ')}`);
        break;
      }
    }
  }
  return problems;
}

/** The whole interval table as comparable text, without the row ids. */
export async function intervalTableText(db: SqlClient): Promise<string[]> {
  const rows = await loadIntervalRows(db);
  return rows.map((r) => `${r.offenderId} k${r.knownFrom}-${r.knownTo ?? ''} v${r.validToKnownAt ?? ''} ${describeInterval(r)}`).sort();
}

/**
 * rm_fact_areas against its definition: every fact event, once under each area its offender was
 * ever named in (registered in, transferred to), and nothing else. Answers the differences.
 */
export async function factAreaMismatches(events: readonly RecordedOffenderEvent[], db: SqlClient): Promise<string[]> {
  const facts: ReadonlySet<string> = new Set(FACT_TYPES);
  const areas = new Map<string, Set<string>>();
  for (const e of events) {
    const area = e.type === 'OffenderRegistered' ? e.data.area : e.type === 'OffenderTransferred' ? e.data.toArea : null;
    if (area !== null) areas.set(e.offenderId, (areas.get(e.offenderId) ?? new Set()).add(area));
  }
  const expected = events.filter((e) => facts.has(e.type)).flatMap((e) => [...(areas.get(e.offenderId) ?? [])].map((area) => `${area} ${e.type} ${e.occurredOn} ${e.position}`));
  const { rows } = await db.query<{ row: string }>(`SELECT area || ' ' || type || ' ' || to_char(occurred_on, 'YYYY-MM-DD') || ' ' || position AS row FROM rm_fact_areas`);
  const stored = new Set(rows.map((r) => r.row));
  const wanted = new Set(expected);
  return [...expected.filter((r) => !stored.has(r)).map((r) => `missing ${r}`), ...[...stored].filter((r) => !wanted.has(r)).map((r) => `extra ${r}`)];
}

/** Drops every read model (the runner's init creates them again). */
export async function dropReadModels(db: SqlClient): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${[...new ProjectionRunner(new InMemoryEventStore(), db).projections.flatMap((p) => p.tables), 'rm_checkpoint'].join(', ')}`);
}
