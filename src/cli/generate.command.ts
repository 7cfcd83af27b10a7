import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { CommandBus } from '@nestjs/cqrs';
import { LOCAL_OPERATOR } from '../auth/principal';
import { recordNdjson, type NdjsonSummary } from '../commands/record-events/record-ndjson';
import { isArea } from '../domain/reference-areas';
import { firstAreas, GENERATE_SCALES, NationalHistory, type GenerateScale, type NationalHistoryOptions } from '../synthetic/national/national-history';
import { createCliContext } from './app-context';
import { IMPORT_BATCH_SIZE } from './import.command';
import { echo } from '../errors';

// `mappa generate`: a synthetic history as NDJSON, or straight into the store through `mappa import`'s command path.

export interface GenerateCommandOptions {
  scale?: string;
  areas?: string;
  offenders?: string;
  fromYear?: string;
  toYear?: string;
  seed?: string;
  out?: string;
  intoStore?: boolean;
  quiet?: boolean;
}

/** The history the options describe: a preset scale, then any explicit size on top of it. */
export function historyOptions(opts: GenerateCommandOptions): NationalHistoryOptions {
  const scaleName = (opts.scale ?? 'national') as GenerateScale;
  const scale = Object.hasOwn(GENERATE_SCALES, scaleName) ? GENERATE_SCALES[scaleName] : undefined;
  if (!scale) throw new Error(`--scale must be one of ${Object.keys(GENERATE_SCALES).join(', ')}, not '${echo(opts.scale)}'.`);
  const whole = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not '${echo(value)}'.`);
    return n;
  };
  let areas: string[];
  if (opts.areas === undefined) areas = firstAreas(scale.areas);
  else if (/^\d+$/.test(opts.areas)) areas = firstAreas(Number(opts.areas));
  else {
    areas = opts.areas
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    const unknown = areas.filter((a) => !isArea(a));
    if (unknown.length > 0) throw new Error(`--areas must be a number of areas or MAPPA area ids separated by commas; not areas: ${echo(unknown.join(', '))}.`);
  }
  return {
    areas,
    activeOffenders: whole('--offenders', opts.offenders, scale.activeOffenders),
    fromYear: whole('--from-year', opts.fromYear, scale.fromYear),
    toYear: whole('--to-year', opts.toYear, scale.toYear),
    seed: whole('--seed', opts.seed, 20_050_401),
  };
}

/** Writes the history as NDJSON to a stream, with back-pressure; returns the number of lines. */
export async function writeHistory(history: NationalHistory, out: NodeJS.WritableStream): Promise<number> {
  let lines = 0;
  let chunk: string[] = [];
  for (const { line } of history.lines()) {
    chunk.push(line);
    lines++;
    if (chunk.length >= 2000) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length > 0 && !out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
  return lines;
}

/** Imports the history through the command path (validation, decide, append), as `mappa import` does. */
export async function generateIntoStore(history: NationalHistory, log: (line: string) => void): Promise<NdjsonSummary> {
  const app = await createCliContext();
  try {
    const lines = (function* () {
      for (const { line } of history.lines()) yield line;
    })();
    let next = 100_000;
    return await recordNdjson(
      lines,
      app.get(CommandBus),
      { principal: LOCAL_OPERATOR, actor: process.env.USER ?? 'cli', agency: 'moj', source: 'generate', correlationId: randomUUID() },
      (results) => {
        const last = results[results.length - 1]?.line ?? 0;
        if (last >= next) {
          log(`  ${last.toLocaleString('en-GB')} events recorded`);
          next += 100_000;
        }
      },
      IMPORT_BATCH_SIZE,
    );
  } finally {
    await app.close();
  }
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('a deterministic synthetic MAPPA history (seeded), as NDJSON in arrival order; every event passes the domain rules')
    .option(
      '--scale <scale>',
      `preset size: ${Object.entries(GENERATE_SCALES)
        .map(([k, v]) => `${k} (${v.areas} areas, ${v.activeOffenders} active, ${v.fromYear}-${v.toYear})`)
        .join(', ')}`,
      'national',
    )
    .option('--areas <areas>', 'number of areas (Greater Manchester first, then alphabetical), or area ids separated by commas')
    .option('--offenders <n>', 'offenders active on any 31 March, over all the areas')
    .option('--from-year <year>', 'the history starts on 1 April of this year')
    .option('--to-year <year>', 'the history ends on 31 March of this year')
    .option('--seed <n>', 'seed of the generator (same seed, same history)')
    .option('--out <file>', 'NDJSON file, or - for standard output', '-')
    .option('--into-store', 'record the events in the configured store (EVENT_STORE, DATA_DIR, DATABASE_URL) through the command path instead')
    .option('--quiet', 'no summary on standard error')
    .action(async (opts: GenerateCommandOptions) => {
      const history = new NationalHistory(historyOptions(opts));
      const log = (line: string) => {
        if (!opts.quiet) process.stderr.write(`${line}\n`);
      };
      log(
        `generating ${history.areas.length} areas, about ${history.activeOffenders.toLocaleString('en-GB')} offenders active on each 31 March, ${history.firstDate} to ${history.lastDate}, seed ${history.seed}`,
      );
      const started = Date.now();
      if (opts.intoStore) {
        const summary = await generateIntoStore(history, log);
        log(`recorded: ${summary.appended} appended, ${summary.duplicates} duplicates, ${summary.refused} refused`);
        process.exitCode = summary.refused > 0 ? 1 : 0;
      } else if (opts.out === undefined || opts.out === '-') {
        // `mappa generate | head`: a reader that stops early is not an error.
        process.stdout.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'EPIPE') process.exit(0);
          throw error;
        });
        await writeHistory(history, process.stdout);
      } else {
        const file = createWriteStream(opts.out, { encoding: 'utf8' });
        await writeHistory(history, file);
        file.end();
        await once(file, 'finish');
      }
      const s = history.stats;
      const last = s.snapshots[s.snapshots.length - 1];
      log(
        `${s.events.toLocaleString('en-GB')} events, ${s.offenders.toLocaleString('en-GB')} offenders, ${s.late} recorded late (${s.backDated} back-dated), ${s.byType.EventRetracted ?? 0} retractions, ${s.refused} refused by the rules and left out (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      if (last)
        log(
          `on ${last.date}: ${last.active.toLocaleString('en-GB')} active, ${last.inCommunity.toLocaleString('en-GB')} in the community (category 1: ${pct(last.byCategory[1], last.inCommunity)}, level 1: ${pct(last.byLevel[1], last.inCommunity)})`,
        );
    });
}

const pct = (part: number, whole: number): string => `${whole === 0 ? 0 : ((100 * part) / whole).toFixed(1)}%`;
