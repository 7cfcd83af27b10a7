import { custodyForSopoBreach } from './custody-for-sopo-breach.table';
import { level23InYear } from './level23-in-year.table';
import { notificationBreaches } from './notification-breaches.table';
import { offendersOnSnapshot } from './offenders-on-snapshot.table';
import { ordersImposed } from './orders-imposed.table';
import { recalledForLicenceBreach } from './recalled-for-licence-breach.table';
import { tableCellIds, type ReportCells, type ReportTable, type ReportTableId } from './report-table';
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
export const REPORT_TABLES: readonly ReportTable[] = [
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
];

/** The table with this id. */
export function reportTable(id: ReportTableId): ReportTable {
  const table = REPORT_TABLES.find((t) => t.id === id);
  if (!table) throw new Error(`Unknown report table ${id}.`);
  return table;
}

/** Every cell id of a report on `area`, table by table (cells lets rsoByDivision add divisions found). */
export function reportCellIds(area: string, cells?: Readonly<ReportCells>): string[] {
  return REPORT_TABLES.flatMap((table) => tableCellIds(table, area, cells));
}
