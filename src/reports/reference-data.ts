import { AREAS, ENGLAND_AND_WALES } from '../domain/reference-areas';
import areasFile from '../../reference/areas.json';
import populationFile from '../../reference/population-aged-10-plus.json';

// Reference data (DOMAIN.md section 2): areas and the population aged 10+ (the RSO rate's denominator), read from replaceable files in reference/.

export interface AreaReference {
  id: string;
  name: string;
  divisions: { id: string; name: string }[];
}

/** The 42 areas as recorded in reference/areas.json (ids, names, divisions where known). */
export const AREA_REFERENCE: readonly AreaReference[] = areasFile.areas;

/** Shape of reference/population-aged-10-plus.json: areas.<area>.values.<year> = persons. */
export interface PopulationReference {
  status?: string;
  areas: Record<string, { source?: string; values: Record<string, number> }>;
}

const DEFAULT_POPULATION: PopulationReference = populationFile;

/** Population aged 10+ of `area` at mid-year `year`, or null; `england-and-wales` sums the 42 areas and is null unless each has a figure. */
export function populationAged10Plus(area: string, year: number, reference: PopulationReference = DEFAULT_POPULATION): number | null {
  if (area === ENGLAND_AND_WALES) {
    let sum = 0;
    for (const each of AREAS) {
      const value = populationAged10Plus(each, year, reference);
      if (value === null) return null;
      sum += value;
    }
    return sum;
  }
  // Object.hasOwn: the file is user-replaceable data, read by ids, never by inherited names.
  const values = Object.hasOwn(reference.areas, area) ? reference.areas[area].values : undefined;
  const value = values && Object.hasOwn(values, String(year)) ? values[String(year)] : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** Where the population figure of `area` comes from, e.g. "estimate, not an official ONS figure". */
export function populationSource(area: string, reference: PopulationReference = DEFAULT_POPULATION): string | null {
  if (area === ENGLAND_AND_WALES) return 'sum of the 42 areas';
  return (Object.hasOwn(reference.areas, area) ? reference.areas[area].source : undefined) ?? reference.status ?? null;
}
