import { Query } from '@nestjs/cqrs';

/** Every area an offender was ever managed in ([] for an unknown offender): whose auditors may read it. */
export class GetOffenderAreasQuery extends Query<string[]> {
  constructor(readonly offenderId: string) {
    super();
  }
}
