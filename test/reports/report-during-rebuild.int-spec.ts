import { ProjectionRunner } from '../../projections/projection-runner';
import type { EventStore } from '../../src/event-store/event-store';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { ReadModelsNotReadyError } from '../../src/errors';
import { ReportService } from '../../src/reports/report.service';
import type { SqlClient } from '../../src/sql/sql-client';
import { describeOnEachDatabase } from '../support/each-database';
import { appendOf } from '../support/offender-event-fixtures';
import { randomHistory } from '../support/random-history';

// A read that passed the "no rebuild running" check just before a rebuild began used to count the
// tables the rebuild had just emptied and answer 200 with zeros. Here the read is held between its
// checks and its counting while a rebuild empties the tables (and is held there in turn), so the
// race happens every time: the read must refuse (503), never answer figures.

jest.setTimeout(300_000);

const AREA = 'england-and-wales';
const YEAR = 2014;

/** Resolves when opened; `wait()` blocks until then. */
function latch(): { wait: () => Promise<void>; open: () => void; opened: boolean } {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  const l = {
    opened: false,
    wait: () => done,
    open: () => {
      l.opened = true;
      open();
    },
  };
  return l;
}

/** The report service's SQL, held at its first counting statement while armed (the read-model generation check passes through the runner). */
class HeldSql implements SqlClient {
  readonly dialect: SqlClient['dialect'];
  readonly parallelStatements: boolean;
  armed = false;
  readonly reached = latch();
  readonly release = latch();

  constructor(private readonly inner: SqlClient) {
    this.dialect = inner.dialect;
    this.parallelStatements = inner.parallelStatements;
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
    await this.hold();
    return this.inner.query<R>(sql, params);
  }
  async exec(sql: string): Promise<void> {
    await this.hold();
    return this.inner.exec(sql);
  }
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.hold().then(() => this.inner.transaction(fn));
  }
  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    return this.inner.copyRows(table, columns, rows);
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private async hold(): Promise<void> {
    if (!this.armed) return;
    this.reached.open();
    await this.release.wait();
  }
}

/** The store as the runner sees it, with its reads held while `held` is set (a rebuild that has emptied the tables and not yet refilled them). */
function heldReads(store: EventStore, gate: { held: boolean; reached: ReturnType<typeof latch>; release: ReturnType<typeof latch> }): EventStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'readStreamsInOrder') {
        return async (...args: Parameters<NonNullable<EventStore['readStreamsInOrder']>>) => {
          if (gate.held) {
            gate.reached.open();
            await gate.release.wait();
          }
          return target.readStreamsInOrder!(...args);
        };
      }
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describeOnEachDatabase('a report read while a rebuild begins', (name, open) => {
  describe(`on ${name}`, () => {
    let db: SqlClient;
    let cleanup: () => Promise<void>;
    let store: PostgresEventStore;

    beforeAll(async () => {
      ({ db, cleanup } = await open());
      store = new PostgresEventStore(db);
      await store.init();
      const history = randomHistory({ seed: 11, offenders: 40, proposals: 12 });
      const byOffender = new Map<string, typeof history>();
      for (const e of history) byOffender.set(e.offenderId, [...(byOffender.get(e.offenderId) ?? []), e]);
      await store.appendToStreams([...byOffender].map(([id, events]) => appendOf(id, 'no-stream', events)));
    }, 300_000);
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('refuses with 503 (never figures counted from emptied tables), and answers the same figures once the rebuild is done', async () => {
      const gate = { held: false, reached: latch(), release: latch() };
      const runner = new ProjectionRunner(heldReads(store, gate), db);
      await runner.init();
      await runner.catchUp();
      const held = new HeldSql(db);
      const reports = new ReportService(held, runner);
      const before = await reports.report(AREA, YEAR);
      const total = Object.values(before.cells).reduce((sum, v) => sum + (v ?? 0), 0);
      expect(total).toBeGreaterThan(0); // figures that zeros would visibly differ from

      // The read passes its checks and stops before counting.
      held.armed = true;
      const reading = reports.report(AREA, YEAR).then(
        (report) => ({ report }),
        (error: unknown) => ({ error }),
      );
      await held.reached.wait();
      // A rebuild begins: the tables are emptied; it is held before it reads the first events.
      gate.held = true;
      const rebuilding = runner.rebuild();
      await gate.reached.wait();
      // The read counts now, on the emptied tables.
      held.armed = false;
      held.release.open();
      const outcome = await reading;
      gate.held = false;
      gate.release.open();
      await rebuilding;

      expect('report' in outcome ? { status: 200, cells: outcome.report.cells } : { status: 'refused' }).toEqual({ status: 'refused' });
      expect((outcome as { error: unknown }).error).toBeInstanceOf(ReadModelsNotReadyError);
      expect((await reports.report(AREA, YEAR)).cells).toEqual(before.cells);
    });
  });
});
