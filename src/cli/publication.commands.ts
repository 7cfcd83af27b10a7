import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { ProjectionRunner } from '../../projections/projection-runner';
import { LOCAL_OPERATOR } from '../auth/principal';
import { AccessAudit } from '../audit/access-audit';
import { InvalidInputError } from '../errors';
import { optionalCount, optionalDate, optionalInstant, requiredReason } from '../http/params';
import { knowledgeMoment } from '../publications/knowledge-moment';
import { publishedFiguresFile } from '../publications/published-figures-file';
import { Publications, type Publication, type PublicationDetail } from '../publications/publications';
import { RevisionsService, type Revisions } from '../publications/revisions';
import { PROJECTION_RUNNER } from '../../projections/read-models.tokens';
import { areasOfReport, knownReportArea } from '../reports/report-area';
import { parseReportYear } from '../reports/report-period';
import { createCliContext } from './app-context';
import { readableStoreConfig } from './readable-store';

// Publications and revisions (issue 14.2, 14.3) as the local operator; offender-level revisions need --reason and are audited, like `mappa trace`.

type CliApp = Awaited<ReturnType<typeof createCliContext>>;

/** On a store that exists (never one it would create), with the read models caught up first. */
async function onStore<T>(work: (app: CliApp) => Promise<T>): Promise<T> {
  const app = await createCliContext({ config: await readableStoreConfig() });
  try {
    await app.get<ProjectionRunner>(PROJECTION_RUNNER).catchUp();
    return await work(app);
  } finally {
    await app.close();
  }
}

const formatOption = (v: string): 'text' | 'json' => {
  if (v !== 'text' && v !== 'json') throw new Error('--format is text or json');
  return v;
};

