import fc from 'fast-check';
import { isWellFormedDivision } from '../../../src/domain/reference-areas';
import { cellsToCsv } from '../../../src/reports/render/report-csv';
import { reportToHtml } from '../../../src/reports/render/report-html';
import { tablesToText } from '../../../src/reports/render/report-text';
import { layoutOf } from '../../../src/reports/report.service';
import { cellId, label, REPORT_TABLES, rsoByDivision, type ReportCells } from '../../../src/reports/tables';

// Issue 10, item 9: every renderer renders every division id the validator accepts, including
// the names of every JavaScript object's properties (`constructor` made an area's HTML answer 500).

/** Names every object inherits, kept where the validator accepts them as division ids. */
const OBJECT_PROPERTY_NAMES = Object.getOwnPropertyNames(Object.prototype).concat(['prototype', 'caller', 'arguments', 'length', 'name']);

/** Division ids the validator accepts (`isWellFormedDivision`, lower kebab-case), property names first. */
const acceptedDivision = fc.oneof(
  fc.constantFrom(...OBJECT_PROPERTY_NAMES.filter(isWellFormedDivision)),
  fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,12}){0,3}$/).filter(isWellFormedDivision),
);

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** An area report (kent has no configured divisions) whose division table has these rows. */
function reportWithDivisions(divisions: readonly string[]) {
  const cells: ReportCells = {};
  divisions.forEach((d, i) => (cells[cellId(rsoByDivision, d, 'count')] = i + 1));
  const tables = REPORT_TABLES.map((t) => layoutOf(t, 'kent', cells));
  return { area: 'kent', year: '2014/15', asKnownAt: null, position: '1', cells, tables };
}

describe('report renderers with any accepted division id', () => {
  it('the validator accepts constructor (so the renderers must render it)', () => {
    expect(OBJECT_PROPERTY_NAMES.filter(isWellFormedDivision)).toContain('constructor');
  });

  it('HTML, CSV and text never throw, and show every division (escaped in HTML)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(acceptedDivision, { minLength: 1, maxLength: 6 }), (divisions) => {
        const report = reportWithDivisions(divisions);
        const html = reportToHtml(report);
        const csv = cellsToCsv(report.cells);
        const text = tablesToText(report.tables, report.cells);
        divisions.forEach((d, i) => {
          expect(typeof label(d)).toBe('string');
          expect(html).toContain(`<th>${escapeHtml(label(d))}</th><td title="${escapeHtml(cellId(rsoByDivision, d, 'count'))}">${i + 1}</td>`);
          expect(csv).toContain(`rsoByDivision,${d},count,${i + 1}\n`);
          expect(text).toContain(label(d).slice(0, 20));
        });
      }),
      { numRuns: 300 },
    );
  });
});
