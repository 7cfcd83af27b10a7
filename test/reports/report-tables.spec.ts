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

  // The rules' source of truth ships with the code: reference/report-rules.md, a copy of DOMAIN.md section 6.
  const joined = (text: string) => text.split(/\s+/).join(' ');
  const rules = fs.readFileSync(path.resolve(__dirname, '../../reference/report-rules.md'), 'utf8');
  it('quotes each rule verbatim from DOMAIN.md section 6, as shipped in reference/report-rules.md (line breaks joined)', () => {
    for (const table of REPORT_TABLES) expect(joined(rules)).toContain(table.rule);
  });

  // The copy itself is checked against the specification wherever the specification is beside the checkout.
  const domain = ['spec/DOMAIN.md', '../shared/spec/DOMAIN.md'].map((p) => path.resolve(__dirname, '../..', p)).find((p) => fs.existsSync(p));
  (domain ? it : it.skip)(`reference/report-rules.md is section 6 of DOMAIN.md word for word${domain ? '' : ' (skipped: no DOMAIN.md beside this checkout)'}`, () => {
    const section6 = /^## 6\. [\s\S]*?(?=^## 7\. )/m.exec(fs.readFileSync(domain as string, 'utf8'));
    expect(section6).not.toBeNull();
    expect(joined(rules)).toContain(joined(section6![0]));
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
