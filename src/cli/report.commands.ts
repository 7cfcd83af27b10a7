import { QueryBus } from '@nestjs/cqrs';
import type { Command } from 'commander';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { LOCAL_OPERATOR } from '../auth/principal';
import { AccessAudit } from '../audit/access-audit';
import type { AppConfig } from '../config/app-config';
import { echo, InvalidInputError } from '../errors';
import { optionalInstant, requiredDate, requiredReason } from '../http/params';
import { GetReportQuery, GetSnapshotQuery, GetTraceInPagesQuery, GetTracePageQuery, GetTraceQuery, GetTrendsQuery } from '../queries/reports/report-queries';
import { cellsToCsv } from '../reports/render/report-csv';
import { reportToHtml, type RenderableReport } from '../reports/render/report-html';
import { tablesToText } from '../reports/render/report-text';
import { TRACE_CSV_HEADER, traceItemsToCsv } from '../reports/render/trace-csv';
import { trendsToCsv, trendsToText } from '../reports/render/trends-render';
import { decodeTraceCursor, traceLimit } from '../reports/trace-cursor';
import { checkPublishedFile, compareCells, type PublishedFigures } from '../reports/report-checks';
import { areasOfReport, knownReportArea } from '../reports/report-area';
import { parseReportYear } from '../reports/report-period';
import { createCliContext } from './app-context';
import { readableStoreConfig } from './readable-store';

// Reads as the local operator, after bringing the read models up to the store's head, so `mappa report` sees what `mappa import` just wrote.

type Format = 'json' | 'csv' | 'html' | 'text';

type CliApp = Awaited<ReturnType<typeof createCliContext>>;

