import type { RecordedOffenderEvent } from '../../src/domain/offender-event';
import { byEffectiveOrder } from '../../src/domain/offender-timeline';
import type { SqlClient } from '../../src/sql/sql-client';
import type { Projection, ProjectionMode, ReadStreams } from '../projection';
import { intervalsOf, sameReportedState, stepReportedState, type FoldTail, type IntervalValue, type PositionedEvent } from './interval-fold';
import { dateText, INTERVAL_COLUMNS, reconcileRows, rowFromDb, rowValues, stateFromJson, stateToJson, type IntervalRow } from './interval-rows';

/** Where one offender's intervals end: enough to extend them with an in-order event. */
interface OffenderTail extends FoldTail {
  offenderId: string;
  /** The current row with no end date (null when no MAPPA period is open). */
  openRow: IntervalRow | null;
}

/** Span class ceil(log2 L) of a closed row, so an area's rows holding on a day are one short range scan per class (see docs/decisions.md, "Moved from code comments"). */
export const SPAN_OPEN = 21;

/** In double precision, checked exact for every length up to 2^20 days (see docs/decisions.md, "Moved from code comments"). */
const SPAN_SQL = `CASE WHEN valid_to IS NULL OR valid_to - valid_from > 1048576 THEN ${SPAN_OPEN}
        WHEN valid_to - valid_from <= 1 THEN 0 ELSE ceil(ln((valid_to - valid_from)::float8) / ln(2::float8)) END`;

/** Report-only indexes (the projection finds rows by id and by offender). */
const READER_INDEXES = [
  // Covering: a snapshot count, or the rows an area's facts are matched with, reads the index only.
  {
    name: 'rm_intervals_area_span',
    sql:
      'CREATE INDEX IF NOT EXISTS rm_intervals_area_span ON rm_intervals (area, span, valid_from) ' +
      'INCLUDE (valid_to, valid_to_known_at, known_from, known_to, category, level, in_custody, division, offender_id);',
  },
  // Level 2 and 3 rows are about 1 in 20: table 6.2 reads them alone (and needs their positions).
  { name: 'rm_intervals_area_span_l23', sql: 'CREATE INDEX IF NOT EXISTS rm_intervals_area_span_l23 ON rm_intervals (area, span, valid_from) WHERE level >= 2;' },
  // Rows whose end was recorded after a report's position P are open at P (intervalsDuring).
  {
    name: 'rm_intervals_area_late_end',
    sql: 'CREATE INDEX IF NOT EXISTS rm_intervals_area_late_end ON rm_intervals (area, valid_to_known_at) WHERE valid_to_known_at IS NOT NULL;',
  },
  // Facts find their interval by offender at any knowledge position; covering, so counting reads no table row (see docs/decisions.md, "Moved from code comments").
  {
    name: 'rm_intervals_offender_during',
    sql:
      'CREATE INDEX IF NOT EXISTS rm_intervals_offender_during ON rm_intervals (offender_id, valid_from) ' +
      'INCLUDE (valid_to, valid_to_known_at, known_from, known_to, area, category, level, in_custody);',
  },
];

/** Tails kept in memory between incremental batches (every batch stores its tails), least recently used dropped. */
export const TAIL_CACHE_LIMIT = 50_000;

/** Tails a rebuild keeps in memory (about 750 bytes each); past it the least recently used are stored and read back at their offender's next event, which costs (see docs/decisions.md, "Rebuild memory"). */
export const REBUILD_TAIL_CACHE_LIMIT = 600_000;

