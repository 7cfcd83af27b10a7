// Rows of the two SFO tables (DOMAIN.md 6.8, 6.9): category and level on the charge date.
// There is no category3-level1 row: category 3 is only ever managed at level 2 or 3 (DOMAIN.md 5).
export const SFO_ROWS = [
  'category1-level1',
  'category1-level2',
  'category1-level3',
  'category2-level1',
  'category2-level2',
  'category2-level3',
  'category3-level2',
  'category3-level3',
] as const;

/** The row of an SFO case charged while at `category` and `level`. */
export const sfoRow = (category: number, level: number): string => `category${category}-level${level}`;
