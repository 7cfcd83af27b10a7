import type { CountedTable } from './report-table';
import { covers, KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';
import { SFO_ROWS, sfoCases } from './sfo-rows';

export const sfoOutcomes: CountedTable<'sfoOutcomes'> = {
  id: 'sfoOutcomes',
  kind: 'period',
  section: '6.9',
  unit: 'cases',
  title: 'Offenders under probation supervision on an outstanding charge for SFO',
  rule:
    '6.9 `sfoOutcomes` (same rows; cols convicted, outstandingAtEnd, otherOutcome, leftArea): the cases of 6.8 that ' +
    'were open at some time in P (outstandingAtStart plus chargedInYear), by category and level on the charge ' +
    'date: outcome `convicted` recorded during P; no outcome on or before S; any other outcome recorded during P. ' +
    'A case whose offender was no longer in the area on the outcome date (or on S, if no outcome) counts in ' +
    '`leftArea` instead, and not in the other three, so that for every row ' +
    '`outstandingAtStart + chargedInYear = convicted + outstandingAtEnd + otherOutcome + leftArea`. (Published ' +
    'reports have only the first three columns; the fourth is what reconciles them.)',
  rows: () => SFO_ROWS,
  columns: ['convicted', 'outstandingAtEnd', 'otherOutcome', 'leftArea'],
  items: sfoOutcomesItems,
};

/** The cases of 6.8 open in P, one item each: leftArea if out of the area at the outcome (or S), else convicted, otherOutcome or outstandingAtEnd. */
function sfoOutcomesItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS},
  cases AS (${sfoCases(shape)}),
  open_cases AS (
    SELECT cs.*, CASE WHEN cs.outcome_on <= $4::date THEN cs.outcome_on ELSE $4::date END AS judged_on
      FROM cases cs
     WHERE cs.charged_on >= $3::date OR cs.outcome_on IS NULL OR cs.outcome_on >= $3::date
  )
  SELECT oc.area, oc.row_id,
         CASE WHEN NOT EXISTS (SELECT 1 FROM known_intervals there WHERE there.offender_id = oc.offender_id
                                  AND there.area = oc.area AND ${covers('there', 'oc.judged_on')}) THEN 'leftArea'
              WHEN oc.outcome_on IS NULL OR oc.outcome_on > $4::date THEN 'outstandingAtEnd'
              WHEN oc.outcome = 'convicted' THEN 'convicted'
              ELSE 'otherOutcome' END AS col_id,
         oc.offender_id, CASE WHEN oc.outcome_on <= $4::date THEN oc.outcome_pos ELSE oc.charge_pos END AS counted_pos,
         oc.area_pos, oc.category_pos, oc.level_pos, oc.custody_pos, oc.division_pos
    FROM open_cases oc`;
}
