import { CATEGORY_COLUMNS_WITH_TOTAL, type CountedTable } from './report-table';
import { covers, factsOf, fixingColumns, KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';

export const recalledForLicenceBreach: CountedTable<'recalledForLicenceBreach'> = {
  id: 'recalledForLicenceBreach',
  kind: 'period',
  section: '6.5',
  unit: 'persons',
  title: 'Offenders returned to custody for breach of licence',
  rule:
    '6.5 `recalledForLicenceBreach` (rows level2,level3,total; cols category1-3,total): distinct offenders with at ' +
    'least one `LicenceBreached{returnedToCustody:true}` during P while in the area at level 2 or 3; attributed to ' +
    'category and level on the date of their last such recall in P. (Level 1 recalls are not published. A ' +
    '`CustodyEntered{reason:recall}` without a recorded breach is not counted.)',
  rows: () => ['level2', 'level3', 'total'],
  columns: CATEGORY_COLUMNS_WITH_TOTAL,
  items: recalledForLicenceBreachItems,
};

/** One item per offender and area recalled in P at level 2 or 3, by level and category after the last such recall. */
function recalledForLicenceBreachItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS}
  SELECT DISTINCT ON (iv.area, e.offender_id)
         iv.area, 'level' || iv.level AS row_id, 'category' || iv.category AS col_id, e.offender_id,
         e.position AS counted_pos, ${fixingColumns('iv')}
    FROM known_events e
    JOIN known_intervals iv ON iv.offender_id = e.offender_id AND ${covers('iv', 'e.occurred_on')}
   WHERE ${factsOf(shape, 'e', ['LicenceBreached'], '$3::date', '$4::date')}
     AND (e.data->>'returnedToCustody')::boolean AND iv.area = ANY($1::text[]) AND iv.level >= 2
   ORDER BY iv.area, e.offender_id, e.occurred_on DESC, e.revision DESC`;
}
