import { intervalKey, openIntervalKey, type IntervalValue, type ReportedState } from './interval-fold';

// Bitemporal bookkeeping of interval rows: valid dates and known positions (see docs/decisions.md, "Moved from code comments").

export interface IntervalRow extends IntervalValue {
  id: bigint;
  offenderId: string;
  /** Position at which valid_to was set (before it, the row was open-ended). */
  validToKnownAt: bigint | null;
  knownFrom: bigint;
  knownTo: bigint | null;
  /** Whether the row is in the table (else it waits to be inserted). */
  persisted: boolean;
}

export const INTERVAL_COLUMNS = [
  'id',
  'offender_id',
  'valid_from',
  'valid_to',
  'valid_to_known_at',
  'known_from',
  'known_to',
  'area',
  'division',
  'category',
  'level',
  'in_custody',
  'start_pos',
  'area_pos',
  'division_pos',
  'category_pos',
  'level_pos',
  'custody_pos',
] as const;

export const rowValues = (r: IntervalRow): unknown[] => [
  r.id,
  r.offenderId,
  r.validFrom,
  r.validTo,
  r.validToKnownAt,
  r.knownFrom,
  r.knownTo,
  r.area,
  r.division,
  r.category,
  r.level,
  r.inCustody,
  r.startPos,
  r.areaPos,
  r.divisionPos,
  r.categoryPos,
  r.levelPos,
  r.custodyPos,
];

export function rowFromDb(d: Record<string, unknown>): IntervalRow {
  const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as string | number));
  return {
    id: BigInt(d.id as string),
    offenderId: d.offender_id as string,
    validFrom: dateText(d.valid_from),
    validTo: d.valid_to === null ? null : dateText(d.valid_to),
    validToKnownAt: big(d.valid_to_known_at),
    knownFrom: BigInt(d.known_from as string),
    knownTo: big(d.known_to),
    area: d.area as string,
    division: (d.division as string | null) ?? null,
    category: Number(d.category) as IntervalRow['category'],
    level: Number(d.level) as IntervalRow['level'],
    inCustody: Boolean(d.in_custody),
    startPos: BigInt(d.start_pos as string),
    areaPos: BigInt(d.area_pos as string),
    divisionPos: BigInt(d.division_pos as string),
    categoryPos: BigInt(d.category_pos as string),
    levelPos: BigInt(d.level_pos as string),
    custodyPos: BigInt(d.custody_pos as string),
    persisted: true,
  };
}

/** A date column as YYYY-MM-DD whether the driver gives text or a Date. */
export function dateText(v: unknown): string {
  // Duck-typed: a Date made in another realm (PGlite's parser under jest) fails instanceof.
  if (Object.prototype.toString.call(v) === '[object Date]') {
    const date = v as Date;
    const y = date.getFullYear(),
      m = date.getMonth() + 1,
      d = date.getDate();
    return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  return String(v).slice(0, 10);
}

export interface RowChanges {
  /** Rows that are new or were changed (persisted or not). */
  touched: IntervalRow[];
  /** The rows that are the knowledge after the step (known_to null). */
  current: IntervalRow[];
}

/** Moves an offender's current rows to a new fold as known from `at`: unchanged stay, an ended open row gets valid_to, the rest are superseded. */
export function reconcileRows(
  current: readonly IntervalRow[],
  next: readonly IntervalValue[],
  at: bigint,
  newRow: (value: IntervalValue, knownFrom: bigint) => IntervalRow,
): RowChanges {
  const wanted = new Map<string, IntervalValue>();
  for (const v of next) wanted.set(intervalKey(v), v);
  const touched: IntervalRow[] = [];
  const kept: IntervalRow[] = [];
  const unmatched: IntervalRow[] = [];
  for (const row of current) {
    const key = intervalKey(row);
    if (wanted.has(key)) {
      wanted.delete(key);
      kept.push(row);
    } else unmatched.push(row);
  }
  const closable = new Map<string, IntervalValue>();
  for (const v of wanted.values()) if (v.validTo !== null) closable.set(openIntervalKey(v), v);
  for (const row of unmatched) {
    const closed = row.validTo === null ? closable.get(intervalKey(row)) : undefined;
    if (closed) {
      closable.delete(intervalKey(row));
      wanted.delete(intervalKey(closed));
      row.validTo = closed.validTo;
      row.validToKnownAt = at;
      kept.push(row);
    } else {
      row.knownTo = at;
    }
    touched.push(row);
  }
  for (const v of wanted.values()) {
    const row = newRow(v, at);
    touched.push(row);
    kept.push(row);
  }
  return { touched, current: kept };
}

/** ReportedState as JSON (positions as strings) for the offender tail table. */
export const stateToJson = (s: ReportedState | null): string | null => (s === null ? null : JSON.stringify(s, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));

export function stateFromJson(json: unknown): ReportedState | null {
  if (json === null || json === undefined) return null;
  const o = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
  return {
    area: o.area as string,
    division: (o.division as string | null) ?? null,
    category: o.category as ReportedState['category'],
    level: o.level as ReportedState['level'],
    inCustody: o.inCustody as boolean,
    areaPos: BigInt(o.areaPos as string),
    divisionPos: BigInt(o.divisionPos as string),
    categoryPos: BigInt(o.categoryPos as string),
    levelPos: BigInt(o.levelPos as string),
    custodyPos: BigInt(o.custodyPos as string),
  };
}
