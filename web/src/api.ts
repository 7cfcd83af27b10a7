// Talks to the service with the tab's token (sessionStorage: gone when the tab closes).

const TOKEN_KEY = 'mappa.workbench.token';

export const savedToken = (): string => sessionStorage.getItem(TOKEN_KEY) ?? '';
export function saveToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A refusal or failure of the API, with its message for the reader. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Tries after a 429 this many times: the page's own reads in flight (a report beside the one as known) fill the caller's read budget for a moment. */
const TRIES_AFTER_BUSY = 5;

/** fetch, waiting as a 429's Retry-After says (at most 5 s) and asking again: the service refuses at once rather than queue (docs/security.md). */
async function fetchPatiently(url: string, init: RequestInit): Promise<Response> {
  for (let tries = 0; ; tries++) {
    const response = await fetch(url, init);
    if (response.status !== 429 || tries === TRIES_AFTER_BUSY) return response;
    const seconds = Number(response.headers.get('Retry-After'));
    await new Promise((resolve) => setTimeout(resolve, 1000 * (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 5) : 1)));
  }
}

/** GET `path` (with `query`), as JSON by default; throws ApiError with the service's own message. */
export async function get(path: string, query: Record<string, string | number | undefined> = {}, accept = 'application/json'): Promise<Response> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const url = params.size ? `${path}?${params}` : path;
  const token = savedToken();
  const response = await fetchPatiently(url, { headers: { Accept: accept, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && typeof body.message === 'string') message = body.message;
    } catch {
      // not JSON: the status says it
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

export const getJson = async <T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> => (await get(path, query)).json() as Promise<T>;

/** Saves what `path` answers as a file named `name` (the token goes in a header, so not a plain link). */
export async function download(path: string, query: Record<string, string | number | undefined>, accept: string, name: string): Promise<void> {
  const blob = await (await get(path, query, accept)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
