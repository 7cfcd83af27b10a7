import { CATEGORY_COLUMNS_WITH_TOTAL, type ReportTable } from './report-table';

export const offendersOnSnapshot: ReportTable = {
  id: 'offendersOnSnapshot',
  section: '6.1',
  title: 'MAPPA-eligible offenders in the community on 31 March (a snapshot)',
  rule:
    '6.1 `offendersOnSnapshot` (rows level1-3,total; cols category1-3,total): offenders in the area at S and in the ' +
    'community (not in custody), by category and level at S.',
  rows: () => ['level1', 'level2', 'level3', 'total'],
  columns: CATEGORY_COLUMNS_WITH_TOTAL,
};
