import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { assertMayReadAccessAudit } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AccessAudit, ACCESS_AUDIT_PAGE_LIMIT } from '../audit/access-audit';
import { InvalidInputError } from '../errors';
import { optionalCount, optionalReason, optionalTimeBound } from './params';

@ApiTags('audit')
@Controller('audit')
export class AccessAuditController {
  constructor(private readonly accessAudit: AccessAudit) {}

  @Get('access')
  @ApiOperation({ summary: 'Reads of offender-level data (who, when, what, why), oldest first; auditors, for their areas' })
  @ApiQuery({ name: 'from', required: false, example: '2015-04-01', description: 'date (UTC day start) or ISO timestamp, inclusive' })
  @ApiQuery({ name: 'to', required: false, example: '2015-04-30', description: 'date (inclusive) or ISO timestamp (exclusive)' })
  @ApiQuery({ name: 'after', required: false, description: "entry id to continue after (the answer's next)" })
  @ApiQuery({ name: 'limit', required: false, example: 1000 })
  @ApiQuery({ name: 'reason', required: false, description: 'why you read it (this listing is audited too)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('from') fromRaw?: string,
    @Query('to') toRaw?: string,
    @Query('after') afterRaw?: string,
    @Query('limit') limitRaw?: string,
    @Query('reason') reason?: string,
  ) {
    const from = optionalTimeBound('from', fromRaw);
    const to = optionalTimeBound('to', toRaw, true);
    if (from && to && from >= to) {
      throw new InvalidInputError('from must be before to.', [{ field: 'from', rule: 'range', message: 'from must be before to' }]);
    }
    const after = optionalCount('after', afterRaw);
    const limit = Number(optionalCount('limit', limitRaw) ?? BigInt(ACCESS_AUDIT_PAGE_LIMIT));
    if (limit < 1 || limit > ACCESS_AUDIT_PAGE_LIMIT) {
      throw new InvalidInputError(`limit must be between 1 and ${ACCESS_AUDIT_PAGE_LIMIT}.`, [{ field: 'limit', rule: 'range', message: `1-${ACCESS_AUDIT_PAGE_LIMIT}` }]);
    }
    const range = `${from?.toISOString() ?? 'start'}..${to?.toISOString() ?? 'now'}`;
    await this.accessAudit.authorise({ caller: principal, action: 'access-audit', target: `access audit ${range}`, areas: principal.areas, reason: optionalReason(reason) }, () =>
      assertMayReadAccessAudit(principal),
    );
    const entries = await this.accessAudit.list({ areas: principal.areas, from, to, after, limit });
    return {
      from: from?.toISOString() ?? null,
      to: to?.toISOString() ?? null,
      entries,
      next: entries.length === limit ? entries[entries.length - 1].id : null,
    };
  }
}