/** rm_intervals: reported state as bitemporal intervals; an in-order event extends the stored tail, others refold the offender's stream read from the event store (see docs/decisions.md, "Moved from code comments"). */
export class OffenderIntervalsProjection implements Projection {
  readonly name = 'offender-intervals';
  readonly tables = ['rm_intervals', 'rm_offenders'];
  readonly schemaSql = `
    CREATE TABLE IF NOT EXISTS rm_intervals (
      id                bigint PRIMARY KEY,
      offender_id       text NOT NULL,
      valid_from        date NOT NULL,
      valid_to          date,
      valid_to_known_at bigint,
      known_from        bigint NOT NULL,
      known_to          bigint,
      area              text NOT NULL,
      division          text,
      category          smallint NOT NULL,
      level             smallint NOT NULL,
      in_custody        boolean NOT NULL,
      start_pos         bigint NOT NULL,
      area_pos          bigint NOT NULL,
      division_pos      bigint NOT NULL,
      category_pos      bigint NOT NULL,
      level_pos         bigint NOT NULL,
      custody_pos       bigint NOT NULL
    );
    -- Added here, not above, so that a read model made by an earlier version gets it too.
    ALTER TABLE rm_intervals ADD COLUMN IF NOT EXISTS span smallint GENERATED ALWAYS AS (${SPAN_SQL}) STORED;
    -- Replaced by rm_intervals_area_span and rm_intervals_offender_during (read models of earlier versions).
    DROP INDEX IF EXISTS rm_intervals_area_from;
    DROP INDEX IF EXISTS rm_intervals_offender_from;
    CREATE INDEX IF NOT EXISTS rm_intervals_offender ON rm_intervals (offender_id) WHERE known_to IS NULL;
    ${READER_INDEXES.map((i) => i.sql).join('\n    ')}
    CREATE TABLE IF NOT EXISTS rm_offenders (
      offender_id      text PRIMARY KEY,
      last_date        date,
      state            jsonb,
      state_before     jsonb,
      open_row_id      bigint
    );
  `;

  readonly readerIndexes = READER_INDEXES;
  readonly indexOnlyTables = ['rm_intervals'];
  private readonly tails = new Map<string, OffenderTail>();
  private nextId: bigint | null = null;
  /** A rebuild stored some dropped tails, so an offender's next event must look for its tail in rm_offenders. */
  private tailsStoredInRebuild = false;
  private refolds = 0;

  constructor(
    /** Where a refold reads the offenders' streams: the event store. */
    private readonly streams: ReadStreams,
    private readonly tailCacheLimits: Readonly<Record<ProjectionMode, number>> = { incremental: TAIL_CACHE_LIMIT, rebuild: REBUILD_TAIL_CACHE_LIMIT },
  ) {}

  /** How many tails are held in memory now (at most the mode's limit between batches). */
  get heldTails(): number {
    return this.tails.size;
  }

  /** Offenders refolded from their streams since this projection was made (a retraction, a back-dated event, or no tail). */
  get refoldedOffenders(): number {
    return this.refolds;
  }

  reset(): void {
    this.tails.clear();
    this.nextId = null;
    this.tailsStoredInRebuild = false;
  }

  async apply(events: readonly RecordedOffenderEvent[], tx: SqlClient, mode: ProjectionMode): Promise<void> {
    if (this.nextId === null) {
      const { rows } = await tx.query<{ max: string | null }>('SELECT max(id)::text AS max FROM rm_intervals');
      this.nextId = BigInt(rows[0].max ?? '0') + 1n;
    }
    const byOffender = new Map<string, RecordedOffenderEvent[]>();
    for (const e of events) {
      const list = byOffender.get(e.offenderId);
      if (list) list.push(e);
      else byOffender.set(e.offenderId, [e]);
    }
    const unknown = [...byOffender.keys()].filter((id) => !this.tails.has(id));
    const found = await this.loadTails(unknown, tx, mode);
    // Earlier events but no tail (a read model of an earlier version): refold.
    const tailless = new Set(unknown.filter((id) => !found.has(id) && byOffender.get(id)![0].revision > 0));

    const touched = new Set<IntervalRow>();
    const slow: string[] = [];
    for (const [offenderId, list] of byOffender) {
      const tail = this.tails.get(offenderId)!;
      const trial = { ...tail };
      const trialTouched: IntervalRow[] = [];
      if (!tailless.has(offenderId) && list.every((e) => this.extend(trial, e, trialTouched))) {
        this.tails.set(offenderId, trial);
        for (const r of trialTouched) touched.add(r);
      } else slow.push(offenderId);
    }
    if (slow.length > 0) await this.refold(slow, byOffender, tx, touched);

    await this.write(touched, [...byOffender.keys()], tx, mode);
    // Most recently used last: these offenders' tails are the last to be dropped.
    for (const id of byOffender.keys()) {
      const tail = this.tails.get(id)!;
      this.tails.delete(id);
      this.tails.set(id, tail);
    }
    await this.evictTails(tx, mode);
  }

