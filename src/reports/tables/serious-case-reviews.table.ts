import { CATEGORY_COLUMNS, type ReportTable } from './report-table';

export const seriousCaseReviews: ReportTable = {
  id: 'seriousCaseReviews',
  section: '6.7',
  title: 'Serious Case Reviews (SCR) resulting from Level 2 and 3 offenders under probation supervision charged with SFO',
  rule:
    '6.7 `seriousCaseReviews` (rows level2,level3; cols category1-3): reviews commenced during P for charges made ' +
    'while the offender was in the area at level 2 or 3, by category and level on the charge date.',
  rows: () => ['level2', 'level3'],
  columns: CATEGORY_COLUMNS,
};
