// "Did you mean ...?": the valid names nearest to a mistyped one, so a newcomer's typo in an area, cell id or year is answered with the fix, not only with the refusal.

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/** At most `max` candidates nearest to `given`, nearest first; none when even the nearest changes more than a third of it. */
export function nearestNames(given: string, candidates: readonly string[], max = 3): string[] {
  const plain = (s: string) => s.toLowerCase().replace(/[\s_]+/g, '-');
  // Inputs far longer than any name are not typos, and would only cost time.
  if (given.length > 200) return [];
  const scored = candidates.map((name) => ({ name, distance: editDistance(plain(given), plain(name)) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return scored
    .filter((s) => s.distance === best)
    .filter((s) => s.distance <= Math.max(2, Math.ceil(s.name.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** " Did you mean greater-manchester?" (or "a or b?"), or '' when nothing is near enough. */
export function didYouMean(given: string, candidates: readonly string[]): string {
  const near = nearestNames(given, candidates);
  if (near.length === 0) return '';
  return ` Did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near[near.length - 1]}`}?`;
}
