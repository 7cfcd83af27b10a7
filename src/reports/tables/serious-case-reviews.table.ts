import { CATEGORY_COLUMNS, type CountedTable } from './report-table';
import { covers, factsOf, fixingColumns, KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';

export const seriousCaseReviews: CountedTable<'seriousCaseReviews'> = {
  id: 'seriousCaseReviews',
  kind: 'period',
  section: '6.7',
  unit: 'reviews',
  title: 'Serious Case Reviews (SCR) resulting from Level 2 and 3 offenders under probation supervision charged with SFO',
  rule:
    '6.7 `seriousCaseReviews` (rows level2,level3; cols category1-3): reviews commenced during P for charges made ' +
    'while the offender was in the area at level 2 or 3, by category and level on the charge date.',
  rows: () => ['level2', 'level3'],
  columns: CATEGORY_COLUMNS,
  items: seriousCaseReviewsItems,
};

/** One item per review commenced in P whose charge was made in the area at level 2 or 3, by level and category on the charge date. */
function seriousCaseReviewsItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS}
  SELECT iv.area, 'level' || iv.level AS row_id, 'category' || iv.category AS col_id, r.offender_id,
         r.position AS counted_pos, ${fixingColumns('iv')}
    FROM known_events r
    JOIN known_events c ON c.offender_id = r.offender_id AND c.type = 'SfoCharged'
                       AND c.ref_id = r.data->>'chargeId' AND c.occurred_on <= r.occurred_on
    JOIN known_intervals iv ON iv.offender_id = c.offender_id AND ${covers('iv', 'c.occurred_on')}
   WHERE ${factsOf(shape, 'r', ['SeriousCaseReviewCommenced'], '$3::date', '$4::date')}
     AND iv.area = ANY($1::text[]) AND iv.level >= 2`;
}
