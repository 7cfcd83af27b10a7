import areasFile from '../../reference/areas.json';
import populationFile from '../../reference/population-aged-10-plus.json';
import { AREA_NAMES, AREAS, divisionsOf } from '../../src/domain/reference-areas';
import { AREA_REFERENCE, populationAged10Plus, populationSource } from '../../src/reports/reference-data';
import { ratePer100k } from '../../src/reports/tables';

// The reference data files (reference/) agree with the domain's areas and give every population figure with its source.

describe('reference/areas.json', () => {
  it('lists the 42 areas of the domain, with their names and only the divisions configured there', () => {
    expect(AREA_REFERENCE.map((a) => a.id)).toEqual(AREAS);
    for (const area of AREA_REFERENCE) {
      expect(area.name).toBe(AREA_NAMES[area.id as keyof typeof AREA_NAMES]);
      expect(area.divisions.map((d) => d.id)).toEqual(divisionsOf(area.id) ?? []);
    }
    expect(areasFile.source).toContain('seed/mappa-annual-report-greater-manchester-2014-15.txt');
  });
});

describe('reference/population-aged-10-plus.json', () => {
  it('has a positive whole figure for every area and mid-year 2005-2025, each marked as an estimate', () => {
    for (const area of AREAS) {
      expect(populationSource(area)).toBe('estimate, not an official ONS figure');
      for (let year = 2005; year <= 2025; year++) {
        const value = populationAged10Plus(area, year);
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThan(100_000);
      }
    }
    expect(populationFile.status).toBe('estimate, not an official ONS figure');
  });

  it('gives england-and-wales as the sum of the areas, and null outside the data', () => {
    const sum = AREAS.reduce((s, a) => s + (populationAged10Plus(a, 2014) as number), 0);
    expect(populationAged10Plus('england-and-wales', 2014)).toBe(sum);
    expect(populationAged10Plus('greater-manchester', 2004)).toBeNull();
    expect(populationAged10Plus('atlantis', 2014)).toBeNull();
  });

  it('reproduces the published Greater Manchester rate: 2,662 offenders, 112 per 100,000', () => {
    expect(ratePer100k(2662, populationAged10Plus('greater-manchester', 2014) as number)).toBe(112);
  });

  it('rounds half up', () => {
    expect(ratePer100k(1, 200_000)).toBe(1); // 0.5
    expect(ratePer100k(3, 200_000)).toBe(2); // 1.5
    expect(ratePer100k(1, 200_001)).toBe(0);
  });
});

describe('population lookups by id', () => {
  it('answer "no figure" for ids named like object properties, never throw', () => {
    for (const id of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(populationAged10Plus(id, 2014)).toBeNull();
      expect(populationAged10Plus('kent', id as unknown as number)).toBeNull();
      expect(typeof (populationSource(id) ?? '')).toBe('string');
    }
  });
});
