import { CATEGORY_COLUMNS_WITH_TOTAL, type ReportTable } from './report-table';

export const level23InYear: ReportTable = {
  id: 'level23InYear',
  section: '6.2',
  title: 'MAPPA-eligible offenders in level 2 and 3 by category (yearly total from 1 April to 31 March)',
  rule:
    '6.2 `level23InYear` (rows level2,level3,total; cols category1-3,total): distinct offenders in the area at ' +
    'level 2 or 3 on at least one day of P (including those who entered level 2/3 before P and were still there ' +
    'on 1 April). Each is counted once: at the highest level they held in the area during P, under the category ' +
    'they had on the last day of P they held that level.',
  rows: () => ['level2', 'level3', 'total'],
  columns: CATEGORY_COLUMNS_WITH_TOTAL,
};
