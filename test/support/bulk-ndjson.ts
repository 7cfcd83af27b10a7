import { createHash } from 'node:crypto';
import type { NewOffenderEvent } from '../../src/domain/offender-event';

// A large, valid NDJSON import for load and crash tests: every line is accepted by the decider.
// Each offender is registered, then alternates level changes and custody moves, one event per
// "round", and the rounds interleave offenders so that every batch touches many streams.

export interface BulkNdjsonOptions {
  offenders: number;
  /** Events per offender, the registration included. */
  eventsPerOffender: number;
  /** Makes offender ids and event ids unique to one run. */
  runId: string;
}

/** A deterministic UUID (v5 layout) from a text key. */
export function uuidFrom(key: string): string {
  const hash = createHash('sha1').update(key).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2005, 0, 1);
const dateOf = (day: number) => new Date(START + day * DAY_MS).toISOString().slice(0, 10);

/** The events in file order; line N of the file is events[N - 1]. */
export function bulkEvents(options: BulkNdjsonOptions): NewOffenderEvent[] {
  const events: NewOffenderEvent[] = [];
  for (let round = 0; round < options.eventsPerOffender; round++) {
    for (let i = 0; i < options.offenders; i++) {
      const offenderId = `K-${options.runId}-${i}`;
      const eventId = uuidFrom(`${options.runId}/${i}/${round}`);
      const occurredOn = dateOf(round * 7 + (i % 5));
      if (round === 0) {
        events.push({
          eventId,
          type: 'OffenderRegistered',
          offenderId,
          occurredOn,
          data: { area: 'greater-manchester', category: 2, level: 1, inCustody: false, underSupervision: true },
        });
      } else if (round % 2 === 1) {
        // Rounds 1, 3, 5, …: level 1 → 2 → 1 → …
        events.push({ eventId, type: 'LevelChanged', offenderId, occurredOn, data: { level: ((round - 1) / 2) % 2 === 0 ? 2 : 1, reason: 'MAPPA meeting' } });
      } else if (round % 4 === 2) {
        events.push({ eventId, type: 'CustodyEntered', offenderId, occurredOn, data: { reason: 'remand' } });
      } else {
        events.push({ eventId, type: 'ReleasedToCommunity', offenderId, occurredOn, data: { onLicence: false } });
      }
    }
  }
  return events;
}

export const toNdjson = (events: readonly object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
