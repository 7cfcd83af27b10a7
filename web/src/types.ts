// The JSON shapes the workbench reads (src/reports/report.service.ts, src/workbench/workbench.controller.ts).

export interface Session {
  sub: string;
  agency: string;
  roles: string[];
  areas: string[];
  development: boolean;
  reportAreas: string[];
  may: { readReports: boolean; traceFigures: boolean; readOffenders: boolean; readAccessAudit: boolean; publish: boolean };
}

export interface Names {
  areas: Record<string, string>;
  labels: Record<string, string>;
}

export interface TableLayout {
  id: string;
  section: string;
  unit: string;
  unitText: string;
  title: string;
  rule: string;
  rows: string[];
  columns: string[];
}

export interface Report {
  area: string;
  year?: string;
  date?: string;
  period?: { from: string; to: string };
  asKnownAt: string | null;
  position: string;
  warnings?: string[];
  cells: Record<string, number>;
  tables: TableLayout[];
  checks?: Array<{ id: string; ok: boolean; detail: string }>;
}

export interface EventRef {
  eventId: string;
  type: string;
  occurredOn: string;
  recordedAt: string;
  revision: number;
  position: string;
}

export interface TraceItem {
  offenderId: string;
  area: string;
  row: string;
  column: string;
  counted: EventRef;
  fixedBy: Record<string, EventRef | null>;
}

export interface TracePage {
  area: string;
  year: string;
  cell: string;
  value: number;
  unit: string;
  rule: string;
  position: string;
  asKnownAt: string | null;
  summary?: { items: number; byArea: Record<string, number>; byCountedType: Record<string, number> };
  items: TraceItem[];
  next: string | null;
}

export interface CauseEvent extends EventRef {
  kind: string;
  agency: string | null;
}

export interface RevisedCell {
  cellId: string;
  from: number | null;
  to: number | null;
  change: number | null;
  entered: number;
  left: number;
  causes: Record<string, number>;
  items?: Array<{ change: 'entered' | 'left'; offenderId: string; area: string; counted: EventRef; cause: CauseEvent }>;
}

export interface Revisions {
  area: string;
  year: string;
  from: { asked: string; position: string; asKnownAt: string | null };
  to: { asked: string; position: string; asKnownAt: string | null };
  detail: 'items' | 'counts';
  eventsBetween: number;
  cells: RevisedCell[];
}

export interface Trend {
  area: string;
  cells: Array<{ cell: string; table: string; unit: string; kind: string; years: Array<{ year: string; value: number | null; published?: number; change?: number }> }>;
}

/** A recorded publication of a report (src/publications/publications.ts). */
export interface Publication {
  id: string;
  area: string;
  /** 2014/15 style. */
  year: string;
  position: string;
  publishedOn: string;
  recordedBy: { actor: string; agency: string };
  figures: { given: false } | { given: true; checks: number; failedChecks: number; differences: number };
}