  async closeStreams(offenderIds: readonly string[], tx: SqlClient): Promise<void> {
    const closed: OffenderTail[] = [];
    for (const id of offenderIds) {
      const tail = this.tails.get(id);
      if (tail === undefined) continue; // dropped earlier, and stored then
      closed.push(tail);
      this.tails.delete(id);
    }
    await this.writeHeldTails(closed, tx);
  }

  async finishRebuild(tx: SqlClient): Promise<void> {
    await this.writeHeldTails([...this.tails.values()], tx);
  }

  /** A rebuild's tails with their held-back open rows; by COPY unless some tails were stored before (they may be among them). */
  private async writeHeldTails(tails: readonly OffenderTail[], tx: SqlClient): Promise<void> {
    await this.writeOpenRows(tails, tx);
    if (this.tailsStoredInRebuild) await storeTails(tails, tx);
    else await tx.copyRows('rm_offenders', TAIL_COLUMNS, tails.map(tailValues));
  }

  /** Open rows a rebuild held back (they change at the offender's next event), written now. */
  private async writeOpenRows(tails: readonly OffenderTail[], tx: SqlClient): Promise<void> {
    const open = tails.map((t) => t.openRow).filter((r): r is IntervalRow => r !== null && !r.persisted);
    await tx.copyRows('rm_intervals', INTERVAL_COLUMNS, open.map(rowValues));
    for (const r of open) r.persisted = true;
  }

  /** Extends the tail with one in-order event; false when it needs a refold (retraction, back-dated, or a same-day undo). */
  private extend(tail: OffenderTail, e: RecordedOffenderEvent, touched: IntervalRow[]): boolean {
    if (e.type === 'EventRetracted') return false;
    if (tail.lastDate !== null && e.occurredOn < tail.lastDate) return false;
    const date = e.occurredOn;
    const newDay = tail.lastDate === null || date > tail.lastDate;
    const next = stepReportedState(tail.state, e as PositionedEvent);
    if (newDay) {
      tail.stateBeforeLastDate = tail.state;
      tail.lastDate = date;
    }
    if (sameReportedState(tail.state, next)) return true;
    if (!newDay && sameReportedState(next, tail.stateBeforeLastDate)) return false;

    const open = tail.openRow;
    if (open) {
      // Copy before changing: the trial tail must not alter rows until the batch is known fast.
      const changed: IntervalRow = { ...open };
      if (open.validFrom < date) {
        changed.validTo = date;
        changed.validToKnownAt = e.position;
      } else {
        changed.knownTo = e.position; // the day's state changed again: that row never held at any end of day
      }
      replaceTouched(touched, open, changed);
    }
    tail.openRow = next ? this.newRow(tail.offenderId, { ...next, validFrom: date, validTo: null, startPos: e.position }, e.position) : null;
    if (tail.openRow) touched.push(tail.openRow);
    tail.state = next;
    return true;
  }

