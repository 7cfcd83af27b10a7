import { Controller, Get, Headers, Param, Query, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { assertMayReadReport, assertMayReadTrace } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AccessAudit } from '../audit/access-audit';
import { InvalidInputError } from '../errors';
import { GetPeriodQuery, GetReportQuery, GetSnapshotQuery, GetTraceInPagesQuery, GetTracePageQuery, GetTraceQuery, GetTrendsQuery } from '../queries/reports/report-queries';
import { cellsToCsv } from '../reports/render/report-csv';
import { reportToHtml, type RenderableReport } from '../reports/render/report-html';
import { reportToXlsx, XLSX_TYPE } from '../reports/render/report-xlsx';
import { areasOfReport, knownReportArea } from '../reports/report-area';
import { parseReportYear } from '../reports/report-period';
import type { TraceHeading, TraceItem, TraceSummary } from '../reports/report.service';
import { TRACE_CSV_HEADER, traceItemsToCsv } from '../reports/render/trace-csv';
import { decodeTraceCursor, TRACE_PAGE_MAX, traceLimit } from '../reports/trace-cursor';
import type { TrendSelection } from '../reports/trends';
import { ReportReadLimitInterceptor } from './report-read-limit.interceptor';
import { optionalCount, optionalInstant, givenReason, requiredDate, requiredReason } from './params';

const KNOWLEDGE_QUERIES = [
  ApiQuery({ name: 'asKnownAt', required: false, description: 'answer as the service knew it at this instant (ISO timestamp)' }),
  ApiQuery({ name: 'atPosition', required: false, description: 'answer as of this event-store position (recompute a traced report)' }),
  ApiQuery({ name: 'minPosition', required: false, description: 'wait (briefly) until the read models reflect this position (read-your-writes)' }),
];
const applyAll =
  (decorators: MethodDecorator[]): MethodDecorator =>
  (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };

