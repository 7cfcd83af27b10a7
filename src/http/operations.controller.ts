import { Controller, HttpCode, Inject, Logger, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { RebuildRequests } from '../../projections/rebuild-requests';
import { RebuildRunningElsewhereError } from '../../projections/rebuild-ownership';
import { assertMayAdminister } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { RebuildRunningError } from '../errors';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../../projections/read-models.tokens';

@ApiTags('operations')
@Controller('admin')
export class OperationsController {
  private readonly logger = new Logger('rebuild');

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(PROJECTOR_LEASE) private readonly lease: ProjectorLease,
    private readonly rebuildRequests: RebuildRequests,
  ) {}

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Drop and rebuild every read model from the event store (admin); reports answer 503 until it ends. 202 once it has begun; 409 if one is already running; ' +
      'a later failure is logged and shown in /health (rebuild.state "failed"). Any instance: the projecting one runs it',
  })
  async rebuild(@CurrentPrincipal() principal: Principal) {
    assertMayAdminister(principal);
    if (!this.lease.held) {
      // Only the projector rebuilds (docs/decisions.md, "Several instances"): it takes this within a second.
      await this.rebuildRequests.request(principal.sub);
      return { status: 'rebuild-requested', message: 'This instance does not project the read models; the one that does starts the rebuild within a few seconds.' };
    }
    if (this.runner.rebuildStatus().state === 'running' || (await this.runner.rebuildState()) === 'running') throw alreadyRunning();
    let begun!: () => void;
    const started = new Promise<void>((resolve) => (begun = resolve));
    const run = this.runner.rebuild(() => begun());
    // A failure after the answer has gone is logged here and kept for /health (runner.rebuildStatus()).
    run.catch((error: unknown) => this.logger.error(`rebuild failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    // One that cannot begin (another process rebuilding, the database gone) is this request's answer.
    await Promise.race([started, run]).catch((error: unknown) => {
      throw error instanceof RebuildRunningElsewhereError ? alreadyRunning() : error;
    });
    const { total, startedAt } = this.runner.rebuildStatus();
    return { status: 'rebuilding', startedAt, total };
  }
}

const alreadyRunning = () =>
  new RebuildRunningError('A rebuild of the read models is already running; GET /health shows its progress. Start another once it has finished, if still needed.');