/** Runs `work` on the configured store, creating it if absent (writes and operations). */
export async function withApp<T>(work: (app: CliApp) => Promise<T>, config?: AppConfig): Promise<T> {
  const app = await createCliContext(config ? { config } : {});
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Runs a read: on a store that exists, never one it would create (readable-store.ts). */
async function withReadableStore<T>(work: (app: CliApp) => Promise<T>): Promise<T> {
  return withApp(work, await readableStoreConfig());
}

function render(body: RenderableReport, format: Format): string {
  switch (format) {
    case 'csv':
      return cellsToCsv(body.cells);
    case 'html':
      return reportToHtml(body);
    case 'text':
      return `${textWarnings(body)}${tablesToText(body.tables, body.cells)}\n\nposition ${body.position}${body.asKnownAt ? `, as known at ${body.asKnownAt}` : ''}\n`;
    default:
      return JSON.stringify(body, null, 2) + '\n';
  }
}

/** The read's warnings (an empty store), above the figures. */
const textWarnings = (body: { warnings?: string[] }): string => (body.warnings ?? []).map((w) => `WARNING: ${w}\n\n`).join('');

/** Text carries its warnings above the figures; other formats are for programs, so tell the person on standard error. */
function warnPerson(body: { warnings?: string[] }, format: Format): void {
  if (format !== 'text') for (const w of body.warnings ?? []) console.error(`WARNING: ${w}`);
}

async function output(text: string, out?: string) {
  if (out) {
    await writeFile(out, text);
    console.error(`written to ${out}`);
  } else process.stdout.write(text);
}

/** Writes to a stream, waiting while it is full (a whole trace never sits in memory). */
async function writeTo(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

const formatOption = (v: string): Format => {
  if (!['json', 'csv', 'html', 'text'].includes(v)) throw new Error('--format is one of json, csv, html, text');
  return v as Format;
};

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('the MAPPA annual report of an area (or england-and-wales) for a year')
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .requiredOption('--year <year>', 'report year such as 2014-15')
    .option('--as-known-at <timestamp>', 'as the service knew it then (ISO timestamp)')
    .option('--format <format>', 'json | csv | html | text', formatOption, 'json')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { area: string; year: string; asKnownAt?: string; format: Format; out?: string }) => {
      const area = knownReportArea(opts.area);
      const year = parseReportYear(opts.year);
      const asKnownAt = optionalInstant('--as-known-at', opts.asKnownAt);
      const report = await withReadableStore((app) => app.get(QueryBus).execute(new GetReportQuery(area, year, { asKnownAt })));
      warnPerson(report, opts.format);
      await output(render(report, opts.format), opts.out);
    });

  program
    .command('snapshot')
    .description('table 6.1 at the end of any date')
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .requiredOption('--date <date>', 'YYYY-MM-DD')
    .option('--as-known-at <timestamp>', 'as the service knew it then (ISO timestamp)')
    .option('--format <format>', 'json | csv | html | text', formatOption, 'text')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { area: string; date: string; asKnownAt?: string; format: Format; out?: string }) => {
      const area = knownReportArea(opts.area);
      const date = requiredDate('--date', opts.date);
      const asKnownAt = optionalInstant('--as-known-at', opts.asKnownAt);
      const snapshot = await withReadableStore((app) => app.get(QueryBus).execute(new GetSnapshotQuery(area, date, { asKnownAt })));
      warnPerson(snapshot, opts.format);
      await output(render(snapshot, opts.format), opts.out);
    });

  program
    .command('trace')
    .description("one cell's trace: the rule, the counted items and the events behind them (names offenders: audited, needs --reason)")
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .requiredOption('--year <year>', 'report year such as 2014-15')
    .requiredOption('--cell <cellId>', 'such as offendersOnSnapshot.level2.category1')
    .requiredOption('--reason <text>', 'why you read it (kept in the access audit, DPA 2018 s.62)')
    .option('--as-known-at <timestamp>', 'as the service knew it then (ISO timestamp)')
    .option('--limit <n>', 'one page of at most n items (0: the summary alone), with `next` for --after; the first page has the summary')
    .option('--after <cursor>', 'the `next` of the previous page')
    .option('--format <format>', 'json | csv (csv: the whole trace, spreadsheet-safe, streamed)', 'json')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { area: string; year: string; cell: string; reason: string; asKnownAt?: string; limit?: string; after?: string; format: string; out?: string }) => {
      const area = knownReportArea(opts.area);
      const year = parseReportYear(opts.year);
      const asKnownAt = optionalInstant('--as-known-at', opts.asKnownAt);
      const reason = requiredReason(opts.reason);
      const limit = traceLimit(opts.limit);
      if (opts.after !== undefined) decodeTraceCursor(opts.after);
      if (opts.format !== 'json' && opts.format !== 'csv') throw new InvalidInputError('--format is json or csv.', [{ field: '--format', rule: 'one-of', message: 'json or csv' }]);
      if (opts.format === 'csv' && (limit !== undefined || opts.after !== undefined)) {
        throw new InvalidInputError('The CSV export is the whole trace: leave out --limit and --after.', [{ field: '--format', rule: 'whole-trace', message: 'csv is not paged' }]);
      }
      if (opts.after !== undefined && limit === undefined)
        throw new InvalidInputError('--after needs --limit.', [{ field: '--limit', rule: 'required', message: '--limit is required with --after' }]);
      const how = [limit !== undefined && `limit=${limit}`, opts.after !== undefined && `after=${opts.after}`, opts.format === 'csv' && 'csv'].filter(Boolean).join(' ');
      await withReadableStore(async (app) => {
        // Recorded before the read, as over HTTP; the actor is the operating-system user.
        await app.get(AccessAudit).record(
          {
            caller: LOCAL_OPERATOR,
            action: 'trace',
            target: `${area} ${opts.year} ${echo(opts.cell)}${asKnownAt ? ` asKnownAt=${asKnownAt.toISOString()}` : ''}${how ? ` ${how}` : ''} (command line)`,
            areas: areasOfReport(area),
            reason,
          },
          'allowed',
        );
        const bus = app.get(QueryBus);
        if (opts.format === 'csv') {
          const { summary, pages } = await bus.execute(new GetTraceInPagesQuery(area, year, opts.cell, { asKnownAt }));
          const out = opts.out ? createWriteStream(opts.out) : process.stdout;
          await writeTo(out, TRACE_CSV_HEADER);
          for await (const items of pages) await writeTo(out, traceItemsToCsv(items));
          if (opts.out) {
            await new Promise<void>((resolve, reject) => (out as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
            console.error(`${summary.items} item(s) written to ${opts.out}`);
          }
          return;
        }
        const trace =
          limit === undefined
            ? await bus.execute(new GetTraceQuery(area, year, opts.cell, { asKnownAt }))
            : await bus.execute(new GetTracePageQuery(area, year, opts.cell, { limit, after: opts.after }, { asKnownAt }));
        await output(JSON.stringify(trace, null, 2) + '\n', opts.out);
      });
    });

  program
    .command('trends')
    .description('cells across report years: each year as known at one moment, the published figure beside it, the change from the year before')
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .option('--table <table>', 'every cell of one table, such as offendersOnSnapshot')
    .option('--cells <ids>', 'cell ids separated by commas')
    .requiredOption('--from <year>', 'first report year, such as 2006-07')
    .requiredOption('--to <year>', 'last report year, such as 2024-25')
    .option('--as-known-at <timestamp>', 'as the service knew it then (ISO timestamp)')
    .option('--format <format>', 'json | csv | text', 'text')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (opts: { area: string; table?: string; cells?: string; from: string; to: string; asKnownAt?: string; format: string; out?: string }) => {
      const area = knownReportArea(opts.area);
      if ((opts.table === undefined) === (opts.cells === undefined)) {
        throw new InvalidInputError('Give either --table or --cells.', [{ field: '--table', rule: 'one-of', message: '--table or --cells' }]);
      }
      if (!['json', 'csv', 'text'].includes(opts.format))
        throw new InvalidInputError('--format is json, csv or text.', [{ field: '--format', rule: 'one-of', message: 'json, csv or text' }]);
      const selection =
        opts.table !== undefined
          ? { table: opts.table }
          : {
              cells: opts
                .cells!.split(',')
                .map((c) => c.trim())
                .filter(Boolean),
            };
      const query = new GetTrendsQuery(area, selection, parseReportYear(opts.from), parseReportYear(opts.to), { asKnownAt: optionalInstant('--as-known-at', opts.asKnownAt) });
      const trends = await withReadableStore((app) => app.get(QueryBus).execute(query));
      warnPerson(trends, opts.format === 'text' ? 'text' : 'json');
      const text = opts.format === 'json' ? JSON.stringify(trends, null, 2) + '\n' : opts.format === 'csv' ? trendsToCsv(trends) : textWarnings(trends) + trendsToText(trends);
      await output(text, opts.out);
    });

  program
    .command('check')
    .argument('<file>', 'a published figures file (cell ids as in reference/published/)')
    .description('the reconciliation checks of DOMAIN.md 6.12 on a published figures file, and its differences from the computed report')
    .option('--as-printed', 'use the figures as printed (publishedDiffers), not as corrected')
    .option('--against-area <area>', 'compare cell by cell with the report computed for this area')
    .option('--year <year>', 'the year of the comparison, such as 2014-15')
    .action(async (file: string, opts: { asPrinted?: boolean; againstArea?: string; year?: string }) => {
      const published = JSON.parse(await readFile(file, 'utf8')) as PublishedFigures;
      const checks = checkPublishedFile(published, { asPrinted: opts.asPrinted });
      let failed = 0;
      for (const c of checks) {
        if (!c.ok) failed++;
        console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.id}: ${c.detail}`);
      }
      if (opts.againstArea) {
        if (!opts.year) throw new Error('--against-area needs --year');
        const area = knownReportArea(opts.againstArea);
        const year = parseReportYear(opts.year);
        const report = await withReadableStore((app) => app.get(QueryBus).execute(new GetReportQuery(area, year)));
        warnPerson(report, 'json');
        const differences = compareCells(report.cells, published.cells);
        for (const d of differences) console.log(`DIFF ${JSON.stringify(d)}`);
        console.log(`${differences.length} cell(s) differ from the report computed for ${opts.againstArea} ${opts.year}`);
        if (differences.length) failed++;
      }
      process.exitCode = failed > 0 ? 1 : 0;
    });
}
