import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  __resetClientForTests,
  ApiError,
  getAccessToken,
  getRefreshToken,
  http,
  onSessionEnded,
  REFRESH_KEY,
  setTokens,
} from './client';
import { json, mockApi, problem } from '../test/utils';

beforeEach(() => {
  __resetClientForTests();
  setTokens({ access_token: 'old-access', refresh_token: 'refresh-A', expires_in: 900 });
});

describe('api client', () => {
  it('sends JSON with the bearer token and decodes the response', async () => {
    const api = mockApi({ 'PATCH /api/v1/me': () => json(200, { name: 'Ada' }) });
    const out = await http.patch<{ name: string }>('/me', { name: 'Ada' });
    expect(out).toEqual({ name: 'Ada' });
    expect(api.calls[0]!.headers.authorization).toBe('Bearer old-access');
    expect(api.calls[0]!.headers['content-type']).toBe('application/json');
    expect(api.calls[0]!.body).toEqual({ name: 'Ada' });
  });

  it('parses problem+json into a typed ApiError', async () => {
    mockApi({
      'POST /api/v1/auth/login': () =>
        problem(429, 'auth.throttled', { field: 'email', detail: 'Too many attempts.', headers: { 'Retry-After': '42' } }),
    });
    const err = await http.post('/auth/login', { email: 'a@b.co', password: 'x' }, { auth: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(429);
    expect(e.code).toBe('auth.throttled');
    expect(e.detail).toBe('Too many attempts.');
    expect(e.field).toBe('email');
    expect(e.requestId).toBe('req-123');
    expect(e.retryAfter).toBe(42);
  });

  it('turns a failed connection into network.error', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    const err = (await http.get('/me').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('network.error');
    expect(err.status).toBe(0);
  });

  it('refreshes once on 401 auth.invalid-token and retries with the new token', async () => {
    const api = mockApi({
      'GET /api/v1/me': [
        () => problem(401, 'auth.invalid-token'),
        (c) => (c.headers.authorization === 'Bearer new-access' ? json(200, { ok: true }) : problem(401, 'auth.invalid-token')),
      ],
      'POST /api/v1/auth/refresh': (c) => {
        expect(c.body).toEqual({ refresh_token: 'refresh-A' });
        return json(200, { access_token: 'new-access', refresh_token: 'refresh-B', token_type: 'Bearer', expires_in: 900 });
      },
    });
    await expect(http.get('/me')).resolves.toEqual({ ok: true });
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v1/me',
      'POST /api/v1/auth/refresh',
      'GET /api/v1/me',
    ]);
    expect(getAccessToken()).toBe('new-access');
    expect(localStorage.getItem(REFRESH_KEY)).toBe('refresh-B');
  });

  it('shares one refresh between concurrent 401s (single-flight)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const api = mockApi({
      'GET /api/v1/me': (c) => (c.headers.authorization === 'Bearer new-access' ? json(200, { who: 'me' }) : problem(401, 'auth.invalid-token')),
      'GET /api/v1/tenants/t1': (c) => (c.headers.authorization === 'Bearer new-access' ? json(200, { t: 1 }) : problem(401, 'auth.invalid-token')),
      'GET /api/v1/tenants/t1/members': (c) =>
        c.headers.authorization === 'Bearer new-access' ? json(200, { items: [] }) : problem(401, 'auth.invalid-token'),
      'POST /api/v1/auth/refresh': async () => {
        await gate;
        return json(200, { access_token: 'new-access', refresh_token: 'refresh-B', token_type: 'Bearer', expires_in: 900 });
      },
    });
    const all = Promise.all([http.get('/me'), http.get('/tenants/t1'), http.get('/tenants/t1/members')]);
    await vi.waitFor(() => expect(api.calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1));
    release();
    await expect(all).resolves.toEqual([{ who: 'me' }, { t: 1 }, { items: [] }]);
    expect(api.calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    // Each request ran twice: once rejected, once retried.
    expect(api.calls).toHaveLength(7);
  });

  it('logs out when the refresh token was reused', async () => {
    const ended = vi.fn();
    onSessionEnded(ended);
    mockApi({
      'GET /api/v1/me': () => problem(401, 'auth.invalid-token'),
      'POST /api/v1/auth/refresh': () => problem(401, 'auth.refresh-token-reused'),
    });
    const err = (await http.get('/me').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('auth.refresh-token-reused');
    expect(ended).toHaveBeenCalledWith('expired');
    expect(getRefreshToken()).toBeNull();
    expect(getAccessToken()).toBeNull();
  });

  it.each(['auth.invalid-refresh-token', 'auth.session-revoked'])('logs out when refresh fails with %s', async (code) => {
    const ended = vi.fn();
    onSessionEnded(ended);
    mockApi({
      'GET /api/v1/me': () => problem(401, 'auth.invalid-token'),
      'POST /api/v1/auth/refresh': () => problem(401, code),
    });
    await expect(http.get('/me')).rejects.toMatchObject({ code });
    expect(ended).toHaveBeenCalledTimes(1);
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull();
  });

  it('ends the session when a request says the session was revoked', async () => {
    const ended = vi.fn();
    onSessionEnded(ended);
    const api = mockApi({ 'GET /api/v1/me': () => problem(401, 'auth.session-revoked') });
    await expect(http.get('/me')).rejects.toMatchObject({ code: 'auth.session-revoked' });
    expect(ended).toHaveBeenCalledTimes(1);
    expect(api.calls.some((c) => c.path === '/api/v1/auth/refresh')).toBe(false);
  });

  it('does not refresh for public endpoints', async () => {
    const api = mockApi({ 'POST /api/v1/auth/login': () => problem(401, 'auth.invalid-credentials') });
    await expect(http.post('/auth/login', {}, { auth: false })).rejects.toMatchObject({ code: 'auth.invalid-credentials', status: 401 });
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]!.headers.authorization).toBeUndefined();
  });

  it('restores a session after a reload: no access token yet, so it refreshes first', async () => {
    __resetClientForTests();
    localStorage.setItem(REFRESH_KEY, 'refresh-stored');
    const api = mockApi({
      'POST /api/v1/auth/refresh': () => json(200, { access_token: 'fresh', refresh_token: 'refresh-next', token_type: 'Bearer', expires_in: 900 }),
      'GET /api/v1/me': () => json(200, { ok: 1 }),
    });
    await http.get('/me');
    expect(api.calls.map((c) => c.path)).toEqual(['/api/v1/auth/refresh', '/api/v1/me']);
    expect(api.calls[1]!.headers.authorization).toBe('Bearer fresh');
  });
});
