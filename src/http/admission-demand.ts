import type { Request } from 'express';
import { MAX_EVENT_BYTES } from '../commands/record-events/event-limits';
import type { AdmissionDemand } from './admission-control';
import { isExpensiveReportRead } from './report-read-limit.interceptor';

// Decided from method, path, query and headers alone, before routing, authentication or the body, so a refusal costs nothing.

/** Never refused: the operator's view (health, metrics), the API documentation and operator actions. */
const EXEMPT = /^\/(health|metrics|docs|docs-json|admin)(\/|$)/;
const REPORT = /^\/reports\/([^/]+)\/[^/]+\/?$/;
const TRACE = /^\/reports\/([^/]+)\/[^/]+\/cells\/([^/]+)\/trace\/?$/;
const AREA_READ = /^\/(?:snapshots|periods)\/([^/]+)\/?$/;
const BATCH = /^\/events\/?$/;

/** The budget and weight of a request, or null for one that is never refused. */
export function admissionDemand(request: Pick<Request, 'method' | 'path' | 'query' | 'headers'>): AdmissionDemand | null {
  const path = request.path;
  if (EXEMPT.test(path)) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    // A batch larger than one event's limit, or of unknown length, holds the store for many appends.
    return { budget: 'writes', expensive: BATCH.test(path) && !smallBody(request.headers['content-length']) };
  }
  return { budget: 'reads', expensive: isExpensiveReportRead({ params: reportParams(path), query: request.query }) };
}

/** The route parameters isExpensiveReportRead looks at, from the path (routing has not run yet). */
function reportParams(path: string): Record<string, string> {
  const trace = TRACE.exec(path);
  if (trace) return { area: decoded(trace[1]), cellId: decoded(trace[2]) };
  const area = REPORT.exec(path) ?? AREA_READ.exec(path);
  return area ? { area: decoded(area[1]) } : {};
}

function smallBody(contentLength: string | undefined): boolean {
  return contentLength !== undefined && /^\d{1,12}$/.test(contentLength) && Number(contentLength) <= MAX_EVENT_BYTES;
}

/** A path segment as the router will see it (a malformed escape: as sent; the route answers 400 or 404). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
