import type { ErrorDetail } from '../errors';
import { isCalendarDate } from './calendar-date';
import { OFFENDER_EVENT_TYPES, type NewOffenderEvent } from './offender-event';
import type { RuleId } from './offender-rules';
import { areaName, divisionsOf, isArea, isValidDivision, isWellFormedDivision } from './reference-areas';

// Field checks of DOMAIN.md section 5 that need no history (400); they assume nothing of the JSON shape and never throw.

/** A field that cannot be accepted whatever the offender's history. */
export interface FieldProblem extends ErrorDetail {
  field: string;
  rule?: RuleId;
}

const problem = (field: string, rule: RuleId | undefined, message: string): FieldProblem => (rule === undefined ? { field, message } : { field, rule, message });

/** Shows a posted value in a message: strings quoted, anything else as JSON. */
const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** The first field of `event` that cannot be accepted, or null. `today` is YYYY-MM-DD. */
export function checkEventFields(event: NewOffenderEvent, today: string): FieldProblem | null {
  if (!(OFFENDER_EVENT_TYPES as readonly string[]).includes(event.type)) {
    return problem('type', 'known-event-type', `type ${shown(event.type)} is not one of the MAPPA event types.`);
  }
  const { occurredOn } = event;
  if (!isCalendarDate(occurredOn)) {
    return problem('occurredOn', 'real-date', `occurredOn ${shown(occurredOn)} is not a real calendar date written YYYY-MM-DD.`);
  }
  if (occurredOn > today) {
    return problem('occurredOn', 'not-in-future', `occurredOn ${occurredOn} is after today (${today}), and an event cannot be recorded before it happens.`);
  }
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return problem('data', undefined, `data must be an object holding the fields of a ${event.type}.`);
  }
  switch (event.type) {
    case 'OffenderRegistered':
      return checkRegistration(event.data);
    case 'CategoryChanged':
      return checkCategory(event.data.category);
    case 'LevelChanged':
      return checkLevel(event.data.level);
    case 'DivisionChanged':
      // Whether it belongs to the area depends on the area on that date: see offender-decider.ts.
      return isWellFormedDivision(event.data.division) ? null : divisionProblem('data.division', event.data.division, null);
    case 'OffenderTransferred':
      return checkAreaAndDivision(event.data.toArea, event.data.toDivision, 'data.toArea', 'data.toDivision');
    case 'SopoImposed':
    case 'ForeignTravelOrderImposed':
      return checkExpiry(event.data.expiresOn, occurredOn);
    case 'EventRetracted': {
      const id = event.data.retractedEventId;
      return typeof id === 'string' && id.length > 0
        ? null
        : problem('data.retractedEventId', 'retraction-names-an-event', 'data.retractedEventId must name the eventId of the event to retract.');
    }
    default:
      return null;
  }
}

function checkRegistration(data: Extract<NewOffenderEvent, { type: 'OffenderRegistered' }>['data']): FieldProblem | null {
  const placed = checkAreaAndDivision(data.area, data.division, 'data.area', 'data.division');
  if (placed) return placed;
  const graded = checkCategory(data.category) ?? checkLevel(data.level);
  if (graded) return graded;
  // DOMAIN.md 3: a licence is served in the community under probation supervision.
  if (data.onLicence === true && (data.underSupervision !== true || data.inCustody !== false)) {
    return problem(
      'data.onLicence',
      'licence-needs-supervision-in-community',
      'An offender registered as on licence must also be registered as under supervision and not in custody.',
    );
  }
  return null;
}

function checkAreaAndDivision(area: unknown, division: unknown, areaField: string, divisionField: string): FieldProblem | null {
  if (!isArea(area)) {
    return problem(areaField, 'known-area', `${areaField} ${shown(area)} is not one of the 42 MAPPA areas of England and Wales.`);
  }
  if (division !== undefined && !isValidDivision(area, division)) return divisionProblem(divisionField, division, area);
  return null;
}

function divisionProblem(field: string, division: unknown, area: string | null): FieldProblem {
  const configured = area === null ? null : divisionsOf(area);
  const message =
    configured !== null && area !== null
      ? `${field} ${shown(division)} is not a division of ${areaName(area)}, whose divisions are ${configured.join(', ')}.`
      : `${field} ${shown(division)} is not a well-formed division id: lower-case words joined by hyphens, other than "unassigned" or "total".`;
  return problem(field, 'division-configured-for-area', message);
}

function checkCategory(category: unknown): FieldProblem | null {
  return category === 1 || category === 2 || category === 3
    ? null
    : problem('data.category', 'known-category', `data.category ${shown(category)} is not a MAPPA category: it must be 1, 2 or 3.`);
}

function checkLevel(level: unknown): FieldProblem | null {
  return level === 1 || level === 2 || level === 3
    ? null
    : problem('data.level', 'known-level', `data.level ${shown(level)} is not a MAPPA management level: it must be 1, 2 or 3.`);
}

function checkExpiry(expiresOn: unknown, occurredOn: string): FieldProblem | null {
  if (expiresOn === undefined) return null; // in force for ever (DOMAIN.md 4)
  if (!isCalendarDate(expiresOn)) {
    return problem('data.expiresOn', 'real-date', `data.expiresOn ${shown(expiresOn)} is not a real calendar date written YYYY-MM-DD.`);
  }
  return expiresOn < occurredOn ? problem('data.expiresOn', 'expiry-not-before-order', `data.expiresOn ${expiresOn} is before the order was imposed on ${occurredOn}.`) : null;
}

/** The 400 answer for a division that is well-formed but not one of the area's on the event's date. */
export const divisionNotInAreaProblem = (field: string, division: string, area: string): FieldProblem => divisionProblem(field, division, area);
