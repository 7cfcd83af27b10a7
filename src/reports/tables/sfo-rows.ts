import { covers, factsOf, fixingColumns, type QueryShape } from '../report-sql';

// Rows of the SFO tables (DOMAIN.md 6.8, 6.9), by category and level on the charge date; no category3-level1, as category 3 is only level 2 or 3.
export const SFO_ROWS = [
  'category1-level1',
  'category1-level2',
  'category1-level3',
  'category2-level1',
  'category2-level2',
  'category2-level3',
  'category3-level2',
  'category3-level3',
] as const;

/** The row of an SFO case charged while at `category` and `level`. */
export const sfoRow = (category: number, level: number): string => `category${category}-level${level}`;

/** Every SFO case charged by S in the areas, with its row and outcome: the base of 6.8 and 6.9 (needs report-sql.ts's CTEs). */
export const sfoCases = (shape: QueryShape): string => `
    SELECT iv.area, 'category' || iv.category || '-level' || iv.level AS row_id, c.offender_id, c.ref_id AS charge_id,
           c.occurred_on AS charged_on, c.position AS charge_pos, ${fixingColumns('iv')},
           o.occurred_on AS outcome_on, o.data->>'outcome' AS outcome, o.position AS outcome_pos
      FROM known_events c
      JOIN known_intervals iv ON iv.offender_id = c.offender_id AND ${covers('iv', 'c.occurred_on')}
      LEFT JOIN known_events o ON o.offender_id = c.offender_id AND o.type = 'SfoOutcomeRecorded' AND o.ref_id = c.ref_id
     WHERE ${factsOf(shape, 'c', ['SfoCharged'], null, '$4::date')} AND iv.area = ANY($1::text[])`;
