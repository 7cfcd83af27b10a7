import { echo, InvalidInputError } from '../errors';
import { optionalInstant } from '../http/params';
import type { KnowledgeOptions } from '../reports/report.service';

// A knowledge moment of a revision (issue 14.3): `publication:12`, `2015-04-30T23:59:59Z`, a position such as `34756`, or (for `to`) `now`.

export type KnowledgeMoment = { kind: 'now' } | { kind: 'publication'; id: string } | { kind: 'instant'; at: Date } | { kind: 'position'; position: bigint };

/** A resolved moment: what was asked, and the knowledge options a report takes for it. */
export interface ResolvedMoment {
  asked: string;
  knowledge: KnowledgeOptions;
  publication?: { id: string; publishedOn: string };
}

const FORMS = 'publication:<id>, an ISO timestamp such as 2015-04-30T23:59:59Z, an event-store position (a whole number)';

/** `from` (required) or `to` (default now), or a 400 saying which forms are accepted. */
export function knowledgeMoment(name: 'from' | 'to', value: unknown): KnowledgeMoment {
  if (value === undefined || value === '' || (name === 'to' && value === 'now')) {
    if (name === 'to') return { kind: 'now' };
    throw new InvalidInputError(`from is required: ${FORMS}.`, [{ field: name, rule: 'required', message: 'from is required' }]);
  }
  if (typeof value === 'string') {
    const publication = /^publication:(\d{1,18})$/.exec(value);
    if (publication) return { kind: 'publication', id: publication[1] };
    if (/^\d{1,19}$/.test(value)) return { kind: 'position', position: BigInt(value) };
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return { kind: 'instant', at: optionalInstant(name, value)! };
  }
  throw new InvalidInputError(`${name} must be ${FORMS}${name === 'to' ? ', or now' : ''}; not '${echo(String(value))}'.`, [
    { field: name, rule: 'knowledge-moment', message: `${name} must be a publication, an instant or a position` },
  ]);
}

/** How a moment is written back in an answer. */
export function momentText(moment: KnowledgeMoment): string {
  switch (moment.kind) {
    case 'now':
      return 'now';
    case 'publication':
      return `publication:${moment.id}`;
    case 'instant':
      return moment.at.toISOString();
    case 'position':
      return moment.position.toString();
  }
}
