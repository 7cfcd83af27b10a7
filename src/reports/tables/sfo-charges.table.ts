import type { ReportTable } from './report-table';
import { SFO_ROWS } from './sfo-rows';

export const sfoCharges: ReportTable = {
  id: 'sfoCharges',
  section: '6.8',
  title: 'Offenders under probation supervision charged with a Serious Further Offence (SFO)',
  rule:
    '6.8 `sfoCharges` (rows category1-level1, category1-level2, category1-level3, category2-level1, ' +
    'category2-level2, category2-level3, category3-level2, category3-level3; cols chargedInYear, ' +
    'chargedInPreviousYear, outstandingAtStart): SFO charges (a case is one `chargeId`) against offenders in the ' +
    'area on the charge date, by category and level on the charge date: charged during P; charged during the year ' +
    'before P; and charged before P with no outcome recorded on or before 31 March Y (the day before P).',
  rows: () => SFO_ROWS,
  columns: ['chargedInYear', 'chargedInPreviousYear', 'outstandingAtStart'],
};
