import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProjectionRunner } from '../../projections/projection-runner';
import { assertMayAdminister } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PROJECTION_RUNNER } from '../reports/read-side.tokens';

@ApiTags('operations')
@Controller('admin')
export class OperationsController {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Drop and rebuild every read model from the event store (admin); reports answer 503 until it ends' })
  rebuild(@CurrentPrincipal() principal: Principal) {
    assertMayAdminister(principal);
    void this.runner.rebuild().catch(() => undefined);
    return { status: 'rebuilding' };
  }
}
