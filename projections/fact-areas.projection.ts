import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import type { SqlClient } from '../src/sql/sql-client';
import type { Projection, ProjectionMode } from './projection';

/** The events the report's period tables count (src/reports/tables): orders, breaches, charges, reviews. */
export const FACT_TYPES = [
  'SopoImposed',
  'NotificationOrderImposed',
  'ForeignTravelOrderImposed',
  'NotificationRequirementBreached',
  'LicenceBreached',
  'SopoBreached',
  'SfoCharged',
  'SeriousCaseReviewCommenced',
] as const;

export type FactType = (typeof FACT_TYPES)[number];

const FACTS: ReadonlySet<string> = new Set(FACT_TYPES);

/** rm_fact_areas: each fact under every area its offender was ever named in, so an area's facts are found by index (see docs/decisions.md, "Moved from code comments"). */
export class FactAreasProjection implements Projection {
  readonly name = 'fact-areas';
  readonly tables = ['rm_fact_areas', 'rm_offender_areas'];
  readonly schemaSql = `
    CREATE TABLE IF NOT EXISTS rm_offender_areas (
      offender_id text NOT NULL,
      area        text NOT NULL,
      PRIMARY KEY (offender_id, area)
    );
    CREATE TABLE IF NOT EXISTS rm_fact_areas (
      area        text NOT NULL,
      type        text NOT NULL,
      occurred_on date NOT NULL,
      position    bigint NOT NULL,
      PRIMARY KEY (area, type, occurred_on, position)
    );
  `;

  /** During a rebuild, every offender's areas and facts so far, so batches are written by COPY with no lookups; dropped when it ends. */
  private rebuilding: Map<string, { areas: string[]; facts: Array<[string, string, string]> }> | null = null;

  async apply(events: readonly RecordedOffenderEvent[], tx: SqlClient, mode: ProjectionMode): Promise<void> {
    if (mode === 'rebuild') return this.applyRebuilding(events, tx);
    // `earlier`: the offender had events before this one, so may have facts from before this batch.
    const named = new Map<string, { offenderId: string; area: string; earlier: boolean }>();
    const facts: RecordedOffenderEvent[] = [];
    for (const e of events) {
      const area = namedArea(e);
      if (area !== null) {
        const key = `${e.offenderId}\n${area}`;
        named.set(key, { offenderId: e.offenderId, area, earlier: e.revision > 0 || named.get(key)?.earlier === true });
      }
      if (FACTS.has(e.type)) facts.push(e);
    }
    if (named.size > 0) {
      const pairs = [...named.values()];
      const { rows: inserted } = await tx.query<{ offender_id: string; area: string }>(
        `INSERT INTO rm_offender_areas (offender_id, area) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT DO NOTHING RETURNING offender_id, area`,
        [pairs.map((p) => p.offenderId), pairs.map((p) => p.area)],
      );
      // An area new to an offender brings their facts so far there too; only offenders with events before this batch can have any.
      const added = inserted.filter((a) => named.get(`${a.offender_id}\n${a.area}`)!.earlier);
      if (added.length > 0) {
        await tx.query(
          `INSERT INTO rm_fact_areas (area, type, occurred_on, position)
           SELECT a.area, e.type, e.occurred_on, e.position
             FROM unnest($1::text[], $2::text[]) AS a(offender_id, area)
             JOIN rm_events e ON e.offender_id = a.offender_id AND e.type = ANY($3::text[])`,
          [added.map((a) => a.offender_id), added.map((a) => a.area), FACT_TYPES],
        );
      }
    }
    if (facts.length > 0) {
      await tx.query(
        `INSERT INTO rm_fact_areas (area, type, occurred_on, position)
         SELECT a.area, f.type, f.occurred_on, f.position
           FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[]) AS f(offender_id, type, occurred_on, position)
           JOIN rm_offender_areas a ON a.offender_id = f.offender_id
         ON CONFLICT DO NOTHING`,
        [facts.map((f) => f.offenderId), facts.map((f) => f.type), facts.map((f) => f.occurredOn), facts.map((f) => f.position.toString())],
      );
    }
  }

  async closeStreams(offenderIds: readonly string[], tx: SqlClient): Promise<void> {
    const closed: Array<[string, string]> = [];
    for (const id of offenderIds) {
      for (const area of this.rebuilding?.get(id)?.areas ?? []) closed.push([id, area]);
      this.rebuilding?.delete(id);
    }
    await tx.copyRows('rm_offender_areas', ['offender_id', 'area'], closed);
  }

  async finishRebuild(tx: SqlClient): Promise<void> {
    await this.closeStreams([...(this.rebuilding?.keys() ?? [])], tx);
    this.rebuilding = null;
  }

  reset(): void {
    this.rebuilding = null;
  }

  /** The same rows as the SQL of apply(), in position order: each (area, fact) once, when the later of the two arrives. */
  private async applyRebuilding(events: readonly RecordedOffenderEvent[], tx: SqlClient): Promise<void> {
    const offenders = (this.rebuilding ??= new Map());
    const rows: string[][] = [];
    for (const e of events) {
      let o = offenders.get(e.offenderId);
      if (!o) offenders.set(e.offenderId, (o = { areas: [], facts: [] }));
      const area = namedArea(e);
      if (area !== null && !o.areas.includes(area)) {
        o.areas.push(area);
        for (const f of o.facts) rows.push([area, ...f]);
      }
      if (FACTS.has(e.type)) {
        const fact: [string, string, string] = [e.type, e.occurredOn, e.position.toString()];
        o.facts.push(fact);
        for (const a of o.areas) rows.push([a, ...fact]);
      }
    }
    await tx.copyRows('rm_fact_areas', ['area', 'type', 'occurred_on', 'position'], rows);
  }
}

/** The area an event names for its offender: where it is registered, or transferred to. */
function namedArea(e: RecordedOffenderEvent): string | null {
  return e.type === 'OffenderRegistered' ? e.data.area : e.type === 'OffenderTransferred' ? e.data.toArea : null;
}
