/** Typed REST calls to /api/v1 with the session cookie or the tab's wallboard token. */
import { sessionToken } from './session';

/** A non-2xx answer; `body` is the parsed JSON (usually `{ error }`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export type Fetch = typeof fetch;

/** Headers every API request carries. */
export function authHeaders(): Record<string, string> {
  const token = sessionToken();
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

function errorText(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string') {
    return body.error;
  }
  if (status === 0) return 'the server cannot be reached';
  return `the server answered ${status}`;
}

/** Calls a JSON route under /api/v1; throws ApiError on a non-2xx answer (204 resolves to undefined). */
export async function api<T>(
  path: string,
  init: {
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    body?: unknown;
    fetch?: Fetch;
    signal?: AbortSignal;
  } = {},
): Promise<T> {
  const doFetch = init.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await doFetch(`/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'same-origin',
      signal: init.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'the server cannot be reached; check the network and try again', null);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!res.ok) throw new ApiError(res.status, errorText(res.status, body), body);
  return body as T;
}

/** A URL under /api/v1 with query parameters (empty values left out). */
export function apiUrl(
  path: string,
  params: Record<string, string | number | null | undefined> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `/api/v1${path}${s === '' ? '' : `?${s}`}`;
}
