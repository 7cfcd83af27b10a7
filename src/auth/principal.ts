import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export type Agency = 'police' | 'probation' | 'prison' | 'duty-to-cooperate' | 'moj';
export type Role = 'recorder' | 'analyst' | 'auditor' | 'admin';

/** Who is calling, from a verified token (or the explicit development principal). */
export interface Principal {
  sub: string;
  agency: Agency;
  roles: Role[];
  /** Area ids, or ['*'] for every area and england-and-wales. */
  areas: string[];
}

/** The principal of the request, set by the authentication guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('No principal on the request: the authentication guard did not run.');
  return principal;
});
