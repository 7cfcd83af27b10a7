import { divisionsOf } from '../../domain/reference-areas';
import { NATIONAL_ROWS, isNational, parseCellId, TOTAL, type ReportCells, type CountedTable } from './report-table';
import { fixingColumns, intervalsDuring, KNOWN_INTERVALS } from '../report-sql';

export const UNASSIGNED = 'unassigned';

export const rsoByDivision: CountedTable<'rsoByDivision'> = {
  id: 'rsoByDivision',
  kind: 'snapshot',
  section: '6.10',
  unit: 'persons',
  title: 'Number of RSOs per Division – a snapshot taken on 31 March',
  rule:
    '6.10 `rsoByDivision` (rows: each division of the area, `unassigned`, `total`; col count; for ' +
    '`england-and-wales` the rows are the 42 areas and `total`): the category 1 offenders of 6.1 (in the area and ' +
    'in the community at S), by division at S; those without a division at S are `unassigned`. `total` equals ' +
    '`offendersOnSnapshot.total.category1`.',
  rows: (area, cells) => {
    if (isNational(area)) return [...NATIONAL_ROWS, TOTAL];
    const configured = divisionsOf(area);
    // An area with no divisions configured accepts any division id (DOMAIN.md 2): its rows are those found.
    const divisions = configured ?? divisionsFoundIn(cells);
    return [...divisions, UNASSIGNED, TOTAL];
  },
  columns: ['count'],
  items: rsoByDivisionItems,
};

function divisionsFoundIn(cells: Readonly<ReportCells> | undefined): string[] {
  const found = new Set<string>();
  for (const id of Object.keys(cells ?? {})) {
    const cell = parseCellId(id);
    if (cell?.table === 'rsoByDivision' && cell.row !== UNASSIGNED && cell.row !== TOTAL) found.add(cell.row);
  }
  return [...found].sort();
}

/** The category 1 offenders of 6.1 by division at S (`unassigned` without one); for england-and-wales the rows are the areas. */
function rsoByDivisionItems(): string {
  return `
  WITH ${KNOWN_INTERVALS}
  SELECT iv.area,
         CASE WHEN cardinality($1::text[]) > 1 THEN iv.area ELSE COALESCE(iv.division, 'unassigned') END AS row_id,
         'count' AS col_id, iv.offender_id, iv.start_pos AS counted_pos, ${fixingColumns('iv')}
    FROM ${intervalsDuring('$4::date', '$4::date', 'NOT r.in_custody AND r.category = 1')} iv`;
}
