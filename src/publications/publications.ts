import { LOCAL_OPERATOR, type Caller } from '../auth/principal';
import { operatingSystemUser } from '../audit/access-audit';
import type { Clock } from '../config/clock';
import { echo, InvalidInputError, NotFoundError } from '../errors';
import type { PublishedFigures } from '../reports/published-figures';
import { checkPublishedFile, compareCells, publishedCells, type CellDifference, type PublishedFigures as PublishedFiguresFile } from '../reports/report-checks';
import type { KnowledgeOptions, Report, ReportService } from '../reports/report.service';
import { yearLabel } from '../reports/report-period';
import type { ReportCells } from '../reports/tables';
import type { SqlClient } from '../sql/sql-client';
import { momentText, type KnowledgeMoment, type ResolvedMoment } from './knowledge-moment';
import { PUBLICATIONS_INIT_LOCK, PUBLICATIONS_SCHEMA_SQL } from './publications.schema';

// Publications (issue 14.2): a report published at a position, by whom, with its figures file checked by DOMAIN.md 6.12; append-only.

export interface PublishRequest {
  caller: Caller;
  area: string;
  year: number;
  /** Which report: as known at this instant, or at this position; neither: what the read models reflect now. */
  knowledge: KnowledgeOptions;
  /** The day the area published it (YYYY-MM-DD); default: the day it is recorded. */
  publishedOn?: string;
  /** The figures as published (reference/published/ shape), already checked by publishedFiguresFile. */
  figures?: PublishedFiguresFile;
}

/** A check of the published figures, as `mappa check` prints it. */
export interface FigureCheck {
  id: string;
  ok: boolean;
  detail: string;
}

/** One publication, as listed. */
export interface Publication {
  id: string;
  area: string;
  /** `2014/15` style. */
  year: string;
  /** The event-store position the published report was computed at. */
  position: string;
  /** The instant the publisher named, if any (the position is the last event recorded by then). */
  asKnownAt: string | null;
  publishedOn: string;
  /** When the service recorded the publication. */
  recordedAt: string;
  recordedBy: { actor: string; agency: string };
  /** Whether a published figures file was given, and how many of its checks failed. */
  figures: { given: false } | { given: true; checks: number; failedChecks: number; differences: number };
}

/** One publication in full: its figures file, the checks run on it, and how it differs from the computed report. */
export interface PublicationDetail extends Publication {
  figuresFile: PublishedFiguresFile | null;
  /** The checks of DOMAIN.md 6.12 on the figures as printed (publishedDiffers applied): `mappa check --as-printed`. */
  figureChecks: FigureCheck[];
  /** Cells whose printed figure differs from the report computed at the publication's position. */
  differences: CellDifference[];
  /** The report's cells as computed when the publication was recorded. */
  computedCells: ReportCells;
}

/** "The report as published": the report recomputed at the publication's position, beside what was published. */
export interface ReportAsPublished {
  publication: PublicationDetail;
  /** The figures as published: the printed file's cells if one was given, else the computed ones. */
  publishedCells: ReportCells;
  /** Whether recomputing at the position gives the cells recorded with the publication (false: the counting rules changed since). */
  recomputedMatches: boolean;
  report: Report;
}

interface PublicationRow {
  id: string;
  area: string;
  year: number;
  position: string;
  as_known_at: string | null;
  published_on: string;
  recorded_at: string;
  actor: string;
  agency: string;
  computed_cells: ReportCells;
  figures: PublishedFiguresFile | null;
  figure_checks: FigureCheck[] | null;
}

const COLUMNS = `id::text, area, year, position::text,
  to_char(as_known_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS as_known_at,
  to_char(published_on, 'YYYY-MM-DD') AS published_on,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
  actor, agency, computed_cells, figures, figure_checks`;

