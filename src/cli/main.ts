import 'reflect-metadata';
import { Command } from 'commander';
import { loadConfig } from '../config/app-config';
import { createHttpApp } from '../http/create-http-app';
import { createCliContext } from './app-context';
import { importNdjson } from './import.command';

// The `mappa` command (INTERFACES.md, "Command line"): thin adapters onto the buses.

const program = new Command('mappa').description('MAPPA offender events and the MAPPA annual report').showHelpAfterError();

program
  .command('serve')
  .description('the HTTP service')
  .action(async () => {
    const config = loadConfig();
    const app = await createHttpApp({ config });
    await app.listen(config.port);
    console.log(`mappa listening on http://localhost:${config.port} (event store: ${config.eventStore}); API docs at /docs`);
  });

program
  .command('import')
  .argument('<file>', 'NDJSON file, or - for standard input')
  .option('--progress', 'print "acknowledged through line N" after each durable batch')
  .option('--batch-size <n>', 'lines per batch', (v) => Number(v))
  .description('append events through the same validation as the API')
  .action(async (file: string, opts: { progress?: boolean; batchSize?: number }) => {
    const app = await createCliContext();
    try {
      const started = Date.now();
      const summary = await importNdjson(app, file, { progress: opts.progress, batchSize: opts.batchSize });
      const seconds = (Date.now() - started) / 1000;
      console.log(`imported ${file}: ${summary.appended} appended, ${summary.duplicates} duplicates, ${summary.refused} refused (${seconds.toFixed(1)} s)`);
      process.exitCode = summary.refused > 0 ? 1 : 0;
    } finally {
      await app.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
