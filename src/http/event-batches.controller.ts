import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { assertMayPostEvents } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { MAX_ERROR_DETAILS } from '../commands/record-events/event-limits';
import { recordNdjson, type LineResult, type NdjsonSummary } from '../commands/record-events/record-ndjson';
import { assertNdjsonRequest, NDJSON_MAX_LINES, readNdjsonLines } from './ndjson-body';

/** A refused line of a batch: its number, what it was about when that could be read, and why. */
export type LineRefusal = Omit<Extract<LineResult, { status: 'refused' }>, 'status'>;

/** A batch's answer: counts for accepted and duplicate lines, each refused line with its reason, so its size follows the refusals (docs/decisions.md, "Events"). */
export interface BatchAnswer extends NdjsonSummary {
  refusals: LineRefusal[];
}

@ApiTags('offenders')
@Controller('events')
export class EventBatchesController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Append a batch of events as NDJSON: each line validated and appended on its own, in order',
    description:
      `Recorders only (403 before the body is read). At most ${NDJSON_MAX_LINES.toLocaleString('en-GB')} non-blank lines and 16 MB, ` +
      'else 413 and nothing is recorded; at most 64 KB per line. Answers counts of appended and duplicate lines, ' +
      'the last position written, and each refused line with its reason.',
  })
  @ApiConsumes('application/x-ndjson')
  @ApiBody({
    schema: {
      type: 'string',
      example:
        '{"type":"OffenderRegistered","offenderId":"GM-000001","occurredOn":"2014-05-01","data":{"area":"greater-manchester","category":1,"level":1,"inCustody":false,"underSupervision":false}}\n',
    },
  })
  @ApiResponse({
    status: 200,
    schema: {
      example: {
        appended: 2,
        duplicates: 1,
        refused: 1,
        lastPosition: '1042',
        refusals: [
          {
            line: 3,
            eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e11',
            offenderId: 'GM-000001',
            error: { error: 'invalid-timeline', message: 'The offender is already at level 2.', details: [] },
          },
        ],
      },
    },
  })
  @ApiResponse({ status: 413, description: 'over 16 MB or over 10,000 non-blank lines: nothing recorded' })
  async post(@Req() request: Request, @CurrentPrincipal() principal: Principal): Promise<BatchAnswer> {
    assertMayPostEvents(principal);
    assertNdjsonRequest(request);
    const lines = await readNdjsonLines(request);
    const refusals: LineRefusal[] = [];
    const summary = await recordNdjson(
      lines,
      this.commandBus,
      { principal, actor: principal.sub, agency: principal.agency, source: 'api', correlationId: randomUUID() },
      (batch) => {
        for (const result of batch) {
          if (result.status !== 'refused') continue;
          // Ten named problems per line at most, whichever check refused it: the answer stays bounded.
          const { status: _refused, error, ...line } = result;
          refusals.push({ ...line, error: { ...error, details: error.details.slice(0, MAX_ERROR_DETAILS) } });
        }
      },
    );
    return { ...summary, refusals };
  }
}
