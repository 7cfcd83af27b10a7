import { areaReportByFolding, nationalReportByFolding } from '../../bench/fold-baseline';
import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { computeReportByFolding } from '../../src/reports/baseline/fold-report';
import { PgliteSqlClient } from '../../src/sql/pglite-sql-client';
import { testMetadata } from '../support/offender-event-fixtures';
import { randomHistory } from '../support/random-history';

// The bench's fold baseline reads through the EventStore port only (issue 12, item 2), and gives
// the oracle's figures for the whole history: for one area, and page by page for england-and-wales.

describe('the fold baseline of the benchmark', () => {
  let db: PgliteSqlClient;
  let store: PostgresEventStore;
  let all: RecordedOffenderEvent[];

  beforeAll(async () => {
    db = await PgliteSqlClient.open();
    store = new PostgresEventStore(db);
    await store.init();
    const revisions = new Map<string, number>();
    const results = await store.appendToStreams(
      randomHistory({ seed: 5, offenders: 40, proposals: 30 }).map((e) => {
        const rev = revisions.get(e.offenderId);
        revisions.set(e.offenderId, (rev ?? -1) + 1);
        return { offenderId: e.offenderId, expectedRevision: rev ?? 'no-stream', events: [e], metadata: testMetadata(), recordedAt: new Date().toISOString() };
      }),
    );
    expect(results.every((r) => r.status === 'appended')).toBe(true);
    all = await store.readAll(null, 100_000);
    expect(all.length).toBeGreaterThan(40);
  });
  afterAll(async () => {
    await store.close();
    await db.close();
  });

  it('counts an area from the streams of the offenders it managed, as the oracle counts the whole log', async () => {
    const { cells, events } = await areaReportByFolding(store, 'greater-manchester', 2014);
    expect(cells).toEqual(computeReportByFolding(all, { area: 'greater-manchester', year: 2014 }));
    expect(events).toBeGreaterThan(0);
    expect(events).toBeLessThanOrEqual(all.length);
  });

  it('adds england-and-wales up page by page to the oracle figures, reading every event once', async () => {
    const { cells, events } = await nationalReportByFolding(store, 2014, 7);
    expect(cells).toEqual(computeReportByFolding(all, { area: 'england-and-wales', year: 2014 }));
    expect(events).toBe(all.length);
  });
});