export function registerPublicationCommands(program: Command): void {
  program
    .command('publish')
    .description('record that a report was published: the report at the moment named, with the published figures file and its checks')
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .requiredOption('--year <year>', 'report year such as 2014-15')
    .option('--as-known-at <timestamp>', 'the report as known then (ISO timestamp); default: now')
    .option('--at-position <position>', 'or the report at this event-store position')
    .option('--published-on <date>', 'the day it was published, YYYY-MM-DD (default: today)')
    .option('--figures <file>', 'the figures as published (shape of reference/published/greater-manchester-2014-15.json)')
    .option('--format <format>', 'text | json', formatOption, 'text')
    .action(async (opts: { area: string; year: string; asKnownAt?: string; atPosition?: string; publishedOn?: string; figures?: string; format: 'text' | 'json' }) => {
      const area = knownReportArea(opts.area);
      const year = parseReportYear(opts.year);
      const asKnownAt = optionalInstant('--as-known-at', opts.asKnownAt);
      const atPosition = optionalCount('--at-position', opts.atPosition);
      if (asKnownAt && atPosition !== undefined) throw new InvalidInputError('Give --as-known-at or --at-position, not both.');
      const publishedOn = optionalDate('--published-on', opts.publishedOn);
      const figures = opts.figures === undefined ? undefined : publishedFiguresFile(await readJson(opts.figures), area, year);
      const publication = await onStore((app) => app.get(Publications).publish({ caller: LOCAL_OPERATOR, area, year, knowledge: { asKnownAt, atPosition }, publishedOn, figures }));
      process.stdout.write(opts.format === 'json' ? JSON.stringify(publication, null, 2) + '\n' : publicationText(publication));
    });

  program
    .command('publications')
    .description('the publications of an area (of one year, if given), oldest first')
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .option('--year <year>', 'report year such as 2014-15')
    .option('--format <format>', 'text | json', formatOption, 'text')
    .action(async (opts: { area: string; year?: string; format: 'text' | 'json' }) => {
      const area = knownReportArea(opts.area);
      const year = opts.year === undefined ? undefined : parseReportYear(opts.year);
      const list = await onStore((app) => app.get(Publications).list(area, year));
      if (opts.format === 'json') process.stdout.write(JSON.stringify({ area, publications: list }, null, 2) + '\n');
      else process.stdout.write(list.length === 0 ? `No publication of ${area} is recorded.\n` : list.map(publicationLine).join('\n') + '\n');
    });

  program
    .command('publication')
    .argument('<id>', 'a publication id, as listed by mappa publications')
    .description('one publication in full (its figures, the checks run on them); with --report, the report as published')
    .option('--report', "the report as published: recomputed at the publication's position, beside the published figures (JSON)")
    .option('--format <format>', 'text | json', formatOption, 'text')
    .action(async (id: string, opts: { report?: boolean; format: 'text' | 'json' }) => {
      const answer = await onStore(async (app) => {
        const publication = await app.get(Publications).get(id);
        return opts.report ? app.get(Publications).reportAsPublished(publication) : publication;
      });
      process.stdout.write(opts.format === 'json' || opts.report ? JSON.stringify(answer, null, 2) + '\n' : publicationText(answer as PublicationDetail));
    });

  program
    .command('revisions')
    .description('what changed in a report between two knowledge moments, and the events that changed it (with --reason: the offenders, audited)')
    .requiredOption('--area <area>', 'area id, or england-and-wales')
    .requiredOption('--year <year>', 'report year such as 2014-15')
    .requiredOption('--from <moment>', 'publication:<id>, an ISO timestamp (as known then) or an event-store position')
    .option('--to <moment>', 'the same forms, or now', 'now')
    .option('--reason <text>', 'why you read the offender-level items (kept in the access audit); without it: cells and counts only')
    .option('--format <format>', 'text | json', formatOption, 'text')
    .action(async (opts: { area: string; year: string; from: string; to: string; reason?: string; format: 'text' | 'json' }) => {
      const area = knownReportArea(opts.area);
      const year = parseReportYear(opts.year);
      const [from, to] = [knowledgeMoment('from', opts.from), knowledgeMoment('to', opts.to)];
      const reason = opts.reason === undefined ? undefined : requiredReason(opts.reason);
      const revisions = await onStore(async (app) => {
        const publications = app.get(Publications);
        const [fromMoment, toMoment] = [await publications.moment(from, 'from', area), await publications.moment(to, 'to', area)];
        if (reason) {
          await app.get(AccessAudit).record(
            {
              caller: LOCAL_OPERATOR,
              action: 'revisions',
              target: `${area} ${opts.year} revisions from=${fromMoment.asked} to=${toMoment.asked} (command line)`,
              areas: areasOfReport(area),
              reason,
            },
            'allowed',
          );
        }
        return app.get(RevisionsService).revisions(area, year, fromMoment, toMoment, reason ? 'items' : 'counts');
      });
      process.stdout.write(opts.format === 'json' ? JSON.stringify(revisions, null, 2) + '\n' : revisionsText(revisions));
    });
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`Cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function publicationLine(p: Publication): string {
  const figures = p.figures.given
    ? `figures: ${p.figures.checks - p.figures.failedChecks} of ${p.figures.checks} checks pass, ${p.figures.differences} cell(s) differ from the computed report`
    : 'no figures file';
  return `publication:${p.id}  ${p.area} ${p.year}  published ${p.publishedOn}  position ${p.position}${p.asKnownAt ? ` (as known at ${p.asKnownAt})` : ''}  recorded ${p.recordedAt} by ${p.recordedBy.actor} (${p.recordedBy.agency}); ${figures}`;
}

function publicationText(p: PublicationDetail): string {
  const lines = [publicationLine(p)];
  for (const c of p.figureChecks.filter((c) => !c.ok)) lines.push(`  FAIL ${c.id}: ${c.detail}`);
  for (const d of p.differences) lines.push(`  DIFF ${d.cellId}: published ${d.published}, computed ${d.computed ?? 'absent'}`);
  return lines.join('\n') + '\n';
}

function revisionsText(r: Revisions): string {
  const moment = (m: Revisions['from']) => `${m.asked} (position ${m.position})`;
  const lines = [
    `${r.area} ${r.year}: from ${moment(r.from)} to ${moment(r.to)}; ${r.eventsBetween} event(s) recorded in between`,
    `${r.cells.length} cell(s) revised${r.cells.length ? ':' : '.'}`,
  ];
  for (const c of r.cells) {
    const causes = Object.entries(c.causes)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `  ${c.cellId}: ${c.from ?? '-'} -> ${c.to ?? '-'}${c.change === null ? '' : ` (${c.change > 0 ? '+' : ''}${c.change})`}; ${c.entered} entered, ${c.left} left${causes ? `; ${causes}` : ''}`,
    );
    for (const i of c.items ?? []) {
      lines.push(
        `    ${i.change} ${i.offenderId} (${i.counted.type} ${i.counted.occurredOn}, position ${i.counted.position}): ${i.cause.kind}, ` +
          `${i.cause.type} of ${i.cause.occurredOn} recorded ${i.cause.recordedAt} at position ${i.cause.position} by ${i.cause.agency ?? 'unknown agency'}`,
      );
    }
  }
  if (r.detail === 'counts' && r.cells.length > 0) lines.push('(cells and counts only: add --reason to see the offenders, as with mappa trace)');
  return lines.join('\n') + '\n';
}
