import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { assertMayAdminister } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { OperatorMetrics } from '../metrics/operator-metrics';

/**
 * Prometheus metrics (src/http/operator-metrics.ts; what each means: docs/operations.md, "Runbook").
 * No offender data, but activity and load say something: admins only (docs/security.md, "/metrics").
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly operatorMetrics: OperatorMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics (no offender data); a token with the admin role' })
  metrics(@CurrentPrincipal() principal: Principal): Promise<string> {
    assertMayAdminister(principal);
    return this.operatorMetrics.registry.metrics();
  }
}
