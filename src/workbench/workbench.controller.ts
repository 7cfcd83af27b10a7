import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { coversArea, hasRole } from '../auth/access-policy';
import { AUTH_SETTINGS, DEVELOPMENT_PRINCIPAL, type AuthSettings } from '../auth/auth-settings';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { areaName, divisionsOf, ENGLAND_AND_WALES } from '../domain/reference-areas';
import { REPORT_AREAS } from '../reports/report-area';
import { label, REPORT_TABLES } from '../reports/tables';

/** What the page needs to know of the caller: who, and what the access policy lets them open. */
export interface WorkbenchSession {
  sub: string;
  agency: string;
  roles: string[];
  areas: string[];
  /** The development principal of a `--dev-auth` server (no token sent). */
  development: boolean;
  /** The areas (and england-and-wales) whose reports the caller may read, in the published order. */
  reportAreas: string[];
  may: { readReports: boolean; traceFigures: boolean; readOffenders: boolean; readAccessAudit: boolean; publish: boolean };
}

/** The workbench's own reads (issue 15), from the access policy's functions, so the page shows only what the API allows. */
@ApiTags('workbench')
@Controller('workbench')
export class WorkbenchController {
  constructor(@Inject(AUTH_SETTINGS) private readonly auth: AuthSettings) {}

  @Get('session')
  @ApiOperation({ summary: 'Who the token (or development mode) is, and what its roles allow: what the workbench shows' })
  session(@CurrentPrincipal() principal: Principal): WorkbenchSession {
    const reads = hasRole(principal, 'analyst') || hasRole(principal, 'auditor');
    const auditor = hasRole(principal, 'auditor');
    const development = this.auth.development && principal === (this.auth.developmentPrincipal ?? DEVELOPMENT_PRINCIPAL);
    return {
      sub: principal.sub,
      agency: principal.agency,
      roles: [...principal.roles],
      areas: [...principal.areas],
      development,
      reportAreas: reads ? REPORT_AREAS.filter((a) => coversArea(principal, a)) : [],
      may: { readReports: reads, traceFigures: auditor, readOffenders: auditor, readAccessAudit: auditor, publish: hasRole(principal, 'publisher') },
    };
  }

  @Get('names')
  @ApiOperation({ summary: 'Names of the areas and of the rows and columns of the report tables, as the published report labels them' })
  names(): { areas: Record<string, string>; labels: Record<string, string> } {
    const areas = Object.fromEntries(REPORT_AREAS.map((a) => [a, areaName(a)]));
    const ids = new Set<string>(['unassigned']);
    for (const area of REPORT_AREAS) {
      for (const table of REPORT_TABLES) for (const id of [...table.columns, ...table.rows(area)]) ids.add(id);
      for (const division of divisionsOf(area) ?? []) ids.add(division);
    }
    ids.delete(ENGLAND_AND_WALES);
    return { areas, labels: Object.fromEntries([...ids].map((id) => [id, label(id)])) };
  }
}
