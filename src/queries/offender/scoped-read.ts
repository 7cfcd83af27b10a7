/** An offender-level read scoped to the caller (docs/security.md): the answer is computed only after the policy and the audit have run. */
export interface ScopedRead<T> {
  /** The areas that managed the part of the record asked for (for assertMayReadOffender). */
  managingAreas: string[];
  /** The areas of each audit entry of this read: one entry per group, so none tells one area of another. */
  auditAreas: string[][];
  /** The answer, limited to the MAPPA periods the caller may read; throws 404 for an unknown offender. */
  answer: () => T;
}
