import { Controller, Get, Headers, Param, Query, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { assertMayReadReport, assertMayReadTrace } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AccessAudit } from '../audit/access-audit';
import { InvalidInputError } from '../errors';
import { GetPeriodQuery, GetReportQuery, GetSnapshotQuery, GetTraceQuery } from '../queries/reports/report-queries';
import { cellsToCsv } from '../reports/render/report-csv';
import { reportToHtml, type RenderableReport } from '../reports/render/report-html';
import { areasOfReport, knownReportArea } from '../reports/report-area';
import { parseReportYear } from '../reports/report-period';
import { ReportReadLimitInterceptor } from './report-read-limit.interceptor';
import { optionalCount, optionalInstant, givenReason, requiredDate, requiredReason } from './params';

const KNOWLEDGE_QUERIES = [
  ApiQuery({ name: 'asKnownAt', required: false, description: 'answer as the service knew it at this instant (ISO timestamp)' }),
  ApiQuery({ name: 'atPosition', required: false, description: 'answer as of this event-store position (recompute a traced report)' }),
  ApiQuery({ name: 'minPosition', required: false, description: 'wait (briefly) until the read models reflect this position (read-your-writes)' }),
];
const applyAll = (decorators: MethodDecorator[]): MethodDecorator => (target, key, descriptor) => {
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
  @ApiProduces('application/json', 'text/csv', 'text/html')
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
    send(res, accept, report);
  }

  @Get('reports/:area/:year/cells/:cellId/trace')
  @ApiOperation({ summary: "One cell's trace: the rule, every counted item and the events behind it (DOMAIN.md 7); auditors only, audited" })
  @applyAll([...KNOWLEDGE_QUERIES, ApiQuery({ name: 'reason', required: true, description: 'why you read it (kept in the access audit; DPA 2018 s.62)' })])
  async trace(
    @Param('area') areaRaw: string,
    @Param('year') yearRaw: string,
    @Param('cellId') cellIdRaw: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const area = knownReportArea(areaRaw);
    const year = parseReportYear(yearRaw);
    const cellId = cellIdParam(cellIdRaw);
    const asked = knowledge(query);
    // The knowledge moment read, as given: a trace as known at another time names other events.
    const when = [asked.asKnownAt && `asKnownAt=${asked.asKnownAt.toISOString()}`, asked.atPosition !== undefined && `atPosition=${asked.atPosition}`].filter(Boolean).join(' ');
    await this.accessAudit.authorise(
      { caller: principal, action: 'trace', target: `${area} ${yearRaw} ${cellId}${when ? ` ${when}` : ''}`, areas: areasOfReport(area), reason: givenReason(query.reason) },
      () => {
        assertMayReadTrace(principal, area);
        requiredReason(query.reason);
      },
    );
    return this.queryBus.execute(new GetTraceQuery(area, year, cellId, asked));
  }

  @Get('snapshots/:area')
  @ApiOperation({ summary: 'Table 6.1 (offenders in the community, by category and level) at the end of any date' })
  @ApiProduces('application/json', 'text/csv', 'text/html')
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
    send(res, accept, await this.queryBus.execute(new GetSnapshotQuery(area, requiredDate('date', query.date), knowledge(query))));
  }

  @Get('periods/:area')
  @ApiOperation({ summary: 'The period tables (6.2-6.9) for any range of dates' })
  @ApiProduces('application/json', 'text/csv', 'text/html')
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
    send(res, accept, period);
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
    throw new InvalidInputError('A cell id is <table>.<row>.<column>, such as offendersOnSnapshot.level1.category1.', [{ field: 'cellId', rule: 'cell-id', message: 'malformed cell id' }]);
  }
  return value;
}

/** JSON by default; CSV (one row per cell) or HTML (the published layout) when asked for. */
function send(res: Response, accept: string | undefined, body: RenderableReport) {
  const wants = (type: string) => (accept ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith(type));
  res.setHeader('X-Event-Store-Position', body.position);
  if (wants('text/csv')) res.type('text/csv').send(cellsToCsv(body.cells));
  else if (wants('text/html')) res.type('text/html').send(reportToHtml(body));
  else res.json(body);
}
