// Test helpers: a fetch mock that answers like the kefu API, and a render wrapper
// with the providers every screen expects.
import type { ReactElement, ReactNode } from 'react';
import { act, render, screen, waitFor, within, type RenderResult } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { MemoryRouter, Route, Routes } from 'react-router';
import { expect, vi } from 'vitest';
import { __resetClientForTests } from '../api/client';
import { AuthProvider } from '../auth/AuthContext';

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

type Reply = Response | Promise<Response>;
type Handler = (call: Call) => Reply;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export function problem(status: number, code: string, extra: { field?: string; detail?: string; headers?: Record<string, string> } = {}) {
  return json(
    status,
    {
      type: `urn:kefu:problem:${code}`,
      title: 'Error',
      status,
      code,
      detail: extra.detail ?? `server says ${code}`,
      field: extra.field,
      request_id: 'req-123',
    },
    extra.headers,
  );
}

/**
 * Replaces fetch. Routes are "METHOD /api/v1/path" → handler (or a queue of handlers,
 * used in turn). Unknown requests fail the test loudly.
 */
export function mockApi(routes: Record<string, Handler | Handler[]>) {
  const calls: Call[] = [];
  const queues = new Map<string, Handler[]>();
  for (const [k, v] of Object.entries(routes)) queues.set(k, Array.isArray(v) ? [...v] : [v]);
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input.toString(), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method, path: url.pathname + url.search, body, headers };
    calls.push(call);
    const q = queues.get(`${method} ${url.pathname}`) ?? queues.get(`${method} ${url.pathname}${url.search}`);
    if (!q || q.length === 0) throw new Error(`unexpected request ${method} ${url.pathname}`);
    const h = q.length > 1 ? q.shift()! : q[0]!;
    return h(call);
  });
  vi.stubGlobal('fetch', fn);
  return { calls, fetch: fn };
}

export const ME = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  user: { id: 'u1', email: 'ada@example.com', name: 'Ada', is_operator: false, totp_enabled: false, created_at: '2026-01-01T00:00:00Z' },
  memberships: [
    {
      tenant_id: 't1',
      tenant_name: 'Acme',
      tenant_slug: 'acme',
      tenant_status: 'active',
      role: 'owner',
      joined_at: '2026-01-01T00:00:00Z',
    },
  ],
};

export const TOKENS = { access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'Bearer', expires_in: 900 };

/** Routes that make AuthProvider restore a signed-in session. */
export function sessionRoutes(me = ME): Record<string, Handler> {
  localStorage.setItem('kefu.refresh', 'refresh-0');
  return {
    'POST /api/v1/auth/refresh': () => json(200, TOKENS),
    'GET /api/v1/me': () => json(200, me),
  };
}

export function renderApp(ui: ReactElement, { route = '/', path = '*' }: { route?: string; path?: string } = {}): RenderResult {
  // Reset the client's memory but keep a refresh token a test stored (sessionRoutes).
  const stored = localStorage.getItem('kefu.refresh');
  __resetClientForTests();
  if (stored) localStorage.setItem('kefu.refresh', stored);
  const wrap = (children: ReactNode) => (
    <ConfigProvider locale={zhCN} wave={{ disabled: true }} theme={{ token: { motion: false }, hashed: false }}>
      <AntApp>
        <AuthProvider>
          <MemoryRouter initialEntries={[route]}>
            <Routes>
              <Route path={path} element={children} />
              <Route path="*" element={<div data-testid="elsewhere" />} />
            </Routes>
          </MemoryRouter>
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
  return render(wrap(ui));
}

/** The form item (label, control, messages) around the element with this test id. */
export function formItem(testId: string): HTMLElement {
  const el = screen.getByTestId(testId);
  const item = el.closest('.ant-form-item');
  if (!item) throw new Error(`no form item around ${testId}`);
  return item as HTMLElement;
}

/** Waits for a message to be shown under the field with this test id. */
export async function findFieldError(testId: string, text: string | RegExp) {
  return within(formItem(testId)).findByText(text, {}, { timeout: 4000 });
}

/** Fills an input in one event (typing key by key through antd in jsdom is slow). */
export async function fill(user: { clear: (e: Element) => Promise<void>; click: (e: Element) => Promise<void>; paste: (t: string) => Promise<void> }, el: HTMLElement, text: string) {
  await user.clear(el);
  await user.click(el);
  await user.paste(text);
}

/**
 * A WebSocket that plays /api/v1/realtime: install it with
 * vi.stubGlobal('WebSocket', FakeWebSocket) (and reset FakeWebSocket.all), then
 * openSocket() for the console's link, opened and ready, and frame() to push events.
 */
export class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }
  send() {}
  close() {}
  open() {
    act(() => this.onopen?.(new Event('open')));
  }
  frame(f: unknown) {
    act(() => this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(f) })));
  }
}

/** The console's realtime link once it connects, opened and ready for these tenants. */
export async function openSocket(tenantIds: string[] = ['t1']): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.all.length).toBeGreaterThan(0));
  const ws = FakeWebSocket.all[FakeWebSocket.all.length - 1]!;
  ws.open();
  ws.frame({ type: 'ready', tenant_ids: tenantIds });
  return ws;
}
