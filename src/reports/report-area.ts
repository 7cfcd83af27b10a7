import { didYouMean } from '../domain/nearest-names';
import { AREAS, ENGLAND_AND_WALES, isArea } from '../domain/reference-areas';
import { echo, NotFoundError } from '../errors';

/** The areas a report can be asked for: the 42 and the national aggregate. */
export const REPORT_AREAS: readonly string[] = [...AREAS, ENGLAND_AND_WALES];

/** `area` if a report can be asked for it, else a 404 naming the nearest valid areas. */
export function knownReportArea(area: string): string {
  if (area === ENGLAND_AND_WALES || isArea(area)) return area;
  throw new NotFoundError(`${echo(area)} is not one of the 42 MAPPA areas or england-and-wales.${didYouMean(area, REPORT_AREAS)}`, [
    { field: 'area', rule: 'known-area', message: 'unknown area' },
  ]);
}

/** The areas a report of `area` counts (and whose data its trace names): all 42 for england-and-wales. */
export const areasOfReport = (area: string): string[] => (area === ENGLAND_AND_WALES ? [...AREAS] : [area]);
