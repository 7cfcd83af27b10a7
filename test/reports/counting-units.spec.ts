import { reportToHtml } from '../../src/reports/render/report-html';
import { tablesToText } from '../../src/reports/render/report-text';
import { layoutOf } from '../../src/reports/report.service';
import { COUNTING_UNIT_TEXT, REPORT_TABLES } from '../../src/reports/tables';

// Issue 14.5: each table says what it counts, so that nobody compares a count of people with a
// count of occasions. The unit follows from the rule of DOMAIN.md section 6 that the table quotes.

describe('counting units', () => {
  it('each table counts what its rule says: distinct offenders, SFO cases, orders, reviews or a rate', () => {
    expect(Object.fromEntries(REPORT_TABLES.map((t) => [t.id, t.unit]))).toEqual({
      offendersOnSnapshot: 'persons',
      level23InYear: 'persons',
      ordersImposed: 'orders',
      notificationBreaches: 'persons',
      recalledForLicenceBreach: 'persons',
      custodyForSopoBreach: 'persons',
      seriousCaseReviews: 'reviews',
      sfoCharges: 'cases',
      sfoOutcomes: 'cases',
      rsoByDivision: 'persons',
      rsoRate: 'ratePer100k',
    });
  });

  it('a table of persons is one whose rule counts offenders; of cases, charges; of orders, orders', () => {
    for (const table of REPORT_TABLES) {
      const rule = table.rule.toLowerCase();
      if (table.unit === 'persons') expect({ table: table.id, counts: /offenders/.test(rule) }).toEqual({ table: table.id, counts: true });
      if (table.unit === 'cases') expect({ table: table.id, counts: /case|charges/.test(rule) }).toEqual({ table: table.id, counts: true });
      if (table.unit === 'orders') expect({ table: table.id, counts: /orders imposed/.test(rule) }).toEqual({ table: table.id, counts: true });
      if (table.unit === 'reviews') expect({ table: table.id, counts: /reviews commenced/.test(rule) }).toEqual({ table: table.id, counts: true });
    }
  });

  it('the HTML and text reports show each table unit', () => {
    const tables = REPORT_TABLES.map((t) => layoutOf(t, 'kent', {}));
    const report = { area: 'kent', year: '2014/15', asKnownAt: null, position: '1', cells: {}, tables };
    const html = reportToHtml(report);
    for (const text of new Set(Object.values(COUNTING_UNIT_TEXT))) expect(html).toContain(text.replace(/'/g, '&#39;'));
    expect(tablesToText(tables, {})).toContain('6.8 Offenders under probation supervision charged with a Serious Further Offence (SFO) [cases]');
  });
});
