import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { assertMayAdminister } from '../auth/access-policy';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { OperatorMetrics } from '../metrics/operator-metrics';

/** Prometheus metrics (docs/operations.md, "Runbook"): no offender data, but activity says something, so admins only (docs/security.md, "/metrics"). */
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
