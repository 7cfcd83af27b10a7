import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseEventInput } from '../commands/record-events/event-input';
import { RecordOffenderEventsCommand } from '../commands/record-events/record-offender-events.command';
import { InvalidInputError } from '../errors';
import { GetOffenderEventsQuery } from '../queries/offender/get-offender-events.query';
import { GetOffenderQuery } from '../queries/offender/get-offender.query';
import { offenderIdParam, optionalDate, optionalInstant } from './params';

@ApiTags('offenders')
@Controller('offenders')
export class OffenderEventsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post(':offenderId/events')
  @HttpCode(201)
  @ApiOperation({ summary: 'Append one event to an offender (DOMAIN.md 3); idempotent by eventId' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'revision of the stream the poster last saw' })
  @ApiBody({ schema: { type: 'object', example: { eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e11', type: 'LevelChanged', occurredOn: '2014-06-02', data: { level: 2, reason: 'MAPPA meeting' } } } })
  async post(
    @Param('offenderId') offenderIdRaw: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const offenderId = offenderIdParam(offenderIdRaw);
    const event = parseEventInput(body, { pathOffenderId: offenderId, missingEventId: 'random' });
    const [outcome] = await this.commandBus.execute(
      new RecordOffenderEventsCommand([event], {
        actor: principal.sub,
        agency: principal.agency,
        source: 'api',
        correlationId: randomUUID(),
        expectedRevision: parseIfMatch(ifMatch),
      }),
    );
    if (outcome.status === 'refused') throw outcome.error;
    if (outcome.status === 'duplicate') res.setHeader('Idempotent-Replay', 'true');
    res.setHeader('Location', `/offenders/${offenderId}/events`);
    return { eventId: outcome.eventId, offenderId: outcome.offenderId, revision: outcome.revision, position: outcome.position.toString(), recordedAt: outcome.recordedAt };
  }

  @Get(':offenderId')
  @ApiOperation({ summary: 'State of an offender at the end of a date, as known at a time (DOMAIN.md 4)' })
  @ApiQuery({ name: 'asOf', required: false, example: '2015-03-31' })
  @ApiQuery({ name: 'asKnownAt', required: false, example: '2015-04-30T12:00:00Z' })
  async get(@Param('offenderId') offenderId: string, @Query('asOf') asOf?: string, @Query('asKnownAt') asKnownAt?: string) {
    return this.queryBus.execute(new GetOffenderQuery(offenderIdParam(offenderId), optionalDate('asOf', asOf), optionalInstant('asKnownAt', asKnownAt)));
  }

  @Get(':offenderId/events')
  @ApiOperation({ summary: "An offender's events in revision order, retracted events marked" })
  async events(@Param('offenderId') offenderId: string) {
    return { events: await this.queryBus.execute(new GetOffenderEventsQuery(offenderIdParam(offenderId))) };
  }
}

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^(?:W\/)?"?(-?\d{1,9})"?$/.exec(value.trim());
  if (!m || Number(m[1]) < -1) {
    throw new InvalidInputError('If-Match must be the revision number of the stream, such as 3.', [{ field: 'If-Match', rule: 'revision', message: 'expected a revision number' }]);
  }
  return Number(m[1]);
}
