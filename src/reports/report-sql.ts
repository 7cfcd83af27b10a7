// SQL shared by the table queries: "known at position P" and "at date D" over the read models. Parameters: $1 areas, $2 P, $3 period start, $4 period end (S), $5 previous year's start.

import type { FactType } from '../../projections/fact-areas.projection';
import { SPAN_OPEN } from '../../projections/offender-intervals/offender-intervals.projection';

export interface ReportScope {
  /** The areas counted: one area, or all 42 for england-and-wales (a sum over areas). */
  areas: string[];
  /** Only events at or before this store position count (the report's knowledge). */
  position: bigint;
  periodFrom: string;
  /** Last day of the period, and the snapshot date S. */
  periodTo: string;
  /** First day of the year before the period (6.8 chargedInPreviousYear). */
  previousFrom: string;
}

export const scopeParams = (s: ReportScope): unknown[] => [s.areas, s.position.toString(), s.periodFrom, s.periodTo, s.previousFrom];

/** Interval row r was the service's knowledge at P: recorded by then and not superseded by then. */
const KNOWN_AT_P = 'r.known_from <= $2::bigint AND (r.known_to IS NULL OR r.known_to > $2::bigint)';

/** The interval rows known at P, with the end known then (`vto`): an end recorded after P did not exist yet (projections/offender-intervals/interval-rows.ts). */
export const KNOWN_INTERVALS = `
  typed_scope AS (
    -- Names every parameter's type, for the queries that do not use all five.
    SELECT $1::text[] AS areas, $2::bigint AS position, $3::date AS period_from, $4::date AS period_to, $5::date AS previous_from
  ),
  known_intervals AS NOT MATERIALIZED (
    SELECT r.offender_id, r.valid_from, r.area, r.division, r.category, r.level, r.in_custody,
           r.start_pos, r.area_pos, r.division_pos, r.category_pos, r.level_pos, r.custody_pos,
           CASE WHEN r.valid_to_known_at > $2::bigint THEN NULL ELSE r.valid_to END AS vto
      FROM rm_intervals r
     WHERE ${KNOWN_AT_P}
  )`;

/** Interval rows of the areas $1 known at P holding on some day of [from, to], filtered by `where`; how the scan is shaped: docs/decisions.md, "Moved from code comments". */
export const intervalsDuring = (from: string, to: string, where = 'true'): string => `(
    SELECT r.*, r.valid_to AS vto
      FROM generate_series(0, ${SPAN_OPEN}) AS s(span)
     CROSS JOIN LATERAL (
        SELECT * FROM rm_intervals r
         WHERE r.area = ANY($1::text[]) AND r.span = s.span AND r.valid_from <= ${to}
           AND r.valid_from > CASE WHEN s.span = ${SPAN_OPEN} THEN '-infinity'::date ELSE ${from} - (1 << s.span) END
           AND (${where})
        OFFSET 0) r
     WHERE (r.valid_to_known_at IS NULL OR r.valid_to_known_at <= $2::bigint) AND (r.valid_to IS NULL OR r.valid_to > ${from})
       AND ${KNOWN_AT_P}
    UNION ALL
    SELECT r.*, NULL::date AS vto FROM rm_intervals r
     WHERE r.area = ANY($1::text[]) AND r.valid_to_known_at > $2::bigint AND r.valid_from <= ${to} AND (${where})
       AND ${KNOWN_AT_P}
  )`;

/** `alias`'s event is one of `types` in [from, to]; for one area, first narrowed by index to offenders ever named there (rm_fact_areas). Types are code constants. */
export const factsOf = (shape: QueryShape, alias: string, types: readonly FactType[], from: string | null, to: string): string => {
  const typeList = types.map((t) => `'${t}'`).join(', ');
  const dated = from === null ? `<= ${to}` : `BETWEEN ${from} AND ${to}`;
  const own = `${alias}.type IN (${typeList}) AND ${alias}.occurred_on ${dated}`;
  return shape === 'manyAreas'
    ? own
    : `${own}
     AND ${alias}.position IN (SELECT fa.position FROM rm_fact_areas fa WHERE fa.area = ANY($1::text[])
      AND fa.type IN (${typeList}) AND fa.occurred_on ${dated})`;
};

/** One area or several: a different text, not a condition on $1, because the planner makes `IN (subquery)` a join only when it stands alone. */
export type QueryShape = 'oneArea' | 'manyAreas';

export const queryShape = (s: Pick<ReportScope, 'areas'>): QueryShape => (s.areas.length === 1 ? 'oneArea' : 'manyAreas');

/** The events the service knew at P and had not retracted by then. */
export const KNOWN_EVENTS = `
  known_events AS NOT MATERIALIZED (
    SELECT e.* FROM rm_events e
     WHERE e.position <= $2::bigint AND (e.retracted_at IS NULL OR e.retracted_at > $2::bigint)
  )`;

/** `iv` holds on date `date` (state at the end of that day). */
export const covers = (iv: string, date: string): string => `${iv}.valid_from <= ${date} AND (${iv}.vto IS NULL OR ${iv}.vto > ${date})`;

/** The fixing-event columns of an interval alias, in the order of an item query's columns (CountedTable.items). */
export const fixingColumns = (iv: string): string => `${iv}.area_pos, ${iv}.category_pos, ${iv}.level_pos, ${iv}.custody_pos, ${iv}.division_pos`;
