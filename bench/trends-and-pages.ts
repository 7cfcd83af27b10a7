import { ProjectionRunner } from '../projections/projection-runner';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import { noPublishedFigures } from '../src/reports/published-figures';
import { ReportService } from '../src/reports/report.service';
import { TrendsService } from '../src/reports/trends';
import { openTarget, type BenchTarget } from './bench-target';
import { latencies, timed, type Latencies } from './measure';

// Issue 14.4 and 14.1 measured: a trend of one table over every report year of the history, for
// one area and for england-and-wales, side by side with computing the same years one report at a
// time (what a caller without trends would do); and a national cell's trace read in pages (the
// first page with its summary, a later page) and exported whole, page by page, as the CSV is.

export interface TrendsAndPagesArgs {
  target: BenchTarget;
  area: string;
  /** Report years fromYear..toYear (a trend covers them all). */
  fromYear: number;
  toYear: number;
  /** The tables whose trends are timed. */
  tables: string[];
  /** The national cell traced in pages. */
  traceCell: string;
  traceYear: number;
  pageSize: number;
  repeats: { area: number; national: number; perYearReports: number; pages: number };
  budgetSeconds: number;
}

export async function trendsAndPages(args: TrendsAndPagesArgs) {
  const opened = await openTarget(args.target);
  try {
    const runner = new ProjectionRunner(opened.store, opened.sql!);
    await runner.init();
    await runner.catchUp();
    const reports = new ReportService(opened.sql!, runner);
    const trends = new TrendsService(reports, noPublishedFigures);
    const years = Array.from({ length: args.toYear - args.fromYear + 1 }, (_, i) => args.fromYear + i);
    const run = async <T>(n: number, call: () => Promise<T>): Promise<{ latency: Latencies; last: Awaited<T> }> => {
      let last = await call(); // warm-up: plans and caches, not counted
      const ms: number[] = [];
      const deadline = Date.now() + args.budgetSeconds * 1000;
      for (let i = 0; i < n && (i < 3 || Date.now() < deadline); i++) {
        const t = await timed(call);
        ms.push(t.ms);
        last = t.value as Awaited<T>;
      }
      return { latency: latencies(ms), last };
    };
    const trendOf = async (area: string, table: string, n: number) => {
      const trend = await run(n, () => trends.trends(area, { table }, args.fromYear, args.toYear));
      // The same years one report at a time, each the whole report (what the caller would otherwise ask).
      const oneByOne = await run(args.repeats.perYearReports, async () => {
        const cells: Record<number, Record<string, number>> = {};
        for (const year of years) cells[year] = (await reports.report(area, year)).cells;
        return cells;
      });
      const differs = trend.last.cells.flatMap((c) =>
        c.years.filter((p, i) => p.value !== (Number.isFinite(oneByOne.last[years[i]][c.cell]) ? (oneByOne.last[years[i]][c.cell] ?? 0) : null)).map((p) => `${c.cell} ${p.year}`),
      );
      return {
        area,
        table,
        years: years.length,
        cells: trend.last.cells.length,
        trend: trend.latency,
        perYearReports: oneByOne.latency,
        equal: differs.length === 0,
        differs: differs.slice(0, 5),
      };
    };
    const trendResults = [];
    for (const table of args.tables) {
      trendResults.push(await trendOf(args.area, table, args.repeats.area));
      trendResults.push(await trendOf(ENGLAND_AND_WALES, table, args.repeats.national));
    }

    // A national cell in pages, as the workbench reads it: the first page (with the summary), then a later one.
    const first = await run(args.repeats.pages, () => reports.tracePage(ENGLAND_AND_WALES, args.traceYear, args.traceCell, { limit: args.pageSize }));
    const middleCursor = await reports.tracePage(ENGLAND_AND_WALES, args.traceYear, args.traceCell, { limit: Math.floor(first.last.summary!.items / 2) || 1 });
    const later = await run(args.repeats.pages, () =>
      reports.tracePage(ENGLAND_AND_WALES, args.traceYear, args.traceCell, { limit: args.pageSize, after: middleCursor.next ?? undefined }),
    );
    const exported = await timed(async () => {
      const { pages } = await reports.traceInPages(ENGLAND_AND_WALES, args.traceYear, args.traceCell);
      let items = 0;
      for await (const page of pages) items += page.length;
      return items;
    });
    return {
      trends: trendResults,
      pagedTrace: {
        cell: args.traceCell,
        year: args.traceYear,
        items: first.last.summary!.items,
        pageSize: args.pageSize,
        firstPage: first.latency,
        laterPage: later.latency,
        wholeExport: { ms: Math.round(exported.ms), items: exported.value },
      },
    };
  } finally {
    await opened.close();
  }
}
