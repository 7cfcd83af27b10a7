// SQL shared by the table queries: what "as known at position P" and "at date D" mean over the
// read models (projections/). Every table query takes the same bound parameters:
//   $1 areas (text[]), $2 knowledge position P (bigint), $3 period start, $4 period end
//   (= snapshot date S), $5 start of the previous year.
// No value is ever spliced into SQL text.

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

/**
 * (With a first CTE naming the parameters' types.) The interval rows the service knew at P, with the end date it knew then (`vto`):
 * an end recorded after P did not exist yet (see projections/offender-intervals/interval-rows.ts).
 */
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

/**
 * The interval rows of the areas $1 known at P that hold on at least one day of [from, to] as
 * known at P (with `vto` as in known_intervals), restricted further by `where` (on alias r).
 * Rows whose end was recorded after P are open at P whatever their span: the second branch
 * finds them through rm_intervals_area_late_end (none when P is the latest position).
 * Each span class (see SPAN_OPEN) is one range scan of rm_intervals_area_span: valid_from in
 * (from - 2^span, to]; the lateral subquery is fenced (OFFSET 0) so that the planner keeps it so.
 * The scan reads only that index (its INCLUDE columns) when the query needs no other column.
 * (Not for joins: the planner cannot estimate the fenced scans, and sizes a join above them
 * as if they returned a few rows. Facts find their interval by offender: known_intervals.)
 */
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

/**
 * `alias`'s event is one of `types`, dated in [from, to] (from null: any date up to `to`). For one
 * area, also an event of an offender once named in one of the areas $1 (rm_fact_areas,
 * projections/fact-areas.projection.ts): a superset of the facts a table counts in those areas,
 * found by index, so that only these are joined with the intervals (which decide). The types are
 * constants of the code, never input.
 */
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

/**
 * Whether a query counts one area or several (england-and-wales: all 42, where a candidate filter
 * by area would filter nothing at the cost of a probe per fact). A different text, not a
 * condition on $1: the planner turns `IN (subquery)` into a join only when it stands alone.
 */
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
