import { refusedWrite } from '../../auth/access-policy';
import type { Caller } from '../../auth/principal';
import type { AccessAuditEntry } from '../../audit/access-audit';
import { areaGroups, mappaPeriods } from '../../domain/mappa-periods';
import type { NewOffenderEvent } from '../../domain/offender-event';
import type { TimelineEvent } from '../../domain/offender-timeline';
import type { RecordOutcome } from './record-offender-events.command';

// What the record-events handler tells the access audit (docs/security.md 3); refusals shaped here so no caller learns more than the policy allows.

export type WriteAuditEntry = AccessAuditEntry & { outcome: 'allowed' | 'refused' };

/** Shapes each refused outcome for `caller` in place and returns the batch's audit entries; `timelines`: each offender's stream as last decided on (stored, then accepted) */
export function auditBatch(
  caller: Caller,
  events: readonly NewOffenderEvent[],
  outcomes: RecordOutcome[],
  timelines: ReadonlyMap<string, readonly TimelineEvent[]>,
): WriteAuditEntry[] {
  const entries: WriteAuditEntry[] = [];
  outcomes.forEach((outcome, i) => {
    const event = events[i];
    const stream = timelines.get(event.offenderId) ?? [];
    if (outcome.status === 'refused') {
      const { shown, rule, areaGroups: groups } = refusedWrite(caller, stream, event, outcome.error);
      outcomes[i] = { ...outcome, error: shown };
      const target = `${event.type} of ${event.occurredOn} for offender ${event.offenderId} refused: ${rule}`;
      for (const areas of groups) entries.push({ caller, action: 'write-refused', target, offenderId: event.offenderId, areas, reason: rule, outcome: 'refused' });
    } else if (outcome.status === 'appended' && event.type === 'OffenderRegistered') {
      entries.push(...registrationElsewhere(caller, stream, event));
    }
  });
  return entries;
}

/** One entry per other area (group) that managed a MAPPA period of the offender: who registered it into which area, effective when. */
function registrationElsewhere(caller: Caller, stream: readonly TimelineEvent[], registration: NewOffenderEvent & { type: 'OffenderRegistered' }): WriteAuditEntry[] {
  const { periods, periodOf } = mappaPeriods(stream);
  const own = stream.find((e) => e.eventId === registration.eventId);
  const others = periods.filter((p) => own === undefined || p.index !== periodOf.get(own.revision));
  const into = registration.data.area;
  const target = `offender ${registration.offenderId} registered into ${into} effective ${registration.occurredOn}`;
  return areaGroups(others, (area) => area === into).map((areas) => ({
    caller,
    action: 'registered-in-another-area' as const,
    target,
    offenderId: registration.offenderId,
    areas,
    reason: null,
    outcome: 'allowed' as const,
  }));
}