@ApiTags('reports')
@Controller()
@UseInterceptors(ReportReadLimitInterceptor)
export class ReportsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly accessAudit: AccessAudit,
  ) {}

  @Get('reports/:area/:year')
  @ApiOperation({ summary: 'The MAPPA annual report of an area (or england-and-wales) for a year such as 2014-15 (DOMAIN.md 6)' })
  @ApiProduces('application/json', 'text/csv', 'text/html', XLSX_TYPE)
  @applyAll(KNOWLEDGE_QUERIES)
  async report(
    @Param('area') areaRaw: string,
    @Param('year') yearRaw: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    const area = knownReportArea(areaRaw);
    assertMayReadReport(principal, area);
    const report = await this.queryBus.execute(new GetReportQuery(area, parseReportYear(yearRaw), knowledge(query)));
    await send(res, accept, report);
  }

  @Get('reports/:area/:year/cells/:cellId/trace')
  @ApiOperation({
    summary: "One cell's trace: the rule, every counted item and the events behind it (DOMAIN.md 7); auditors only, audited",
    description:
      'Without `limit`: every item in one JSON document (as before issue 14). With `limit`: one page of at most `limit` items in a stable order ' +
      '(area, offender, counted event position, row, column) and `next`, the `after` of the following page (null on the last); the first page ' +
      '(no `after`) also carries `summary` {items, byArea, byCountedType}; `limit=0` gives the summary alone. Every page is read at the position ' +
      'of the first. With `Accept: text/csv` or `format=csv`: the whole trace streamed as CSV, one row per item, spreadsheet-safe (no cell ' +
      'starts with = + - @), with headers X-Event-Store-Position and X-Trace-Items.',
  })
  @ApiProduces('application/json', 'text/csv')
  @applyAll([
    ...KNOWLEDGE_QUERIES,
    ApiQuery({ name: 'reason', required: true, description: 'why you read it (kept in the access audit; DPA 2018 s.62)' }),
    ApiQuery({ name: 'limit', required: false, description: `items per page, 0 (the summary alone) to ${TRACE_PAGE_MAX}; absent: the whole trace in one answer` }),
    ApiQuery({ name: 'after', required: false, description: 'the `next` of the previous page, unchanged' }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'], description: 'csv: the whole trace streamed as CSV (as Accept: text/csv)' }),
  ])
  async trace(
    @Param('area') areaRaw: string,
    @Param('year') yearRaw: string,
    @Param('cellId') cellIdRaw: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    const area = knownReportArea(areaRaw);
    const year = parseReportYear(yearRaw);
    const cellId = cellIdParam(cellIdRaw);
    const asked = knowledge(query);
    const limit = traceLimit(query.limit);
    const after = traceAfter(query.after);
    const csv = traceFormat(query.format, accept) === 'csv';
    if (csv && (limit !== undefined || after !== undefined)) {
      throw new InvalidInputError('The CSV export is the whole trace: leave out limit and after.', [{ field: 'format', rule: 'whole-trace', message: 'csv is not paged' }]);
    }
    if (after !== undefined && limit === undefined)
      throw new InvalidInputError('after needs limit.', [{ field: 'limit', rule: 'required', message: 'limit is required with after' }]);
    // The knowledge moment read, as given: a trace as known at another time names other events.
    const when = [asked.asKnownAt && `asKnownAt=${asked.asKnownAt.toISOString()}`, asked.atPosition !== undefined && `atPosition=${asked.atPosition}`].filter(Boolean).join(' ');
    const how = [limit !== undefined && `limit=${limit}`, after !== undefined && `after=${after}`, csv && 'csv'].filter(Boolean).join(' ');
    await this.accessAudit.authorise(
      {
        caller: principal,
        action: 'trace',
        target: `${area} ${yearRaw} ${cellId}${when ? ` ${when}` : ''}${how ? ` ${how}` : ''}`,
        areas: areasOfReport(area),
        reason: givenReason(query.reason),
      },
      () => {
        assertMayReadTrace(principal, area);
        requiredReason(query.reason);
      },
    );
    if (csv) return streamTraceCsv(res, await this.queryBus.execute(new GetTraceInPagesQuery(area, year, cellId, asked)));
    const body =
      limit === undefined
        ? await this.queryBus.execute(new GetTraceQuery(area, year, cellId, asked))
        : await this.queryBus.execute(new GetTracePageQuery(area, year, cellId, { limit, after }, asked));
    res.setHeader('X-Event-Store-Position', body.position);
    res.json(body);
  }

  @Get('trends/:area')
  @ApiOperation({
    summary: 'Cells across report years (issue 14.4): each year as known at one moment, the published figure beside it, the change from the year before',
    description:
      'Give `table` (every cell of one table) or `cells` (cell ids separated by commas). Snapshot cells (6.1, 6.10, 6.11) are on the 31 March ending ' +
      'each year, period cells count each year 1 April to 31 March. Answer: {area, from, to, asKnownAt, position, empty, warnings, cells: [{cell, ' +
      'table, unit, kind, years: [{year, value, published?, change?}]}]}; `change` is absent on the first year, `published` where the area ' +
      'published that year.',
  })
  @applyAll([
    ApiQuery({ name: 'table', required: false, example: 'offendersOnSnapshot', description: 'a table id (or give cells)' }),
    ApiQuery({
      name: 'cells',
      required: false,
      example: 'offendersOnSnapshot.total.category1,level23InYear.total.total',
      description: 'cell ids separated by commas (or give table)',
    }),
    ApiQuery({ name: 'from', required: true, example: '2006-07' }),
    ApiQuery({ name: 'to', required: true, example: '2024-25' }),
    ...KNOWLEDGE_QUERIES,
  ])
  async trends(@Param('area') areaRaw: string, @Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const area = knownReportArea(areaRaw);
    assertMayReadReport(principal, area);
    const body = await this.queryBus.execute(
      new GetTrendsQuery(area, trendSelection(query), reportYearParam('from', query.from), reportYearParam('to', query.to), knowledge(query)),
    );
    res.setHeader('X-Event-Store-Position', body.position);
    res.json(body);
  }

  @Get('snapshots/:area')
  @ApiOperation({ summary: 'Table 6.1 (offenders in the community, by category and level) at the end of any date' })
  @ApiProduces('application/json', 'text/csv', 'text/html', XLSX_TYPE)
  @applyAll([ApiQuery({ name: 'date', required: true, example: '2015-03-31' }), ...KNOWLEDGE_QUERIES])
  async snapshot(
    @Param('area') areaRaw: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    const area = knownReportArea(areaRaw);
    assertMayReadReport(principal, area);
    await send(res, accept, await this.queryBus.execute(new GetSnapshotQuery(area, requiredDate('date', query.date), knowledge(query))));
  }

  @Get('periods/:area')
  @ApiOperation({ summary: 'The period tables (6.2-6.9) for any range of dates' })
  @ApiProduces('application/json', 'text/csv', 'text/html', XLSX_TYPE)
  @applyAll([ApiQuery({ name: 'from', required: true, example: '2014-04-01' }), ApiQuery({ name: 'to', required: true, example: '2015-03-31' }), ...KNOWLEDGE_QUERIES])
  async period(
    @Param('area') areaRaw: string,
    @Query() query: Record<string, unknown>,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    const area = knownReportArea(areaRaw);
    assertMayReadReport(principal, area);
    const period = await this.queryBus.execute(new GetPeriodQuery(area, requiredDate('from', query.from), requiredDate('to', query.to), knowledge(query)));
    await send(res, accept, period);
  }
}

