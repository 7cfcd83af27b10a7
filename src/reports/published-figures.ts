/** Figures an area has published, per report year, for showing beside computed ones (issue 14). */
export const PUBLISHED_FIGURES = Symbol('PublishedFigures');
export interface PublishedFigures {
  /** The latest publication's figures of each report year ('2014-15' style keys); years never published are absent. */
  publishedCells(area: string): Promise<ReadonlyMap<string, Readonly<Record<string, number>>>>;
}
/** Until publications exist: none. */
export const noPublishedFigures: PublishedFigures = { publishedCells: async () => new Map() };
