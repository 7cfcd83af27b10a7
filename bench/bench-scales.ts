import { firstAreas, GENERATE_SCALES, type GenerateScale } from '../src/synthetic/national/national-history';
import type { NationalHistoryOptions } from '../src/synthetic/national/national-history';

// How big each benchmark run is, and how many times each query is asked.

export interface BenchScale {
  name: GenerateScale;
  history: NationalHistoryOptions;
  /** The area-year of the report figures (Greater Manchester is in every scale). */
  area: string;
  year: number;
  /** The cell traced. */
  traceCell: string;
  repeats: { areaYear: number; national: number; snapshot: number; trace: number };
  baselineRepeats: { areaYear: number; national: number; snapshot: number; trace: number };
  /** Time allowed for the repeats of one question (the median then rests on fewer calls). */
  budgetSeconds: number;
  /** Whether the figures are timings worth writing down (smoke only checks that everything works). */
  timed: boolean;
}

export function benchScale(name: string): BenchScale {
  if (!(name in GENERATE_SCALES)) throw new Error(`--scale must be one of ${Object.keys(GENERATE_SCALES).join(', ')}, not '${name}'.`);
  const scale = GENERATE_SCALES[name as GenerateScale];
  const history = { areas: firstAreas(scale.areas), activeOffenders: scale.activeOffenders, fromYear: scale.fromYear, toYear: scale.toYear, seed: 20_050_401 };
  const smoke = name === 'smoke';
  return {
    name: name as GenerateScale,
    history,
    area: 'greater-manchester',
    year: 2014,
    traceCell: 'level23InYear.total.total',
    repeats: smoke ? { areaYear: 5, national: 3, snapshot: 5, trace: 3 } : { areaYear: 30, national: 10, snapshot: 30, trace: 10 },
    baselineRepeats: smoke ? { areaYear: 2, national: 1, snapshot: 2, trace: 2 } : { areaYear: 3, national: 2, snapshot: 3, trace: 3 },
    budgetSeconds: smoke ? 10 : 60,
    timed: !smoke,
  };
}
