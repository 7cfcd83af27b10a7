import { CATEGORY_COLUMNS_WITH_TOTAL, type CountedTable } from './report-table';
import { fixingColumns, intervalsDuring, KNOWN_INTERVALS } from '../report-sql';

export const offendersOnSnapshot: CountedTable<'offendersOnSnapshot'> = {
  id: 'offendersOnSnapshot',
  kind: 'snapshot',
  section: '6.1',
  unit: 'persons',
  title: 'MAPPA-eligible offenders in the community on 31 March (a snapshot)',
  rule:
    '6.1 `offendersOnSnapshot` (rows level1-3,total; cols category1-3,total): offenders in the area at S and in the ' + 'community (not in custody), by category and level at S.',
  rows: () => ['level1', 'level2', 'level3', 'total'],
  columns: CATEGORY_COLUMNS_WITH_TOTAL,
  items: offendersOnSnapshotItems,
};

/** One item per offender in the area and the community at S ($4), by level and category then; counted event: the one opening that interval. */
function offendersOnSnapshotItems(): string {
  return `
  WITH ${KNOWN_INTERVALS}
  SELECT iv.area, 'level' || iv.level AS row_id, 'category' || iv.category AS col_id, iv.offender_id,
         iv.start_pos AS counted_pos, ${fixingColumns('iv')}
    FROM ${intervalsDuring('$4::date', '$4::date', 'NOT r.in_custody')} iv`;
}