function knowledge(query: Record<string, unknown>) {
  return {
    asKnownAt: optionalInstant('asKnownAt', query.asKnownAt),
    atPosition: optionalCount('atPosition', query.atPosition),
    minPosition: optionalCount('minPosition', query.minPosition),
  };
}

function cellIdParam(value: string): string {
  if (!/^[A-Za-z0-9]+\.[A-Za-z0-9-]+\.[A-Za-z0-9]+$/.test(value) || value.length > 128) {
    throw new InvalidInputError('A cell id is <table>.<row>.<column>, such as offendersOnSnapshot.level1.category1.', [
      { field: 'cellId', rule: 'cell-id', message: 'malformed cell id' },
    ]);
  }
  return value;
}

function traceAfter(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidInputError('after is given once.', [{ field: 'after', rule: 'single', message: 'after given more than once' }]);
  decodeTraceCursor(value); // a 400 before the audit names it
  return value;
}

function traceFormat(value: unknown, accept: string | undefined): 'json' | 'csv' {
  if (value === 'csv' || value === 'json') return value;
  if (value !== undefined && value !== '') throw new InvalidInputError('format is json or csv.', [{ field: 'format', rule: 'one-of', message: 'json or csv' }]);
  return wants(accept, 'text/csv') ? 'csv' : 'json';
}

/** `table=…` or `cells=a,b,…`, exactly one. */
function trendSelection(query: Record<string, unknown>): TrendSelection {
  const { table, cells } = query;
  if ((table === undefined) === (cells === undefined) || (table !== undefined && typeof table !== 'string') || (cells !== undefined && typeof cells !== 'string')) {
    throw new InvalidInputError('Give either table (a table id) or cells (cell ids separated by commas), once.', [{ field: 'table', rule: 'one-of', message: 'table or cells' }]);
  }
  return typeof table === 'string'
    ? { table }
    : {
        cells: (cells as string)
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      };
}

function reportYearParam(name: string, value: unknown): number {
  if (typeof value !== 'string' || value === '')
    throw new InvalidInputError(`${name} is required: a report year such as 2014-15.`, [{ field: name, rule: 'required', message: `${name} is required` }]);
  return parseReportYear(value);
}

/** Streams a whole trace as CSV, a page at a time, waiting for the client to take each one. */
async function streamTraceCsv(res: Response, exported: { heading: TraceHeading; summary: TraceSummary; pages: AsyncIterable<TraceItem[]> }) {
  const { heading, summary, pages } = exported;
  res.setHeader('X-Event-Store-Position', heading.position);
  res.setHeader('X-Trace-Items', String(summary.items));
  res.setHeader('Content-Disposition', `attachment; filename="trace-${heading.area}-${heading.year.replace('/', '-')}-${heading.cell}.csv"`);
  res.type('text/csv');
  try {
    if (!(await writeOrClose(res, TRACE_CSV_HEADER))) return;
    for await (const items of pages) if (!(await writeOrClose(res, traceItemsToCsv(items)))) return;
    res.end();
  } catch (error) {
    res.destroy(error as Error); // headers are sent: the client sees a cut answer, never a partial one passed as whole
  }
}

/** Writes, and waits until the client has taken it; false when the client went away. */
async function writeOrClose(res: Response, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(text)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

const wants = (accept: string | undefined, type: string) => (accept ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith(type));

/** JSON by default; CSV (one row per cell), HTML (the published layout) or a spreadsheet (a sheet per table, and notes) when asked for. */
async function send(res: Response, accept: string | undefined, body: RenderableReport) {
  res.setHeader('X-Event-Store-Position', body.position);
  if (wants(accept, XLSX_TYPE)) res.type(XLSX_TYPE).send(await reportToXlsx(body));
  else if (wants(accept, 'text/csv')) res.type('text/csv').send(cellsToCsv(body.cells));
  else if (wants(accept, 'text/html')) res.type('text/html').send(reportToHtml(body));
  else res.json(body);
}
