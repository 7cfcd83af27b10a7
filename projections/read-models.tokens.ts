export const PROJECTION_RUNNER = Symbol('ProjectionRunner');
export const READ_SIDE_OPTIONS = Symbol('ReadSideOptions');
/** Whether this process projects the read models (projections/projector-lease.ts). */
export const PROJECTOR_LEASE = Symbol('ProjectorLease');

export interface ReadSideOptions {
  /** Command line: catch up with the whole store before each read. */
  catchUpBeforeRead: boolean;
  /** Service: keep the read models following the store in the background. */
  follow: boolean;
  /** Longest one report statement may run, in ms (0: no limit); PostgreSQL only (PGlite ignores it). */
  statementTimeoutMs: number;
}

/** Far above the slowest national report (about 0.3 s, docs/benchmarks.md); REPORT_STATEMENT_TIMEOUT_MS. */
export const DEFAULT_REPORT_STATEMENT_TIMEOUT_MS = 30_000;
