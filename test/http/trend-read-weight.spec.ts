import { isExpensiveReportRead } from '../../src/http/report-read-limit.interceptor';

// A trend counts its tables once per report year: it weighs as a national report in the caller's
// budget of report reads (its from/to are report years such as 2006-07, which the period rule
// would not read as a range of dates, and would have weighed as one area-report).

describe('the weight of a trend read', () => {
  it('is that of an expensive read, for one area as for england-and-wales', () => {
    const query = { table: 'offendersOnSnapshot', from: '2006-07', to: '2024-25' };
    expect(isExpensiveReportRead({ params: { area: 'greater-manchester' }, query, path: '/trends/greater-manchester' })).toBe(true);
    expect(isExpensiveReportRead({ params: { area: 'england-and-wales' }, query, path: '/trends/england-and-wales' })).toBe(true);
    expect(isExpensiveReportRead({ params: { area: 'greater-manchester', year: '2014-15' }, query: {}, path: '/reports/greater-manchester/2014-15' })).toBe(false);
  });
});
