import { QueryBus } from '@nestjs/cqrs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import published from '../../reference/published/greater-manchester-2014-15.json';
import { createCliContext } from '../../src/cli/app-context';
import type { DemoResult } from '../../src/cli/demo.command';
import { loadConfig } from '../../src/config/app-config';
import { EVENT_STORE, type EventStore } from '../../src/event-store/event-store';
import { DEMO_EARLIER_MOMENT } from '../../src/publications/demo-publication';
import { RevisionsService } from '../../src/publications/revisions';
import { GetReportQuery, GetTraceQuery } from '../../src/queries/reports/report-queries';
import { sharedDemo } from '../support/shared-demo';

// `mappa demo`: the Greater Manchester history imported through the command path into a fresh
// embedded store reproduces every published cell; every check passes; traced cells list as many
// items as they count, each citing an event that is in the store at that position.

describe('mappa demo', () => {
  let dir: string;
  let result: DemoResult;
  let lines: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mappa-demo-'));
    // runDemo's own result and log, from the run's one demo build (test/support/shared-demo.ts).
    ({ result, lines } = await sharedDemo(path.join(dir, 'store')));
  }, 900_000); // the first file to ask builds the demo store: minutes on a busy machine
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports every event through the command path and reproduces every published cell', () => {
    expect(result.refused).toBe(0);
    expect(result.appended).toBe(result.events);
    expect(result.differences).toEqual([]);
    expect(result.failedChecks).toBe(0);
    expect(lines.join('\n')).toContain(`Every one of the ${Object.keys(published.cells).length} published cells is reproduced`);
  });

  it('writes the report as HTML with the published layout', async () => {
    const html = await readFile(result.htmlFile, 'utf8');
    expect(html).toContain('<h1>MAPPA annual report 2014/15: Greater Manchester</h1>');
    expect(html).toContain('2,653');
    expect(html).not.toContain('class="fail"');
  });

  it('traces a sample of cells to exactly their count of items, each an event in the store at that position', async () => {
    const app = await createCliContext({ config: { ...loadConfig(), eventStore: 'embedded', databaseUrl: undefined, dataDir: path.join(dir, 'store') } });
    try {
      const queryBus = app.get(QueryBus);
      const store = app.get<EventStore>(EVENT_STORE);
      const report = await queryBus.execute(new GetReportQuery('greater-manchester', 2014));
      const sample = [
        'level23InYear.level3.category1',
        'recalledForLicenceBreach.total.total',
        'sfoOutcomes.category3-level3.leftArea',
        'sfoCharges.category2-level1.chargedInPreviousYear',
        'seriousCaseReviews.level2.category2',
        'notificationBreaches.rso.count',
        'rsoByDivision.unassigned.count',
        'offendersOnSnapshot.level2.total',
      ];
      for (const cell of sample) {
        const trace = await queryBus.execute(new GetTraceQuery('greater-manchester', 2014, cell));
        expect({ cell, items: trace.items.length }).toEqual({ cell, items: report.cells[cell] });
        expect(trace.items.length).toBeGreaterThan(0);
        for (const item of trace.items) {
          const stream = await store.readStream(item.offenderId);
          for (const ref of [item.counted, ...Object.values(item.fixedBy)]) {
            const stored = stream.find((e) => e.eventId === ref.eventId);
            expect({ cell, eventId: ref.eventId, position: stored?.position.toString(), revision: stored?.revision }).toEqual({
              cell,
              eventId: ref.eventId,
              position: ref.position,
              revision: ref.revision,
            });
          }
        }
      }
    } finally {
      await app.close();
    }
  }, 120_000);

  it("records the 2014/15 publication: the seed's two printed inconsistencies are failed checks of it (issue 14.2)", () => {
    const { publication } = result.publication;
    expect(publication).toMatchObject({ area: 'greater-manchester', year: '2014/15', figures: { given: true } });
    expect(
      publication.figureChecks
        .filter((c) => !c.ok)
        .map((c) => c.id)
        .sort(),
    ).toEqual(['level23InYear.column.category3', 'level23InYear.row.total', 'rsoByDivision.total']);
    expect(publication.differences.map((d) => d.cellId)).toEqual(['level23InYear.total.category3']);
    expect(lines.join('\n')).toContain(`Recorded publication:${publication.id} of greater-manchester 2014/15`);
  });

  it('"as known on 30 April 2015" is one revised cell, with the event that moved it, in the store at its position (issue 14.3)', async () => {
    const app = await createCliContext({ config: { ...loadConfig(), eventStore: 'embedded', databaseUrl: undefined, dataDir: path.join(dir, 'store') } });
    try {
      const { publication } = result.publication;
      const from = { asked: DEMO_EARLIER_MOMENT, knowledge: { asKnownAt: new Date(DEMO_EARLIER_MOMENT) } };
      const to = { asked: `publication:${publication.id}`, knowledge: { atPosition: BigInt(publication.position) } };
      const revisions = await app.get(RevisionsService).revisions('greater-manchester', 2014, from, to, 'items');
      expect(revisions.cells.map((c) => c.cellId)).toEqual(['ordersImposed.sopo.count']);
      const [cell] = revisions.cells;
      expect(cell).toMatchObject({ from: 112, to: 113, change: 1, entered: 1, left: 0 });
      const [item] = cell.items!;
      const stream = await app.get<EventStore>(EVENT_STORE).readStream(item.offenderId);
      const cause = stream.find((e) => e.position.toString() === item.cause.position);
      expect({ eventId: cause?.eventId, type: cause?.type, agency: cause?.metadata.agency, recordedAt: cause?.recordedAt }).toEqual({
        eventId: item.cause.eventId,
        type: 'SopoImposed',
        agency: item.cause.agency,
        recordedAt: item.cause.recordedAt,
      });
      expect(item.cause.recordedAt > DEMO_EARLIER_MOMENT).toBe(true);
      expect(item.cause.kind).toBe('late-record');
    } finally {
      await app.close();
    }
  }, 120_000);
});
