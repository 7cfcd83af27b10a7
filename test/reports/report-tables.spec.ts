import * as fs from 'node:fs';
import * as path from 'node:path';
import { AREAS } from '../../src/domain/reference-areas';
import { cellId, label, parseCellId, REPORT_TABLES, reportCellIds, rsoByDivision, tableCellIds } from '../../src/reports/tables';

// The layout of the published tables (DOMAIN.md section 6): one file per table, each quoting its rule.

describe('REPORT_TABLES', () => {
  it('has the eleven tables of DOMAIN.md 6.1-6.11, in order', () => {
    expect(REPORT_TABLES.map((t) => [t.section, t.id])).toEqual([
      ['6.1', 'offendersOnSnapshot'],
      ['6.2', 'level23InYear'],
      ['6.3', 'ordersImposed'],
      ['6.4', 'notificationBreaches'],
      ['6.5', 'recalledForLicenceBreach'],
      ['6.6', 'custodyForSopoBreach'],
      ['6.7', 'seriousCaseReviews'],
      ['6.8', 'sfoCharges'],
      ['6.9', 'sfoOutcomes'],
      ['6.10', 'rsoByDivision'],
      ['6.11', 'rsoRate'],
    ]);
  });

  it('quotes each rule with its section number and table id', () => {
    for (const table of REPORT_TABLES) expect(table.rule.startsWith(`${table.section} \`${table.id}\` (`)).toBe(true);
  });

  // DOMAIN.md is the project's specification; where a copy is at hand, the quotes must be verbatim.
  const domain = ['docs/DOMAIN.md', 'spec/DOMAIN.md', '../shared/spec/DOMAIN.md']
    .map((p) => path.resolve(__dirname, '../..', p))
    .find((p) => fs.existsSync(p));
  (domain ? it : it.skip)('quotes each rule verbatim from DOMAIN.md (line breaks joined)', () => {
    const text = fs.readFileSync(domain as string, 'utf8').split(/\s+/).join(' ');
    for (const table of REPORT_TABLES) expect(text).toContain(table.rule);
  });

  it('lays out the published Greater Manchester cells, plus the computed-only rows and column', () => {
    const ids = reportCellIds('greater-manchester');
    expect(ids).toHaveLength(new Set(ids).size);
    expect(ids).toContain('sfoOutcomes.category3-level3.leftArea');
    expect(ids).toContain('rsoByDivision.unassigned.count');
    expect(ids).not.toContain('sfoCharges.category3-level1.chargedInYear');
  });

  it('rows rsoByDivision by division for an area, and by area for england-and-wales', () => {
    expect(rsoByDivision.rows('greater-manchester')).toHaveLength(13);
    expect(rsoByDivision.rows('england-and-wales')).toEqual([...AREAS, 'total']);
    // An area with no divisions configured: the divisions found in the cells.
    expect(rsoByDivision.rows('kent', { 'rsoByDivision.medway.count': 3, 'rsoByDivision.unassigned.count': 1 })).toEqual(['medway', 'unassigned', 'total']);
    expect(tableCellIds(rsoByDivision, 'kent')).toEqual(['rsoByDivision.unassigned.count', 'rsoByDivision.total.count']);
  });

  it('names cells <table>.<row>.<column>, and labels rows and columns as published', () => {
    expect(cellId('sfoCharges', 'category1-level1', 'chargedInYear')).toBe('sfoCharges.category1-level1.chargedInYear');
    expect(parseCellId('rsoByDivision.north-manchester.count')).toEqual({ table: 'rsoByDivision', row: 'north-manchester', column: 'count' });
    expect(label('category2')).toBe('Category 2 – Violent Offenders');
    expect(label('category3-level2')).toBe('Category 3, Level 2');
    expect(label('south-manchester')).toBe('South Manchester');
    expect(label('greater-manchester')).toBe('Greater Manchester');
  });
});
