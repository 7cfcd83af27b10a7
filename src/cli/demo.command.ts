import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import published from '../../reference/published/greater-manchester-2014-15.json';
import { LOCAL_OPERATOR } from '../auth/principal';
import { loadConfig } from '../config/app-config';
import type { Clock } from '../config/clock';
import { RecordOffenderEventsCommand, type RecordOutcome } from '../commands/record-events/record-offender-events.command';
import { parseEventInput } from '../commands/record-events/event-input';
import { greaterManchesterArrivals } from '../synthetic/demo/greater-manchester-history';
import { GetReportQuery, GetTraceQuery } from '../queries/reports/report-queries';
import { reportToHtml } from '../reports/render/report-html';
import { tablesToText } from '../reports/render/report-text';
import { demoPublication } from '../publications/demo-publication';
import { compareCells } from '../reports/report-checks';
import { findEventStore } from '../event-store/event-store-presence';
import { createCliContext } from './app-context';
import { demoDataDir, shownPath } from './readable-store';

/** The service's clock during the demo: each event is recorded on the day it reached the service. */
class ReplayClock implements Clock {
  private at = new Date(0);
  set(day: string) {
    this.at = new Date(`${day}T18:00:00.000Z`);
  }
  now(): Date {
    return this.at;
  }
}

export interface DemoResult {
  events: number;
  appended: number;
  refused: number;
  importSeconds: number;
  differences: ReturnType<typeof compareCells>;
  failedChecks: number;
  htmlFile: string;
  /** The publication the demo records, and the revision from 30 April 2015 to it (issue 14.2, 14.3). */
  publication: Awaited<ReturnType<typeof demoPublication>>;
}

/** `mappa demo`: a fresh embedded store, the Greater Manchester history imported through the command path, its 2014/15 report checked against the published figures. */
export async function runDemo(options: { dataDir: string; out: string; log?: (line: string) => void }): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  await rm(options.dataDir, { recursive: true, force: true });
  const clock = new ReplayClock();
  const app = await createCliContext({ config: { ...loadConfig(), eventStore: 'embedded', databaseUrl: undefined, dataDir: options.dataDir }, clock });
  try {
    const arrivals = greaterManchesterArrivals();
    log(`Importing the Greater Manchester demonstration history: ${arrivals.length.toLocaleString('en-GB')} events, 2007 to 2015, through the command path...`);
    const started = Date.now();
    const commandBus = app.get(CommandBus);
    const context = { principal: LOCAL_OPERATOR, actor: 'demo', agency: 'moj', source: 'demo' as const, correlationId: randomUUID() };
    let appended = 0;
    let refused = 0;
    for (let i = 0; i < arrivals.length;) {
      const day = arrivals[i].recordedOn;
      const batch = [];
      for (; i < arrivals.length && arrivals[i].recordedOn === day && batch.length < 2000; i++) {
        batch.push(parseEventInput(JSON.parse(JSON.stringify(arrivals[i].event)), { missingEventId: 'content' }));
      }
      clock.set(day);
      const outcomes: RecordOutcome[] = await commandBus.execute(new RecordOffenderEventsCommand(batch, context));
      for (const o of outcomes) {
        if (o.status === 'appended') appended++;
        else if (o.status === 'refused') {
          refused++;
          log(`  refused ${o.eventId}: ${o.error.message}`);
        }
      }
    }
    const importSeconds = (Date.now() - started) / 1000;
    log(
      `  ${appended.toLocaleString('en-GB')} appended, ${refused} refused, in ${importSeconds.toFixed(1)} s (${Math.round(appended / importSeconds).toLocaleString('en-GB')} events/s)`,
    );

    const queryBus = app.get(QueryBus);
    const report = await queryBus.execute(new GetReportQuery('greater-manchester', 2014));
    log('');
    log(`MAPPA annual report 2014/15, Greater Manchester (event-store position ${report.position})`);
    log('');
    log(tablesToText(report.tables, report.cells));
    const differences = compareCells(report.cells, published.cells as Record<string, number>);
    const failedChecks = report.checks.filter((c) => !c.ok).length;
    log('');
    log(
      differences.length === 0
        ? `Every one of the ${Object.keys(published.cells).length} published cells is reproduced (reference/published/greater-manchester-2014-15.json).`
        : `${differences.length} cell(s) differ from the publication: ${JSON.stringify(differences)}`,
    );
    log(
      `${report.checks.length - failedChecks} of ${report.checks.length} reconciliation checks pass${
        failedChecks
          ? `; failing: ${report.checks
              .filter((c) => !c.ok)
              .map((c) => c.id)
              .join(', ')}`
          : ''
      }.`,
    );

    // As known on 30 April 2015: before the late-recorded events of the year arrived.
    const earlier = await queryBus.execute(new GetReportQuery('greater-manchester', 2014, { asKnownAt: new Date('2015-04-30T23:59:59Z') }));
    const changed = Object.keys(report.cells).filter((id) => report.cells[id] !== earlier.cells[id] && Number.isFinite(report.cells[id]));
    log(`As known on 30 April 2015 (position ${earlier.position}), ${changed.length} cell(s) differed: ${changed.slice(0, 6).join(', ')}${changed.length > 6 ? ', ...' : ''}`);

    const publication = await demoPublication(app, log);

    const trace = await queryBus.execute(new GetTraceQuery('greater-manchester', 2014, 'recalledForLicenceBreach.level3.total'));
    log(
      `Trace of recalledForLicenceBreach.level3.total = ${trace.value}: ${trace.items.map((i) => `${i.offenderId} (${i.counted.type} ${i.counted.occurredOn}, position ${i.counted.position})`).join('; ')}`,
    );

    await writeFile(options.out, reportToHtml(report));
    log(`\nThe report as HTML: ${path.resolve(options.out)}`);
    log('');
    log('Next, in this folder, copy and paste:');
    for (const line of await demoNextCommands(options.dataDir)) log(`  ${line}`);
    log('');
    log('The workbench page on the demo store (development mode: no token needed on your own machine):');
    log(`  ${demoWorkbenchCommand(options.dataDir)}`);
    log(`  then open http://localhost:${loadConfig().port}/ in a browser`);
    return { events: arrivals.length, appended, refused, importSeconds, differences, failedChecks, htmlFile: options.out, publication };
  } finally {
    await app.close();
  }
}

