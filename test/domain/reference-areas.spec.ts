import { AREAS, ENGLAND_AND_WALES, areaName, divisionName, divisionsOf, isArea, isValidDivision } from '../../src/domain/reference-areas';

// DOMAIN.md section 2: the 42 areas and the divisions configured per area.

describe('MAPPA areas', () => {
  it('are the 42 areas of England and Wales, without the national aggregate', () => {
    expect(AREAS).toHaveLength(42);
    expect(new Set(AREAS).size).toBe(42);
    expect(isArea('greater-manchester')).toBe(true);
    expect(isArea('dyfed-powys')).toBe(true);
    expect(isArea(ENGLAND_AND_WALES)).toBe(false);
    expect(isArea('Greater Manchester')).toBe(false);
    expect(isArea(42)).toBe(false);
  });

  it('have the names they are published under', () => {
    expect(areaName('greater-manchester')).toBe('Greater Manchester');
    expect(areaName('avon-and-somerset')).toBe('Avon and Somerset');
    expect(areaName('dyfed-powys')).toBe('Dyfed-Powys');
    expect(areaName('north-wales')).toBe('North Wales');
    expect(areaName(ENGLAND_AND_WALES)).toBe('England and Wales');
  });
});

describe('divisions', () => {
  it('of Greater Manchester are the eleven of its published report, in its order', () => {
    expect(divisionsOf('greater-manchester')).toEqual([
      'north-manchester',
      'salford',
      'tameside',
      'wigan',
      'bury',
      'rochdale',
      'oldham',
      'trafford',
      'bolton',
      'stockport',
      'south-manchester',
    ]);
    expect(divisionName('north-manchester')).toBe('North Manchester');
  });

  it('of an area with none configured accept any well-formed kebab-case id', () => {
    expect(divisionsOf('kent')).toBeNull();
    expect(isValidDivision('kent', 'north-kent')).toBe(true);
    expect(isValidDivision('kent', 'North Kent')).toBe(false);
    expect(isValidDivision('kent', 'north--kent')).toBe(false);
    expect(isValidDivision('kent', '')).toBe(false);
  });

  it('of an area with some configured accept only those', () => {
    expect(isValidDivision('greater-manchester', 'salford')).toBe(true);
    expect(isValidDivision('greater-manchester', 'north-kent')).toBe(false);
  });

  it('never take the names of the rows of the division table (DOMAIN.md 6.10)', () => {
    expect(isValidDivision('kent', 'unassigned')).toBe(false);
    expect(isValidDivision('kent', 'total')).toBe(false);
  });
});