  /** Refolds offenders' whole timelines, one knowledge step (event position) at a time. */
  private async refold(offenderIds: string[], byOffender: Map<string, RecordedOffenderEvent[]>, tx: SqlClient, touched: Set<IntervalRow>) {
    this.refolds += offenderIds.length;
    // A batch whose first event of an offender is its first event holds the offender's whole stream up to the batch (nearly every refold of a rebuild read stream by stream).
    const unread = offenderIds.filter((id) => byOffender.get(id)![0].revision > 0);
    const streams = unread.length > 0 ? await this.streams(unread, tx) : new Map<string, RecordedOffenderEvent[]>();
    for (const id of unread) assertRefoldable(id, streams.get(id), byOffender.get(id)!);
    for (const id of offenderIds) if (!streams.has(id)) streams.set(id, byOffender.get(id)!);
    const timelines = timelinesOf(streams);
    const { rows } = await tx.query('SELECT * FROM rm_intervals WHERE offender_id = ANY($1) AND known_to IS NULL', [offenderIds]);
    const currentRows = new Map<string, IntervalRow[]>(offenderIds.map((id) => [id, []]));
    for (const d of rows) {
      const row = rowFromDb(d);
      const tail = this.tails.get(row.offenderId)!;
      // The tail's copy of the open row is the one to change, so both stay the same object.
      currentRows.get(row.offenderId)!.push(tail.openRow?.id === row.id ? tail.openRow : row);
    }
    for (const offenderId of offenderIds) {
      const tail = this.tails.get(offenderId)!;
      let current = currentRows.get(offenderId)!;
      if (tail.openRow && !tail.openRow.persisted) current.push(tail.openRow);
      const timeline = timelines.get(offenderId) ?? [];
      let fold: FoldTail = tail;
      for (const e of byOffender.get(offenderId)!) {
        const at = e.position;
        const effective = timeline
          .filter((t) => t.event.position <= at && t.event.type !== 'EventRetracted' && (t.retractedAt === null || t.retractedAt > at))
          .map((t) => t.event)
          .sort(byEffectiveOrder);
        const result = intervalsOf(effective);
        const changes = reconcileRows(current, result.intervals, at, (v, knownFrom) => this.newRow(offenderId, v, knownFrom));
        for (const r of changes.touched) touched.add(r);
        current = changes.current;
        fold = result.tail;
      }
      this.tails.set(offenderId, {
        offenderId,
        ...fold,
        openRow: current.find((r) => r.validTo === null) ?? null,
      });
    }
  }

  private newRow(offenderId: string, v: IntervalValue, knownFrom: bigint): IntervalRow {
    const id = this.nextId!;
    this.nextId = id + 1n;
    return { ...v, id, offenderId, validToKnownAt: null, knownFrom, knownTo: null, persisted: false };
  }

  /** Puts a tail for each offender in memory: its stored one, else an empty one. Answers those found stored. */
  private async loadTails(offenderIds: string[], tx: SqlClient, mode: ProjectionMode): Promise<Set<string>> {
    for (const id of offenderIds) this.tails.set(id, { offenderId: id, lastDate: null, state: null, stateBeforeLastDate: null, openRow: null });
    // A rebuild has tails to read back only once it has dropped some from memory.
    if (offenderIds.length === 0 || (mode === 'rebuild' && !this.tailsStoredInRebuild)) return new Set();
    const { rows } = await tx.query(
      `SELECT o.offender_id AS tail_offender, o.last_date, o.state, o.state_before, r.*
         FROM rm_offenders o LEFT JOIN rm_intervals r ON r.id = o.open_row_id
        WHERE o.offender_id = ANY($1)`,
      [offenderIds],
    );
    for (const d of rows) {
      this.tails.set(d.tail_offender as string, {
        offenderId: d.tail_offender as string,
        lastDate: d.last_date === null ? null : dateText(d.last_date),
        state: stateFromJson(d.state),
        stateBeforeLastDate: stateFromJson(d.state_before),
        openRow: d.id === null ? null : rowFromDb(d),
      });
    }
    return new Set(rows.map((d) => d.tail_offender as string));
  }

  private async write(touched: Set<IntervalRow>, offenderIds: string[], tx: SqlClient, mode: ProjectionMode): Promise<void> {
    const inserts: IntervalRow[] = [];
    const updates: IntervalRow[] = [];
    for (const r of touched) {
      if (r.persisted) updates.push(r);
      // In a rebuild the open row waits in the tail, so most rows are written once, final, by COPY.
      else if (!(mode === 'rebuild' && r.validTo === null && r.knownTo === null)) inserts.push(r);
    }
    await tx.copyRows('rm_intervals', INTERVAL_COLUMNS, inserts.map(rowValues));
    for (const r of inserts) r.persisted = true;
    if (updates.length > 0) {
      await tx.query(
        `UPDATE rm_intervals AS r SET valid_to = u.valid_to, valid_to_known_at = u.valid_to_known_at, known_to = u.known_to
           FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::date[]) AS valid_to, unnest($3::bigint[]) AS valid_to_known_at, unnest($4::bigint[]) AS known_to) AS u
          WHERE r.id = u.id`,
        [
          updates.map((r) => r.id.toString()),
          updates.map((r) => r.validTo),
          updates.map((r) => r.validToKnownAt?.toString() ?? null),
          updates.map((r) => r.knownTo?.toString() ?? null),
        ],
      );
    }
    if (mode === 'incremental')
      await storeTails(
        offenderIds.map((id) => this.tails.get(id)!),
        tx,
      );
  }