/** `mappa serve` on the demo store, as pasted from the current folder (serve reads DATA_DIR, not the demo store by itself). */
export function demoWorkbenchCommand(demoDir: string): string {
  return `EVENT_STORE=embedded DATABASE_URL= DATA_DIR=${shellWord(shownPath(path.resolve(demoDir)))} npx mappa serve --dev-auth`;
}

/** The README's claims, checked on every run: every event accepted, every published cell, every check. */
export const demoSucceeded = (result: Pick<DemoResult, 'refused' | 'differences' | 'failedChecks'>): boolean =>
  result.refused === 0 && result.differences.length === 0 && result.failedChecks === 0;

/** The commands the demo suggests, as they work from the current folder (reads find DATA_DIR/demo by themselves: readable-store.ts). */
export async function demoNextCommands(demoDir: string): Promise<string[]> {
  const config = loadConfig();
  const foundByReads = config.eventStore === 'embedded' && path.resolve(demoDir) === demoDataDir(config.dataDir) && !(await findEventStore(config)).present;
  const env = foundByReads ? '' : `EVENT_STORE=embedded DATABASE_URL= DATA_DIR=${shellWord(shownPath(path.resolve(demoDir)))} `;
  const mappa = `${env}npx mappa`;
  return [
    `${mappa} report --area greater-manchester --year 2014-15 --format text`,
    `${mappa} snapshot --area greater-manchester --date 2015-03-31`,
    `${mappa} trace --area greater-manchester --year 2014-15 --cell recalledForLicenceBreach.level3.total --reason "trying the demo"`,
  ];
}

/** A path as one word of a POSIX shell command. */
const shellWord = (text: string): string => (/^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** `run` is the demo itself; a test passes one whose outcome it chooses, to check the exit status. */
export function registerDemoCommand(program: Command, run: typeof runDemo = runDemo): void {
  program
    .command('demo')
    .description('a fresh embedded store with the Greater Manchester demonstration history; prints its 2014/15 report and writes it as HTML')
    .option('--data-dir <dir>', 'where the demo store goes (emptied first)', demoDataDir(loadConfig().dataDir))
    .option('--out <file>', 'the HTML report', 'mappa-demo-greater-manchester-2014-15.html')
    .action(async (opts: { dataDir: string; out: string }) => {
      const result = await run(opts);
      process.exitCode = demoSucceeded(result) ? 0 : 1;
    });
}
