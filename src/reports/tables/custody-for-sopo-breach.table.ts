import type { ReportTable } from './report-table';

export const custodyForSopoBreach: ReportTable = {
  id: 'custodyForSopoBreach',
  section: '6.6',
  title: 'Offenders sent to custody for a breach of SOPO (Sexual Offence Prevention Order)',
  rule:
    '6.6 `custodyForSopoBreach` (row category1; cols level2,level3,total): distinct offenders with ' +
    '`SopoBreached{sentToCustody:true}` during P while in the area at level 2 or 3; level on the date of their last ' +
    'such breach in P.',
  rows: () => ['category1'],
  columns: ['level2', 'level3', 'total'],
};
