import type { CountedTable } from './report-table';
import { covers, factsOf, fixingColumns, KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';

export const custodyForSopoBreach: CountedTable<'custodyForSopoBreach'> = {
  id: 'custodyForSopoBreach',
  kind: 'period',
  section: '6.6',
  unit: 'persons',
  title: 'Offenders sent to custody for a breach of SOPO (Sexual Offence Prevention Order)',
  rule:
    '6.6 `custodyForSopoBreach` (row category1; cols level2,level3,total): distinct offenders with ' +
    '`SopoBreached{sentToCustody:true}` during P while in the area at level 2 or 3; level on the date of their last ' +
    'such breach in P.',
  rows: () => ['category1'],
  columns: ['level2', 'level3', 'total'],
  items: custodyForSopoBreachItems,
};

/** One item per offender and area sent to custody for a SOPO breach in P at level 2 or 3, in the column of their level after the last such breach. */
function custodyForSopoBreachItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS}
  SELECT DISTINCT ON (iv.area, e.offender_id)
         iv.area, 'category1' AS row_id, 'level' || iv.level AS col_id, e.offender_id,
         e.position AS counted_pos, ${fixingColumns('iv')}
    FROM known_events e
    JOIN known_intervals iv ON iv.offender_id = e.offender_id AND ${covers('iv', 'e.occurred_on')}
   WHERE ${factsOf(shape, 'e', ['SopoBreached'], '$3::date', '$4::date')}
     AND (e.data->>'sentToCustody')::boolean AND iv.area = ANY($1::text[]) AND iv.level >= 2
   ORDER BY iv.area, e.offender_id, e.occurred_on DESC, e.revision DESC`;
}
