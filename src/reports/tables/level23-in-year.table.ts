import { CATEGORY_COLUMNS_WITH_TOTAL, type CountedTable } from './report-table';
import { fixingColumns, intervalsDuring, KNOWN_INTERVALS } from '../report-sql';

export const level23InYear: CountedTable<'level23InYear'> = {
  id: 'level23InYear',
  kind: 'period',
  section: '6.2',
  unit: 'persons',
  title: 'MAPPA-eligible offenders in level 2 and 3 by category (yearly total from 1 April to 31 March)',
  rule:
    '6.2 `level23InYear` (rows level2,level3,total; cols category1-3,total): distinct offenders in the area at ' +
    'level 2 or 3 on at least one day of P (including those who entered level 2/3 before P and were still there ' +
    'on 1 April). Each is counted once: at the highest level they held in the area during P, under the category ' +
    'they had on the last day of P they held that level.',
  rows: () => ['level2', 'level3', 'total'],
  columns: CATEGORY_COLUMNS_WITH_TOTAL,
  items: level23InYearItems,
};

/** One item per offender and area: the level 2 or 3 interval holding in P at the highest level, then on the latest day. */
function level23InYearItems(): string {
  return `
  WITH ${KNOWN_INTERVALS}
  SELECT DISTINCT ON (iv.area, iv.offender_id)
         iv.area, 'level' || iv.level AS row_id, 'category' || iv.category AS col_id, iv.offender_id,
         iv.start_pos AS counted_pos, ${fixingColumns('iv')}
    FROM ${intervalsDuring('$3::date', '$4::date', 'r.level >= 2')} iv
   ORDER BY iv.area, iv.offender_id, iv.level DESC, LEAST(COALESCE(iv.vto - 1, $4::date), $4::date) DESC`;
}
