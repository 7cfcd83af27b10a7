import { populationAged10Plus } from '../reference-data';
import { offendersOnSnapshot } from './offenders-on-snapshot.table';
import { cellId, TOTAL, type DerivedTable } from './report-table';

export const rsoRate: DerivedTable<'rsoRate'> = {
  id: 'rsoRate',
  kind: 'derived',
  section: '6.11',
  unit: 'ratePer100k',
  title: 'Total number of Registered Sexual Offenders per 100,000 population',
  rule:
    "6.11 `rsoRate` (row per100k; col value): `offendersOnSnapshot.total.category1` per 100,000 of the area's " +
    'population aged 10 and over (the mid-year estimate of year Y for report year Y/Y+1), rounded to the nearest ' +
    'whole number (half up), from the population reference data.',
  rows: () => ['per100k'],
  columns: ['value'],
  tracedAs: { table: offendersOnSnapshot, row: TOTAL, column: 'category1' },
  derive(cells, area, year) {
    const population = populationAged10Plus(area, year);
    cells[cellId('rsoRate', 'per100k', 'value')] = population === null ? Number.NaN : ratePer100k(cells[cellId(offendersOnSnapshot, TOTAL, 'category1')], population);
  },
};

/** Offenders per 100,000 of `population`, rounded to the nearest whole number, half up (exact integer arithmetic). */
export const ratePer100k = (offenders: number, population: number): number => Math.floor((2 * offenders * 100_000 + population) / (2 * population));