export class Publications implements PublishedFigures {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly reports: ReportService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.init();
  }

  init(): Promise<void> {
    return (this.ready ??= this.sql
      .transaction(async (tx) => {
        if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [PUBLICATIONS_INIT_LOCK]);
        await tx.exec(PUBLICATIONS_SCHEMA_SQL);
      })
      .catch((error) => {
        this.ready = undefined;
        throw error;
      }));
  }

  /** Records a publication: computes the report at the moment named, runs the checks on the figures file, appends one row. */
  async publish(request: PublishRequest): Promise<PublicationDetail> {
    await this.init();
    const report = await this.reports.report(request.area, request.year, request.knowledge);
    const now = this.clock.now();
    const publishedOn = request.publishedOn ?? now.toISOString().slice(0, 10);
    const today = now.toISOString().slice(0, 10);
    if (publishedOn < report.period.from || publishedOn > today) {
      throw new InvalidInputError(`publishedOn must lie between the start of the report year (${report.period.from}) and today (${today}).`, [
        { field: 'publishedOn', rule: 'published-on', message: 'a report is published after its year begins and not in the future' },
      ]);
    }
    const checks = request.figures ? figureChecks(request.figures) : null;
    const who = whoPublished(request.caller);
    const { rows } = await this.sql.query<PublicationRow>(
      `INSERT INTO publications (area, year, position, as_known_at, published_on, recorded_at, actor, agency, computed_cells, figures, figure_checks)
       VALUES ($1, $2, $3::bigint, $4::timestamptz, $5::date, $6::timestamptz, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb)
       RETURNING ${COLUMNS}`,
      [
        request.area,
        request.year,
        report.position,
        report.asKnownAt,
        publishedOn,
        now.toISOString(),
        who.actor,
        who.agency,
        JSON.stringify(report.cells),
        request.figures ? JSON.stringify(request.figures) : null,
        checks ? JSON.stringify(checks) : null,
      ],
    );
    return detailOf(rows[0]);
  }

  /** The publications of an area (of one report year, if given), oldest first. */
  async list(area: string, year?: number): Promise<Publication[]> {
    await this.init();
    const { rows } = await this.sql.query<PublicationRow>(`SELECT ${COLUMNS} FROM publications WHERE area = $1 AND ($2::integer IS NULL OR year = $2) ORDER BY id`, [
      area,
      year ?? null,
    ]);
    return rows.map((r) => summaryOf(detailOf(r)));
  }

  /** One publication in full, or 404. */
  async get(id: string): Promise<PublicationDetail> {
    await this.init();
    if (!/^\d{1,18}$/.test(id)) throw unknownPublication(id);
    const { rows } = await this.sql.query<PublicationRow>(`SELECT ${COLUMNS} FROM publications WHERE id = $1::bigint`, [id]);
    if (rows.length === 0) throw unknownPublication(id);
    return detailOf(rows[0]);
  }

  /** The report as published: recomputed at the publication's position, with the published figures beside it. */
  async reportAsPublished(publication: PublicationDetail): Promise<ReportAsPublished> {
    const report = await this.reports.report(publication.area, Number(publication.year.slice(0, 4)), { atPosition: BigInt(publication.position) });
    const recomputedMatches = sameCells(report.cells, publication.computedCells);
    return { publication, publishedCells: cellsOf(publication), recomputedMatches, report };
  }

  /** The knowledge options of a revision's moment; a publication must be one of `area`'s (else 400). */
  async moment(moment: KnowledgeMoment, name: 'from' | 'to', area: string): Promise<ResolvedMoment> {
    const asked = momentText(moment);
    switch (moment.kind) {
      case 'now':
        return { asked, knowledge: {} };
      case 'instant':
        return { asked, knowledge: { asKnownAt: moment.at } };
      case 'position':
        return { asked, knowledge: { atPosition: moment.position } };
      case 'publication': {
        const found = await this.get(moment.id).catch(() => null);
        if (!found || found.area !== area) {
          throw new InvalidInputError(`${name}: there is no publication ${moment.id} of ${area}.`, [
            { field: name, rule: 'known-publication', message: `no such publication of ${area}` },
          ]);
        }
        return { asked, knowledge: { atPosition: BigInt(found.position) }, publication: { id: found.id, publishedOn: found.publishedOn } };
      }
    }
  }

  /** PublishedFigures (src/reports/published-figures.ts): the latest publication's figures of each report year. */
  async publishedCells(area: string): Promise<ReadonlyMap<string, Readonly<Record<string, number>>>> {
    await this.init();
    const { rows } = await this.sql.query<PublicationRow>(`SELECT DISTINCT ON (year) ${COLUMNS} FROM publications WHERE area = $1 ORDER BY year, id DESC`, [area]);
    return new Map(rows.map((r) => [yearLabel(r.year).replace('/', '-'), cellsOf(detailOf(r))]));
  }
}

/** The checks `mappa check --as-printed` runs: on the figures as printed, which is what the area published. */
function figureChecks(file: PublishedFiguresFile): FigureCheck[] {
  return checkPublishedFile(file, { asPrinted: true }).map(({ id, ok, detail }) => ({ id, ok, detail }));
}

/** What was published: the printed figures of the file, else the report as computed at the position. */
function cellsOf(p: PublicationDetail): ReportCells {
  return p.figuresFile ? publishedCells(p.figuresFile, { asPrinted: true }) : p.computedCells;
}

function detailOf(r: PublicationRow): PublicationDetail {
  const figuresFile = r.figures;
  const checks = r.figure_checks ?? [];
  const differences = figuresFile ? compareCells(r.computed_cells, publishedCells(figuresFile, { asPrinted: true })) : [];
  return {
    id: r.id,
    area: r.area,
    year: yearLabel(Number(r.year)),
    position: r.position,
    asKnownAt: r.as_known_at,
    publishedOn: r.published_on,
    recordedAt: r.recorded_at,
    recordedBy: { actor: r.actor, agency: r.agency },
    figures: figuresFile ? { given: true, checks: checks.length, failedChecks: checks.filter((c) => !c.ok).length, differences: differences.length } : { given: false },
    figuresFile,
    figureChecks: checks,
    differences,
    computedCells: r.computed_cells,
  };
}

function summaryOf(d: PublicationDetail): Publication {
  const { figuresFile: _file, figureChecks: _checks, differences: _differences, computedCells: _cells, ...summary } = d;
  return summary;
}

/** NaN (a rate without a population) is stored as null in JSON: equal to NaN here. */
function sameCells(a: Readonly<ReportCells>, b: Readonly<ReportCells>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => Object.is(a[k] ?? null, b[k] ?? null) || (Number.isNaN(a[k]) && b[k] === null) || (a[k] === null && Number.isNaN(b[k])));
}

function whoPublished(caller: Caller): { actor: string; agency: string } {
  return caller === LOCAL_OPERATOR ? { actor: `${LOCAL_OPERATOR}:${operatingSystemUser()}`, agency: 'moj' } : { actor: caller.sub, agency: caller.agency };
}

function unknownPublication(id: string): NotFoundError {
  return new NotFoundError(`There is no publication ${echo(id)}.`, [{ field: 'publicationId', rule: 'known-publication', message: 'unknown publication id' }]);
}
