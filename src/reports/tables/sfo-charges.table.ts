import type { CountedTable } from './report-table';
import { KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';
import { SFO_ROWS, sfoCases } from './sfo-rows';

export const sfoCharges: CountedTable<'sfoCharges'> = {
  id: 'sfoCharges',
  kind: 'period',
  section: '6.8',
  unit: 'cases',
  title: 'Offenders under probation supervision charged with a Serious Further Offence (SFO)',
  rule:
    '6.8 `sfoCharges` (rows category1-level1, category1-level2, category1-level3, category2-level1, ' +
    'category2-level2, category2-level3, category3-level2, category3-level3; cols chargedInYear, ' +
    'chargedInPreviousYear, outstandingAtStart): SFO charges (a case is one `chargeId`) against offenders in the ' +
    'area on the charge date, by category and level on the charge date: charged during P; charged during the year ' +
    'before P; and charged before P with no outcome recorded on or before 31 March Y (the day before P).',
  rows: () => SFO_ROWS,
  columns: ['chargedInYear', 'chargedInPreviousYear', 'outstandingAtStart'],
  items: sfoChargesItems,
};

/** SFO cases charged in the area, by category and level on the charge date; a case charged last year and open on 31 March Y counts in both columns. */
function sfoChargesItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS},
  cases AS (${sfoCases(shape)})
  SELECT cs.area, cs.row_id, col.col_id, cs.offender_id, cs.charge_pos AS counted_pos,
         cs.area_pos, cs.category_pos, cs.level_pos, cs.custody_pos, cs.division_pos
    FROM cases cs
    CROSS JOIN LATERAL (VALUES
      ('chargedInYear', cs.charged_on >= $3::date),
      ('chargedInPreviousYear', cs.charged_on >= $5::date AND cs.charged_on < $3::date),
      ('outstandingAtStart', cs.charged_on < $3::date AND (cs.outcome_on IS NULL OR cs.outcome_on >= $3::date))
    ) AS col(col_id, counts)
   WHERE col.counts`;
}
