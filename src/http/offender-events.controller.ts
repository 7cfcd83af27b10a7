import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { assertMayPostEvents, assertMayReadOffender } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AccessAudit, type AccessAction } from '../audit/access-audit';
import { parseEventInput } from '../commands/record-events/event-input';
import { RecordOffenderEventsCommand } from '../commands/record-events/record-offender-events.command';
import { InvalidInputError } from '../errors';
import { GetOffenderEventsQuery } from '../queries/offender/get-offender-events.query';
import { GetOffenderQuery } from '../queries/offender/get-offender.query';
import type { ScopedRead } from '../queries/offender/scoped-read';
import { offenderIdParam, optionalDate, optionalInstant, givenReason, requiredReason } from './params';

@ApiTags('offenders')
@Controller('offenders')
export class OffenderEventsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly accessAudit: AccessAudit,
  ) {}

  @Post(':offenderId/events')
  @HttpCode(201)
  @ApiOperation({ summary: 'Append one event to an offender (DOMAIN.md 3); idempotent by eventId' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'revision of the stream the poster last saw' })
  @ApiBody({
    schema: {
      type: 'object',
      example: { eventId: '7f1c0a52-7f6d-4a8e-9a55-0d1f5c6b2e11', type: 'LevelChanged', occurredOn: '2014-06-02', data: { level: 2, reason: 'MAPPA meeting' } },
    },
  })
  async post(
    @Param('offenderId') offenderIdRaw: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    assertMayPostEvents(principal);
    const offenderId = offenderIdParam(offenderIdRaw);
    const event = parseEventInput(body, { pathOffenderId: offenderId, missingEventId: 'random' });
    const [outcome] = await this.commandBus.execute(
      new RecordOffenderEventsCommand([event], {
        principal,
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
  @ApiOperation({ summary: 'State of an offender at the end of a date, as known at a time (DOMAIN.md 4); auditors of the MAPPA period holding that date only, audited' })
  @ApiQuery({ name: 'asOf', required: false, example: '2015-03-31' })
  @ApiQuery({ name: 'asKnownAt', required: false, example: '2015-04-30T12:00:00Z' })
  @ApiQuery({ name: 'reason', required: true, description: 'why you read it (kept in the access audit; DPA 2018 s.62)' })
  async get(
    @Param('offenderId') offenderIdRaw: string,
    @CurrentPrincipal() principal: Principal,
    @Query('asOf') asOfRaw?: string,
    @Query('asKnownAt') asKnownAtRaw?: string,
    @Query('reason') reason?: string,
  ) {
    const offenderId = offenderIdParam(offenderIdRaw);
    const asOf = optionalDate('asOf', asOfRaw);
    const asKnownAt = optionalInstant('asKnownAt', asKnownAtRaw);
    const when = [asOf && `asOf=${asOf}`, asKnownAt && `asKnownAt=${asKnownAt.toISOString()}`].filter(Boolean).join(' ');
    const read = await this.queryBus.execute(new GetOffenderQuery(offenderId, principal, asOf, asKnownAt));
    await this.authoriseRead(principal, offenderId, 'offender-state', `offender ${offenderId} state${when ? ` ${when}` : ''}`, reason, read);
    return read.answer();
  }

  @Get(':offenderId/events')
  @ApiOperation({
    summary:
      "An offender's events in revision order, retracted events marked, of the MAPPA periods the caller's areas managed (hiddenPeriods counts the others); auditors only, audited",
  })
  @ApiQuery({ name: 'reason', required: true, description: 'why you read it (kept in the access audit; DPA 2018 s.62)' })
  async events(@Param('offenderId') offenderIdRaw: string, @CurrentPrincipal() principal: Principal, @Query('reason') reason?: string) {
    const offenderId = offenderIdParam(offenderIdRaw);
    const read = await this.queryBus.execute(new GetOffenderEventsQuery(offenderId, principal));
    await this.authoriseRead(principal, offenderId, 'offender-history', `offender ${offenderId} history`, reason, read);
    return read.answer();
  }

  /** The access policy for offender-level data, audited either way; an allowed read must give a reason (400 without). */
  private async authoriseRead(principal: Principal, offenderId: string, action: AccessAction, target: string, reasonRaw: unknown, read: ScopedRead<unknown>) {
    const reason = givenReason(reasonRaw);
    const entries = read.auditAreas.map((areas) => ({ caller: principal, action, target, offenderId, areas, reason }));
    await this.accessAudit.authorise(entries, () => {
      assertMayReadOffender(principal, read.managingAreas);
      requiredReason(reasonRaw);
    });
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
