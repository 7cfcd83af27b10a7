import { didYouMean, editDistance, nearestNames } from '../../src/domain/nearest-names';
import { AREAS } from '../../src/domain/reference-areas';
import { REPORT_AREAS } from '../../src/reports/report-area';
import { reportCellIds } from '../../src/reports/tables';

// "Did you mean ...?": the nearest valid names to a typo, and nothing when nothing is near.

describe('nearest names', () => {
  it('counts insertions, deletions, substitutions and swapped neighbours as one edit each', () => {
    expect(editDistance('greater-manchester', 'greater-manchester')).toBe(0);
    expect(editDistance('greater-manchster', 'greater-manchester')).toBe(1);
    expect(editDistance('greater-manchesterr', 'greater-manchester')).toBe(1);
    expect(editDistance('greater-manchexter', 'greater-manchester')).toBe(1);
    expect(editDistance('greater-mnachester', 'greater-manchester')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the area a typo most likely means, ignoring case and spaces for hyphens', () => {
    expect(didYouMean('greater-manchster', REPORT_AREAS)).toBe(' Did you mean greater-manchester?');
    expect(didYouMean('Greater Manchester', REPORT_AREAS)).toBe(' Did you mean greater-manchester?');
    expect(didYouMean('england-wales', REPORT_AREAS)).toBe(' Did you mean england-and-wales?');
    expect(nearestNames('lancs', AREAS)).not.toContain('greater-manchester');
  });

  it('suggests the cell id a typo most likely means, and lists ties', () => {
    const cells = reportCellIds('greater-manchester');
    expect(nearestNames('offendersOnSnapshot.level2.categry1', cells)).toEqual(['offendersOnSnapshot.level2.category1']);
    expect(nearestNames('offendersOnSnapshot.level4.category1', cells)).toEqual([
      'offendersOnSnapshot.level1.category1',
      'offendersOnSnapshot.level2.category1',
      'offendersOnSnapshot.level3.category1',
    ]);
  });

  it('suggests nothing when nothing is near enough to be a typo', () => {
    expect(didYouMean('xyz', REPORT_AREAS)).toBe('');
    expect(didYouMean('a'.repeat(500), REPORT_AREAS)).toBe('');
    expect(nearestNames('anything', [])).toEqual([]);
  });
});
