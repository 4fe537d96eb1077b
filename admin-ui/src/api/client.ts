// The fetch wrapper every API call goes through: JSON in and out, the bearer token,
// problem+json errors as ApiError, and a transparent, single-flight token refresh.
//
// Tokens: the access token lives only in memory; the refresh token in localStorage
// (kefu.refresh) so a reload can restore the session. Refresh tokens rotate on every
// use and reusing one revokes the whole session, so refreshes are serialised: within
// a tab by sharing one promise, across tabs with the Web Locks API, and the token is
// always re-read from storage right before it is spent.

export const REFRESH_KEY = 'kefu.refresh';
export const API_BASE = '/api/v1';

/** Codes that mean the session is over: refreshing cannot help, log out. */
export const SESSION_ENDED_CODES = new Set([
  'auth.refresh-token-reused',
  'auth.invalid-refresh-token',
  'auth.session-revoked',
]);

/** One invalid input of several (errs.FieldError: the message is in "detail"). */
export interface ProblemFieldError {
  field: string;
  detail?: string;
  /** Accepted too, in case a server spells it this way. */
  message?: string;
  /** For a refused import, the file's row. */
  row?: number;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  field?: string;
  instance?: string;
  request_id?: string;
  /** Every invalid field when there are several (field is the first). */
  errors?: ProblemFieldError[];
}

/** One problem of several: a field (or column) and what is wrong with it. */
export interface ApiFieldError {
  field: string;
  message: string;
  /** For a refused import, the file's row (a spreadsheet's line, the header being 1). */
  row?: number;
}

/** A failed API call, parsed from the server's problem+json (RFC 9457). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
  readonly requestId?: string;
  /** Seconds from the Retry-After header (429). */
  readonly retryAfter?: number;
  /** Every invalid field the server listed ({field, message}, and row for an import), in its order. */
  readonly errors: ApiFieldError[];

  constructor(init: {
    status: number;
    code: string;
    detail?: string;
    field?: string;
    requestId?: string;
    retryAfter?: number;
    errors?: ApiFieldError[];
  }) {
    super(init.detail || init.code);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail ?? '';
    this.field = init.field || undefined;
    this.requestId = init.requestId || undefined;
    this.retryAfter = init.retryAfter;
    this.errors = init.errors ?? [];
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
}

// ---- token store ---------------------------------------------------------------

let accessToken: string | null = null;
let accessExpiresAt = 0;
type Listener = (reason: SessionEndReason) => void;
export type SessionEndReason = 'expired' | 'logout';
const endListeners = new Set<Listener>();

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function getAccessToken(): string | null {
  return accessToken;
}

export function getRefreshToken(): string | null {
  return storage()?.getItem(REFRESH_KEY) ?? null;
}

/** Stores a fresh token pair (after login, signup, refresh or a password change). */
export function setTokens(pair: TokenPair): void {
  accessToken = pair.access_token;
  accessExpiresAt = pair.expires_in ? Date.now() + pair.expires_in * 1000 : 0;
  storage()?.setItem(REFRESH_KEY, pair.refresh_token);
  scheduleRefresh(pair.expires_in);
}

/** Forgets both tokens without telling the server (see logout). */
export function clearTokens(): void {
  accessToken = null;
  accessExpiresAt = 0;
  storage()?.removeItem(REFRESH_KEY);
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = undefined;
}

/** Subscribes to "the session ended" (refresh failed, or another tab logged out). */
export function onSessionEnded(fn: Listener): () => void {
  endListeners.add(fn);
  return () => endListeners.delete(fn);
}

function endSession(reason: SessionEndReason): void {
  clearTokens();
  for (const fn of [...endListeners]) fn(reason);
}

// Refresh a little before the access token expires, so normal use never meets a 401.
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(expiresIn?: number): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = undefined;
  if (!expiresIn || expiresIn < 30 || typeof window === 'undefined') return;
  const ms = Math.max(10_000, (expiresIn - 60) * 1000);
  refreshTimer = setTimeout(() => {
    refreshSession().catch(() => {
      /* a failure ends the session through endSession; nothing else to do */
    });
  }, ms);
}

// Another tab logging out removes the refresh token: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === REFRESH_KEY && e.newValue === null && accessToken) {
      accessToken = null;
      for (const fn of [...endListeners]) fn('logout');
    }
  });
}

// ---- refresh (single-flight) -----------------------------------------------------

let refreshing: Promise<void> | null = null;

/**
 * Exchanges the stored refresh token for a new pair. Concurrent callers share one
 * request. Fails with ApiError; when the server says the session is over, the
 * session-ended listeners run first.
 */
