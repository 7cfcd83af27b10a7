import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { RebuildRequests } from '../../projections/rebuild-requests';
import { assertMayAdminister } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../reports/read-side.tokens';

@ApiTags('operations')
@Controller('admin')
export class OperationsController {
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
    private readonly rebuildRequests: RebuildRequests,
  ) {}

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Drop and rebuild every read model from the event store (admin); reports answer 503 until it ends. Any instance: the projecting one runs it' })
  async rebuild(@CurrentPrincipal() principal: Principal) {
    assertMayAdminister(principal);
    if (this.lease.held) {
      void this.runner.rebuild().catch(() => undefined);
      return { status: 'rebuilding' };
    }
    // Only the projector rebuilds (docs/decisions.md, "Several instances"): it takes this within a second.
    await this.rebuildRequests.request(principal.sub);
    return { status: 'rebuild-requested', message: 'This instance does not project the read models; the one that does starts the rebuild within a few seconds.' };
  }
}
