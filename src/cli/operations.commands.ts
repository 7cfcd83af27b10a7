import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { ProjectionRunner } from '../../projections/projection-runner';
import type { ProjectorLease } from '../../projections/projector-lease';
import { EVENT_STORE, type EventStore } from '../event-store/event-store';
import { PROJECTION_RUNNER, PROJECTOR_LEASE } from '../../projections/read-models.tokens';
import { withApp } from './report.commands';

// Operations on this machine's store, as its local operator.

export function registerOperationsCommands(program: Command): void {
  program
    .command('migrate')
    .description('create the event store and read-model tables (idempotent; the service also does it on start)')
    .action(async () => {
      await withApp(async (app) => {
        // Opening the application creates every schema: the store, the read models, the access audit.
        const store = app.get<EventStore>(EVENT_STORE);
        const runner = app.get<ProjectionRunner>(PROJECTION_RUNNER);
        console.log(`schema ready: event store ${store.kind} at position ${(await store.lastPosition()) ?? 0}, read models at ${(await runner.position()) ?? 0}`);
      });
    });

  program
    .command('rebuild')
    .description('drop and rebuild every read model from the event store, with a progress bar')
    .action(async () => {
      await withApp(async (app) => {
        const runner = app.get<ProjectionRunner>(PROJECTION_RUNNER);
        // Only the projector rebuilds: beside a running service, two would count events twice.
        const lease = app.get<ProjectorLease>(PROJECTOR_LEASE);
        if (!(await lease.tryAcquire())) {
          const holder = (await lease.holder()) ?? 'another process';
          console.error(
            `The read models are being projected by ${holder}. Ask the service instead (POST /admin/rebuild on any instance), or stop every mappa serve on this database and run mappa rebuild again.`,
          );
          process.exitCode = 2;
          return;
        }
        const bar = new SingleBar(
          { format: 'rebuild [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | {eta_formatted} left', hideCursor: true },
          Presets.shades_classic,
        );
        const started = Date.now();
        let begun = false;
        // The bar draws only on a terminal; into a log or a pipe, a line per batch instead.
        const plain = !process.stderr.isTTY;
        const position = await runner.rebuild(({ done, total }) => {
          if (plain) {
            console.log(`rebuilt ${done} of ${Math.max(total, done)} events`);
            return;
          }
          if (!begun) {
            bar.start(total, 0, { rate: 0 });
            begun = true;
          }
          bar.setTotal(Math.max(total, done));
          bar.update(done, { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) });
        });
        if (begun) bar.stop();
        console.log(`read models rebuilt to position ${position ?? 'none'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      });
    });
}