export function refreshSession(): Promise<void> {
  if (!refreshing) {
    refreshing = withCrossTabLock(doRefresh).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function withCrossTabLock(fn: () => Promise<void>): Promise<void> {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (locks?.request) {
    return locks.request('kefu.refresh', fn);
  }
  return fn();
}

async function doRefresh(): Promise<void> {
  const tokenBefore = accessToken;
  const rt = getRefreshToken();
  if (!rt) {
    const err = new ApiError({ status: 401, code: 'auth.invalid-refresh-token', detail: 'No refresh token.' });
    if (tokenBefore) endSession('expired');
    throw err;
  }
  let res: Response;
  try {
    res = await fetch(`${API_BASE}/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refresh_token: rt }),
      credentials: 'same-origin',
    });
  } catch {
    throw networkError();
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (SESSION_ENDED_CODES.has(err.code) || err.status === 401) {
      // Another tab may have rotated the token while we waited for the lock: if the
      // stored token changed, the session is alive and the next call will use it.
      if (getRefreshToken() !== rt && getRefreshToken()) return doRefresh();
      endSession('expired');
    }
    throw err;
  }
  setTokens((await res.json()) as TokenPair);
}

/**
 * A usable access token for a connection that cannot refresh on a 401 by itself (the
 * realtime WebSocket): refreshes first when there is none or it is about to expire.
 * force refreshes even then (the server closed the socket because it expired).
 */
export async function freshAccessToken(force = false): Promise<string | null> {
  if (getRefreshToken() && (force || !accessToken || (accessExpiresAt && Date.now() > accessExpiresAt - 30_000))) {
    await refreshSession();
  }
  return accessToken;
}

// ---- requests --------------------------------------------------------------------

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

function networkError(): ApiError {
  return new ApiError({ status: 0, code: 'network.error', detail: 'Network error.' });
}

async function toApiError(res: Response): Promise<ApiError> {
  let p: Problem = {};
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      p = JSON.parse(text) as Problem;
    } catch {
      p = {};
    }
  }
  const ra = res.headers.get('Retry-After');
  const retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : undefined;
  return new ApiError({
    status: res.status,
    code: p.code || `http.${res.status}`,
    detail: p.detail || p.title || res.statusText,
    field: p.field,
    requestId: p.request_id || res.headers.get('X-Request-Id') || undefined,
    retryAfter,
    errors: Array.isArray(p.errors)
      ? p.errors
          .filter((e) => e && typeof e.field === 'string')
          .map((e) => ({ field: e.field, message: e.detail || e.message || '', ...(typeof e.row === 'number' ? { row: e.row } : {}) }))
      : undefined,
  });
}

function buildURL(path: string, query?: RequestOptions['query']): string {
  let url = path.startsWith('/api/') ? path : `${API_BASE}${path}`;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  return url;
}

async function send(method: string, url: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // A FormData body (a file upload) is sent as multipart: fetch sets its Content-Type.
  const form = typeof FormData !== 'undefined' && o.body instanceof FormData;
  if (o.body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (o.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(url, {
      method,
      headers,
      body: form ? (o.body as FormData) : o.body !== undefined ? JSON.stringify(o.body) : undefined,
      signal: o.signal,
      credentials: 'same-origin',
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw networkError();
  }
}

/**
 * Calls the API. Resolves with the decoded JSON body (undefined for 204); rejects
 * with ApiError. A 401 `auth.invalid-token` refreshes the session once and retries.
 */
export async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
  const res = await requestOk(method, path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A file the API sent (Content-Disposition: attachment). */
export interface DownloadedFile {
  blob: Blob;
  /** From Content-Disposition, else the fallback given. */
  filename: string;
}

function dispositionFilename(h: string | null): string | undefined {
  if (!h) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(h);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      /* fall back to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(h);
  return plain?.[1]?.trim() || undefined;
}

/** Downloads a file with the bearer token (refreshing like request); rejects with ApiError. */
export async function download(path: string, fallbackName: string, o: RequestOptions = {}): Promise<DownloadedFile> {
  const res = await requestOk('GET', path, o);
  const name = dispositionFilename(res.headers.get('Content-Disposition'));
  // Only a plain name: never a path.
  return { blob: await res.blob(), filename: name?.replace(/[\\/]/g, '_') || fallbackName };
}

async function requestOk(method: string, path: string, o: RequestOptions): Promise<Response> {
  const url = buildURL(path, o.query);
  const authed = o.auth !== false;
  // The access token is gone (reload) or about to expire: refresh before sending.
  if (authed && getRefreshToken() && (!accessToken || (accessExpiresAt && Date.now() > accessExpiresAt - 5000))) {
    await refreshSession();
  }
  let res = await send(method, url, o);
  if (res.status === 401 && authed) {
    const err = await toApiError(res);
    if (err.code === 'auth.invalid-token' && getRefreshToken()) {
      await refreshSession();
      res = await send(method, url, o);
    } else {
      if (SESSION_ENDED_CODES.has(err.code)) endSession('expired');
      throw err;
    }
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (authed && res.status === 401 && SESSION_ENDED_CODES.has(err.code)) endSession('expired');
    throw err;
  }
  return res;
}

export const http = {
  get: <T>(path: string, o?: RequestOptions) => request<T>('GET', path, o),
  post: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('POST', path, { ...o, body: body ?? {} }),
  patch: <T>(path: string, body: unknown, o?: RequestOptions) => request<T>('PATCH', path, { ...o, body }),
  put: <T>(path: string, body: unknown, o?: RequestOptions) => request<T>('PUT', path, { ...o, body }),
  del: <T = void>(path: string, o?: RequestOptions) => request<T>('DELETE', path, o),
};

/** Ends the session on the server (best effort) and forgets the tokens. */
export async function logout(): Promise<void> {
  if (accessToken) {
    try {
      await send('POST', `${API_BASE}/auth/logout`, { auth: true });
    } catch {
      /* the tokens are dropped below either way */
    }
  }
  endSession('logout');
}

/** Test helper: resets module state between tests. */
export function __resetClientForTests(): void {
  refreshing = null;
  endListeners.clear();
  clearTokens();
}
