import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export const AGENCIES = ['police', 'probation', 'prison', 'duty-to-cooperate', 'moj'] as const;
export const ROLES = ['recorder', 'analyst', 'auditor', 'admin', 'publisher'] as const;
/** The `areas` claim value that means every area, and with it the england-and-wales figures. */
export const ALL_AREAS = '*';

export type Agency = (typeof AGENCIES)[number];
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified token (or the explicit development principal). */
export interface Principal {
  sub: string;
  agency: Agency;
  roles: Role[];
  /** Area ids, or ['*'] for every area and england-and-wales. */
  areas: string[];
}

/** The `mappa` command line on the service's own machine: it holds the store's files or credentials anyway, so it needs no token. */
export const LOCAL_OPERATOR = 'local-operator' as const;
export type LocalOperator = typeof LOCAL_OPERATOR;

/** Who asks a command to run: a token's principal, or the local operator. */
export type Caller = Principal | LocalOperator;

/** The principal of the request, set by the authentication guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('No principal on the request: the authentication guard did not run.');
  return principal;
});
