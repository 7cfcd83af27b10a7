import { custodyForSopoBreach } from './custody-for-sopo-breach.table';
import { level23InYear } from './level23-in-year.table';
import { notificationBreaches } from './notification-breaches.table';
import { offendersOnSnapshot } from './offenders-on-snapshot.table';
import { ordersImposed } from './orders-imposed.table';
import { recalledForLicenceBreach } from './recalled-for-licence-breach.table';
import { tableCellIds, type CountedTable, type DerivedTable, type ReportCells, type ReportTable } from './report-table';
import { rsoByDivision } from './rso-by-division.table';
import { rsoRate } from './rso-rate.table';
import { seriousCaseReviews } from './serious-case-reviews.table';
import { sfoCharges } from './sfo-charges.table';
import { sfoOutcomes } from './sfo-outcomes.table';

export * from './report-table';
export { SFO_ROWS, sfoRow } from './sfo-rows';
export { UNASSIGNED } from './rso-by-division.table';
export { ratePer100k } from './rso-rate.table';
export {
  custodyForSopoBreach,
  level23InYear,
  notificationBreaches,
  offendersOnSnapshot,
  ordersImposed,
  recalledForLicenceBreach,
  rsoByDivision,
  rsoRate,
  seriousCaseReviews,
  sfoCharges,
  sfoOutcomes,
};

/** The tables of DOMAIN.md section 6, in the order of the published report. */
export const REPORT_TABLES = [
  offendersOnSnapshot,
  level23InYear,
  ordersImposed,
  notificationBreaches,
  recalledForLicenceBreach,
  custodyForSopoBreach,
  seriousCaseReviews,
  sfoCharges,
  sfoOutcomes,
  rsoByDivision,
  rsoRate,
] as const satisfies readonly ReportTable[];

/** A table's id: a new table's file gives its own, and the list above makes it known. */
export type ReportTableId = Listed['id'];
type Listed = (typeof REPORT_TABLES)[number];

/** The tables counted from the read models, and the period ones among them (GET /period). */
export const COUNTED_TABLES: readonly CountedTable[] = REPORT_TABLES.filter((t): t is Extract<Listed, CountedTable> => t.kind !== 'derived');
export const PERIOD_TABLES: readonly CountedTable[] = COUNTED_TABLES.filter((t) => t.kind === 'period');
export const DERIVED_TABLES: readonly DerivedTable[] = REPORT_TABLES.filter((t): t is Extract<Listed, DerivedTable> => t.kind === 'derived');

/** Every cell id of a report on `area`, table by table (cells lets rsoByDivision add divisions found). */
export function reportCellIds(area: string, cells?: Readonly<ReportCells>): string[] {
  return REPORT_TABLES.flatMap((table) => tableCellIds(table, area, cells));
}
