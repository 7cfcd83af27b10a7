import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { assertMayPublish, assertMayReadPublications, assertMayReadReport, assertMayReadTrace } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AccessAudit } from '../audit/access-audit';
import { echo, ForbiddenError, InvalidInputError } from '../errors';
import { givenReason, optionalCount, optionalDate, optionalInstant, requiredReason } from '../http/params';
import { ReportReadLimitInterceptor } from '../http/report-read-limit.interceptor';
import { areasOfReport, knownReportArea } from '../reports/report-area';
import { parseReportYear } from '../reports/report-period';
import { knowledgeMoment } from './knowledge-moment';
import { publishedFiguresFile } from './published-figures-file';
import { Publications } from './publications';
import { RevisionsService } from './revisions';

// Publications and revisions over HTTP (issue 14.2, 14.3): thin, the rules are in the policy and the services.

const PUBLISH_FIELDS = new Set(['area', 'year', 'asKnownAt', 'atPosition', 'publishedOn', 'figures']);

@ApiTags('publications')
@Controller()
export class PublicationsController {
  constructor(
    private readonly publications: Publications,
    private readonly revisionsService: RevisionsService,
    private readonly accessAudit: AccessAudit,
  ) {}

  @Post('publications')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Record that a report was published (publishers of the area): the report is computed at the moment named and kept with the published figures file, if given, and the checks run on it',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['area', 'year'],
      properties: {
        area: { type: 'string', example: 'greater-manchester' },
        year: { type: 'string', example: '2014-15' },
        asKnownAt: { type: 'string', description: 'the report as known at this instant (ISO timestamp); default: now' },
        atPosition: { type: 'string', description: 'or the report at this event-store position' },
        publishedOn: { type: 'string', example: '2015-10-29', description: 'the day it was published (default: today)' },
        figures: { type: 'object', description: 'the figures as published, in the shape of reference/published/greater-manchester-2014-15.json' },
      },
    },
  })
  async publish(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidInputError('The body is a JSON object with area and year.', [{ rule: 'object', message: 'expected a JSON object' }]);
    }
    const fields = body as Record<string, unknown>;
    if (typeof fields.area !== 'string') throw new InvalidInputError('area is required.', [{ field: 'area', rule: 'required', message: 'area is required' }]);
    const area = knownReportArea(fields.area);
    assertMayPublish(principal, area);
    const unknown = Object.keys(fields).filter((k) => !PUBLISH_FIELDS.has(k));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `Unknown field(s): ${unknown.slice(0, 10).map(echo).join(', ')}.`,
        unknown.slice(0, 10).map((k) => ({ field: echo(k), rule: 'unknown-field', message: 'not a field of a publication' })),
      );
    }
    if (typeof fields.year !== 'string') throw new InvalidInputError('year is required, such as 2014-15.', [{ field: 'year', rule: 'required', message: 'year is required' }]);
    const year = parseReportYear(fields.year);
    const asKnownAt = optionalInstant('asKnownAt', fields.asKnownAt);
    const atPosition = optionalCount(
      'atPosition',
      typeof fields.atPosition === 'number' && Number.isSafeInteger(fields.atPosition) ? String(fields.atPosition) : fields.atPosition,
    );
    if (asKnownAt && atPosition !== undefined) {
      throw new InvalidInputError('Name the report by asKnownAt or by atPosition, not both.', [
        { field: 'atPosition', rule: 'one-moment', message: 'asKnownAt and atPosition both given' },
      ]);
    }
    const publishedOn = optionalDate('publishedOn', fields.publishedOn);
    const figures = fields.figures === undefined ? undefined : publishedFiguresFile(fields.figures, area, year);
    return this.publications.publish({ caller: principal, area, year, knowledge: { asKnownAt, atPosition }, publishedOn, figures });
  }

  @Get('publications')
  @ApiOperation({ summary: 'The publications of an area (of one year, if given), oldest first' })
  @ApiQuery({ name: 'area', required: true, example: 'greater-manchester' })
  @ApiQuery({ name: 'year', required: false, example: '2014-15' })
  async list(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    if (typeof query.area !== 'string') throw new InvalidInputError('area is required.', [{ field: 'area', rule: 'required', message: 'area is required' }]);
    const area = knownReportArea(query.area);
    assertMayReadPublications(principal, area);
    const year = query.year === undefined ? undefined : parseReportYear(String(query.year));
    return { area, publications: await this.publications.list(area, year) };
  }

  @Get('publications/:id')
  @ApiOperation({ summary: 'One publication: who recorded it and when, its position, its published figures and the checks run on them' })
  async one(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const publication = await this.publications.get(id);
    assertMayReadPublications(principal, publication.area);
    return publication;
  }

  @Get('publications/:id/report')
  @UseInterceptors(ReportReadLimitInterceptor)
  @ApiOperation({ summary: "The report as published: recomputed at the publication's position, beside the published figures" })
  async reportAsPublished(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const publication = await this.publications.get(id);
    assertMayReadPublications(principal, publication.area);
    return this.publications.reportAsPublished(publication);
  }

  @Get('reports/:area/:year/revisions')
  @UseInterceptors(ReportReadLimitInterceptor)
  @ApiOperation({
    summary:
      'What changed in a report between two knowledge moments, and why: every cell whose value differs, with both values, and the items that entered or left it with the event that moved each (offender ids for auditors only, audited with a reason)',
  })
  @ApiQuery({ name: 'from', required: true, description: 'publication:<id>, an ISO timestamp (as known then) or an event-store position', example: '2015-04-30T23:59:59Z' })
  @ApiQuery({ name: 'to', required: false, description: 'the same forms, or now (the default)' })
  @ApiQuery({ name: 'detail', required: false, description: "items (offender-level; auditors, with a reason; their default) or counts (analysts' default and only choice)" })
  @ApiQuery({ name: 'reason', required: false, description: 'why you read offender-level items (kept in the access audit; DPA 2018 s.62); required with detail=items' })
  async revisions(@Param('area') areaRaw: string, @Param('year') yearRaw: string, @Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const area = knownReportArea(areaRaw);
    const year = parseReportYear(yearRaw);
    const from = knowledgeMoment('from', query.from);
    const to = knowledgeMoment('to', query.to);
    const detail = detailParam(query.detail) ?? (mayReadTrace(principal, area) ? 'items' : 'counts');
    assertMayReadReport(principal, area);
    const [fromMoment, toMoment] = [await this.publications.moment(from, 'from', area), await this.publications.moment(to, 'to', area)];
    if (detail === 'items') {
      // Offender ids, like a trace: the policy's trace rule, a reason, and an audit entry either way.
      await this.accessAudit.authorise(
        {
          caller: principal,
          action: 'revisions',
          target: `${area} ${yearRaw} revisions from=${fromMoment.asked} to=${toMoment.asked}`,
          areas: areasOfReport(area),
          reason: givenReason(query.reason),
        },
        () => {
          assertMayReadTrace(principal, area);
          requiredReason(query.reason);
        },
      );
    }
    return this.revisionsService.revisions(area, year, fromMoment, toMoment, detail);
  }
}

function detailParam(value: unknown): 'items' | 'counts' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'items' || value === 'counts') return value;
  throw new InvalidInputError('detail is items or counts.', [{ field: 'detail', rule: 'detail', message: 'detail must be items or counts' }]);
}

function mayReadTrace(principal: Principal, area: string): boolean {
  try {
    assertMayReadTrace(principal, area);
    return true;
  } catch (error) {
    if (error instanceof ForbiddenError) return false;
    throw error;
  }
}
