import type { RecordedOffenderEvent } from '../src/domain/offender-event';
import { ENGLAND_AND_WALES } from '../src/domain/reference-areas';
import type { EventStore } from '../src/event-store/event-store';
import { computeReportByFolding, rsoRatePer100k, snapshotByFolding } from '../src/reports/baseline/fold-report';
import type { ReportCells } from '../src/reports/tables';

// THE BASELINE of the report figures: what a straightforward event-sourced implementation does
// per query, with no read model: fetch the relevant offenders' events from the store, through the
// EventStore port only (so it runs on every adapter), and fold them in memory
// (src/reports/baseline/fold-report.ts, the reference oracle). For one area the relevant offenders
// are those ever registered in or transferred to it; for england-and-wales, every offender, read a
// page of offenders at a time so memory stays bounded.

/** Offenders ever managed in `area` (or every offender): a scan of the whole log, as the baseline has no read model. */
async function offendersOf(store: EventStore, area: string | null): Promise<string[]> {
  const ids = new Set<string>();
  for (let after: bigint | null = null; ;) {
    const page = await store.readAll(after, 10_000);
    if (page.length === 0) return [...ids];
    for (const e of page) {
      const managedIn = e.type === 'OffenderRegistered' ? e.data.area : e.type === 'OffenderTransferred' ? e.data.toArea : undefined;
      if (area === null ? e.type === 'OffenderRegistered' : managedIn === area) ids.add(e.offenderId);
    }
    after = page[page.length - 1].position;
  }
}

/** The events of `ids`, read a page of whole offenders at a time. */
async function* eventsOfOffenders(store: EventStore, ids: readonly string[], pageSize = 5000): AsyncGenerator<RecordedOffenderEvent[]> {
  for (let i = 0; i < ids.length; i += pageSize) {
    const streams = await store.readStreams(ids.slice(i, i + pageSize));
    const events: RecordedOffenderEvent[] = [];
    for (const stream of streams.values()) for (const e of stream) events.push(e);
    yield events;
  }
}

/** Every event of the offenders ever managed in `area`. */
export async function eventsOfArea(store: EventStore, area: string): Promise<RecordedOffenderEvent[]> {
  const events: RecordedOffenderEvent[] = [];
  for await (const page of eventsOfOffenders(store, await offendersOf(store, area))) events.push(...page);
  return events;
}

export async function areaReportByFolding(store: EventStore, area: string, year: number): Promise<{ cells: ReportCells; events: number }> {
  const events = await eventsOfArea(store, area);
  return { cells: computeReportByFolding(events, { area, year }), events: events.length };
}

export async function snapshotByFoldingFromStore(store: EventStore, area: string, date: string): Promise<ReportCells> {
  return snapshotByFolding(await eventsOfArea(store, area), area, date);
}

/**
 * The england-and-wales report by folding every offender's events: a page of whole offenders at
 * a time, each page folded and its cells added up. Every figure is a count over offenders, so the
 * sum over pages is the report; the rate is then taken from the summed snapshot, as the report does.
 */
export async function nationalReportByFolding(store: EventStore, year: number, pageSize = 50_000): Promise<{ cells: ReportCells; events: number }> {
  const cells: ReportCells = {};
  let events = 0;
  for await (const page of eventsOfOffenders(store, await offendersOf(store, null), pageSize)) {
    events += page.length;
    const counted = computeReportByFolding(page, { area: ENGLAND_AND_WALES, year });
    for (const [id, value] of Object.entries(counted)) if (!id.startsWith('rsoRate.')) cells[id] = (cells[id] ?? 0) + value;
  }
  cells['rsoRate.per100k.value'] = rsoRatePer100k(cells, ENGLAND_AND_WALES, year);
  return { cells, events };
}
