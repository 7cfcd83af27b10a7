import type { ReportTable } from './report-table';
import { SFO_ROWS } from './sfo-rows';

export const sfoOutcomes: ReportTable = {
  id: 'sfoOutcomes',
  section: '6.9',
  title: 'Offenders under probation supervision on an outstanding charge for SFO',
  rule:
    '6.9 `sfoOutcomes` (same rows; cols convicted, outstandingAtEnd, otherOutcome, leftArea): the cases of 6.8 that ' +
    'were open at some time in P (outstandingAtStart plus chargedInYear), by category and level on the charge ' +
    'date: outcome `convicted` recorded during P; no outcome on or before S; any other outcome recorded during P. ' +
    'A case whose offender was no longer in the area on the outcome date (or on S, if no outcome) counts in ' +
    '`leftArea` instead, and not in the other three, so that for every row ' +
    '`outstandingAtStart + chargedInYear = convicted + outstandingAtEnd + otherOutcome + leftArea`. (Published ' +
    'reports have only the first three columns; the fourth is what reconciles them.)',
  rows: () => SFO_ROWS,
  columns: ['convicted', 'outstandingAtEnd', 'otherOutcome', 'leftArea'],
};