  /** Past the limit, drops least recently used tails to half; a rebuild first writes their held-back open rows and stores them, so their next event extends them rather than refolding. */
  private async evictTails(tx: SqlClient, mode: ProjectionMode): Promise<void> {
    const limit = this.tailCacheLimits[mode];
    if (this.tails.size <= limit) return;
    const dropped: OffenderTail[] = [];
    let drop = this.tails.size - Math.floor(limit / 2);
    for (const [id, tail] of this.tails) {
      if (drop-- <= 0) break;
      dropped.push(tail);
      this.tails.delete(id);
    }
    await this.writeOpenRows(dropped, tx);
    if (mode === 'rebuild') {
      await storeTails(dropped, tx);
      this.tailsStoredInRebuild = true;
    }
  }
}

async function storeTails(tails: readonly OffenderTail[], tx: SqlClient): Promise<void> {
  if (tails.length === 0) return;
  const values = tails.map(tailValues);
  await tx.query(
    `INSERT INTO rm_offenders (${TAIL_COLUMNS.join(', ')})
     SELECT * FROM unnest($1::text[], $2::date[], $3::jsonb[], $4::jsonb[], $5::bigint[])
     ON CONFLICT (offender_id) DO UPDATE SET last_date = EXCLUDED.last_date, state = EXCLUDED.state,
       state_before = EXCLUDED.state_before, open_row_id = EXCLUDED.open_row_id`,
    [0, 1, 2, 3, 4].map((k) => values.map((t) => t[k])),
  );
}

function replaceTouched(touched: IntervalRow[], original: IntervalRow, changed: IntervalRow): void {
  const i = touched.indexOf(original);
  if (i >= 0) touched[i] = changed;
  else touched.push(changed);
}

/** rm_offenders' columns, in the order of tailValues. */
const TAIL_COLUMNS = ['offender_id', 'last_date', 'state', 'state_before', 'open_row_id'];

const tailValues = (t: OffenderTail): unknown[] => [t.offenderId, t.lastDate, stateToJson(t.state), stateToJson(t.stateBeforeLastDate), t.openRow?.id.toString() ?? null];

/** A stream read for a refold must hold the batch's events with their store positions: a refold folds at positions, so without them it would count events not yet recorded (EventStoreDB before 22.6 reads a stream without positions). */
function assertRefoldable(offenderId: string, stream: readonly RecordedOffenderEvent[] | undefined, batch: readonly RecordedOffenderEvent[]): void {
  const last = batch[batch.length - 1];
  if (stream === undefined || !stream.some((e) => e.eventId === last.eventId && e.position === last.position) || stream.some((e) => e.position < 0n)) {
    throw new Error(
      `The event store answered offender ${offenderId}'s stream without the batch's events at their positions; the read models stop here rather than refold it wrongly (EventStoreDB must be 22.6 or later)`,
    );
  }
}

interface TimelineRow {
  event: PositionedEvent;
  /** Position of the event's first retraction (null: none); the refold ignores one after the position it folds at. */
  retractedAt: bigint | null;
}

/** Each offender's stream with where each event was retracted; a retraction names an event of its own stream (DOMAIN.md 5). */
function timelinesOf(streams: Map<string, RecordedOffenderEvent[]>): Map<string, TimelineRow[]> {
  const timelines = new Map<string, TimelineRow[]>();
  for (const [offenderId, stream] of streams) {
    const rows = stream.map((e): TimelineRow => ({ event: e as PositionedEvent, retractedAt: null }));
    const byId = new Map(rows.map((r) => [r.event.eventId, r]));
    for (const e of stream) {
      if (e.type !== 'EventRetracted') continue;
      const target = byId.get(e.data.retractedEventId);
      if (target && target.retractedAt === null) target.retractedAt = e.position;
    }
    timelines.set(offenderId, rows);
  }
  return timelines;
}
