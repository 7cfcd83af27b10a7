import { CATEGORY_COLUMNS_WITH_TOTAL, type ReportTable } from './report-table';

export const recalledForLicenceBreach: ReportTable = {
  id: 'recalledForLicenceBreach',
  section: '6.5',
  title: 'Offenders returned to custody for breach of licence',
  rule:
    '6.5 `recalledForLicenceBreach` (rows level2,level3,total; cols category1-3,total): distinct offenders with at ' +
    'least one `LicenceBreached{returnedToCustody:true}` during P while in the area at level 2 or 3; attributed to ' +
    'category and level on the date of their last such recall in P. (Level 1 recalls are not published. A ' +
    '`CustodyEntered{reason:recall}` without a recorded breach is not counted.)',
  rows: () => ['level2', 'level3', 'total'],
  columns: CATEGORY_COLUMNS_WITH_TOTAL,
};
