// What the workbench page (web/src/report-view.tsx) asks the service when its user switches the
// area, the report year, the snapshot date or the as-known-at moment. The bench times these request
// sets; the browser test records what the page really sends on each switch and checks it is exactly
// these, so a change of the page that the bench does not follow fails a test.

export type SwitchKind = 'area' | 'year' | 'date' | 'asKnownAt';

export interface SwitchTo {
  area: string;
  /** The report year as the API spells it, such as 2014-15. */
  year: string;
  /** The snapshot date (the 'date' switch). */
  date?: string;
  /** The as-known-at moment, ISO 8601 (the 'asKnownAt' switch): the page sends the picker's value as an instant. */
  asKnownAt?: string;
}

/** One request: a path and its query parameters (decoded; their order does not matter). */
export interface SwitchRequest {
  path: string;
  query: Record<string, string>;
}

/**
 * The requests of one switch, sent together by the page. An area switch asks the report and the
 * area's publications of every year (listed beside the as-known-at picker); a year switch, the
 * report only (the list holds every year); a date switch, the snapshot; a new as-known-at moment,
 * the report then and the report now (to highlight what changed).
 */
export function switchRequests(kind: SwitchKind, to: SwitchTo): SwitchRequest[] {
  const report = `/reports/${to.area}/${to.year}`;
  switch (kind) {
    case 'area':
      return [
        { path: report, query: {} },
        { path: '/publications', query: { area: to.area } },
      ];
    case 'year':
      return [{ path: report, query: {} }];
    case 'date':
      return [{ path: `/snapshots/${to.area}`, query: { date: required(to.date, 'date') } }];
    case 'asKnownAt':
      return [
        { path: report, query: { asKnownAt: required(to.asKnownAt, 'asKnownAt') } },
        { path: report, query: {} },
      ];
  }
}

/** The request as a URL path with its query, as the page builds it (URLSearchParams). */
export const requestUrl = (r: SwitchRequest): string => {
  const query = new URLSearchParams(r.query).toString();
  return query ? `${r.path}?${query}` : r.path;
};

/** A URL (absolute or a path) as a SwitchRequest, to compare what the page sent with switchRequests. */
export function parseRequest(url: string): SwitchRequest {
  const u = new URL(url, 'http://page.invalid');
  return { path: u.pathname, query: Object.fromEntries([...u.searchParams.entries()].sort(([a], [b]) => a.localeCompare(b))) };
}

/** Requests in one order, for comparing sets. */
export const sortedRequests = (rs: SwitchRequest[]): string[] => rs.map((r) => requestUrl(parseRequest(requestUrl(r)))).sort();

/** A report year as the API spells it: 2014 is '2014-15'. */
export const yearText = (start: number): string => `${start}-${String((start + 1) % 100).padStart(2, '0')}`;

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`a '${name}' switch needs a ${name}`);
  return value;
}
