import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { recordNdjson, type LineResult } from '../commands/record-events/record-ndjson';
import { InvalidInputError } from '../errors';

@ApiTags('offenders')
@Controller('events')
export class EventBatchesController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Append a batch of events as NDJSON: each line validated and appended on its own, in order' })
  @ApiConsumes('application/x-ndjson')
  @ApiBody({ schema: { type: 'string', example: '{"type":"OffenderRegistered","offenderId":"GM-000001","occurredOn":"2014-05-01","data":{"area":"greater-manchester","category":1,"level":1,"inCustody":false,"underSupervision":false}}\n' } })
  async post(@Body() body: unknown, @Headers('content-type') contentType: string | undefined, @CurrentPrincipal() principal: Principal) {
    if (typeof body !== 'string' || !/^application\/(x-)?ndjson\b/.test(contentType ?? '')) {
      throw new InvalidInputError('POST /events takes NDJSON: Content-Type application/x-ndjson, one event per line.', [
        { field: 'Content-Type', rule: 'ndjson', message: 'expected application/x-ndjson' },
      ]);
    }
    const results: LineResult[] = [];
    const summary = await recordNdjson(
      body.split('\n'),
      this.commandBus,
      { principal, actor: principal.sub, agency: principal.agency, source: 'api', correlationId: randomUUID() },
      (batch) => void results.push(...batch),
    );
    return { ...summary, results };
  }
}
