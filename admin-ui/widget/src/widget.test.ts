// The chat widget in jsdom against fakes of the widget gateway (server/internal/api/
// widget.go): fetch answers like its HTTP routes, FakeWS plays /widget/{channel}/ws
// (ack/error answers, conversation.Event frames). Timers are faked where the widget
// waits (polling, retries).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { optionsFrom } from './main';
import { Widget, type WidgetOptions } from './widget';
import type { ServerMessage } from './types';

const ORIGIN = 'https://kefu.example.com';
const CH = 'ch-1';
const BASE = `${ORIGIN}/widget/${CH}`;

interface Call {
  method: string;
  url: string;
  /** The route under /widget/{channel}, without the query. */
  path: string;
  query: URLSearchParams;
  /** The visitor token the call carried (in the query). */
  token: string | null;
  headers: Headers;
  body: any;
}

type Handler = (c: Call) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

function mockFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = (init?.method || 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const raw = init?.body;
    const body = ArrayBuffer.isView(raw) ? JSON.parse(new TextDecoder().decode(raw)) : typeof raw === 'string' ? JSON.parse(raw) : raw;
    const u = new URL(url);
    const path = u.pathname.replace(`/widget/${CH}`, '');
    const call: Call = { method, url, path, query: u.searchParams, token: u.searchParams.get('token'), headers, body };
    calls.push(call);
    const h = routes[`${method} ${path}`];
    if (!h) throw new TypeError(`unexpected ${method} ${url}`);
    const r = await h(call);
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: { 'Content-Type': r.status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}

const problem = (status: number, code: string) => ({ status, body: { type: `urn:kefu:problem:${code}`, status, code, detail: code } });

class FakeWS {
  static all: FakeWS[] = [];
  static refuse = false;
  readonly sent: any[] = [];
  readyState = 0;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
    if (FakeWS.refuse) queueMicrotask(() => this.drop(1006));
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  accept() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  frame(f: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(f) }));
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  static last() {
    return FakeWS.all[FakeWS.all.length - 1]!;
  }
}

const CONFIG = { name: 'Acme Support', welcome_message: 'Hi! How can we help?', color: '#ff6600', locale: 'en', online: true, require_identity: false };
const VISITOR = 'v_aaaaaaaaaaaaaaaaaaaaaa';

function agentMsg(id: string, text: string, at = '2026-05-01T10:00:05Z'): ServerMessage {
  return { id, conversation_id: 'conv-1', direction: 'out', sender_type: 'agent', type: 'text', text, attachments: [], status: 'sent', created_at: at };
}

/** A conversation.Event as the hub publishes it. */
function event(type: string, message: ServerMessage) {
  return { type, tenant_id: 't1', conversation_id: message.conversation_id ?? 'conv-1', message };
}

let widget: Widget | null = null;
function start(opts: Partial<WidgetOptions> = {}) {
  widget = new Widget({ channel: CH, origin: ORIGIN, ...opts });
  return widget;
}

const $ = (id: string) => widget!.view!.shadow.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const $$ = (id: string) => Array.from(widget!.view!.shadow.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`));
const flush = () => vi.advanceTimersByTimeAsync(0);

function typeAndSend(text: string) {
  const input = $('kefu-input') as HTMLTextAreaElement;
  input.value = text;
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
}

function liveRoutes(extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'GET /config': () => ({ status: 200, body: CONFIG }),
    'POST /session': () => ({ status: 200, body: { visitor_id: VISITOR, token: 'tok', conversation_id: 'conv-1' } }),
    'GET /messages': () => ({ status: 200, body: { conversation_id: 'conv-1', items: [] } }),
    ...extra,
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  FakeWS.all = [];
  FakeWS.refuse = false;
  vi.stubGlobal('WebSocket', FakeWS);
});

afterEach(() => {
  widget?.destroy();
  widget = null;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('script tag', () => {
  it('reads data-channel, data-locale and a signed data-identity', () => {
    const s = document.createElement('script');
    s.src = `${ORIGIN}/widget.js`;
    s.dataset.channel = CH;
    s.dataset.locale = 'zh-CN';
    s.dataset.identity = JSON.stringify({ user_id: 'u123', name: 'Lei', email: 'lei@example.com', ts: 1732250000, signature: 'abcdef' });
    expect(optionsFrom(s)).toEqual({
      channel: CH,
      origin: ORIGIN,
      locale: 'zh-CN',
      identity: { user_id: 'u123', name: 'Lei', email: 'lei@example.com', ts: 1732250000, signature: 'abcdef' },
    });
  });

  it('accepts the data-kefu-* spelling, and ignores an identity that is not JSON', () => {
    const s = document.createElement('script');
    s.src = '/widget.js';
    s.dataset.kefuChannel = CH;
    s.dataset.kefuUserId = 'u1';
    s.dataset.kefuTs = '10';
    s.dataset.kefuSignature = 'ff';
    expect(optionsFrom(s)).toEqual({ channel: CH, origin: location.origin, identity: { user_id: 'u1', ts: 10, signature: 'ff' } });

    const bad = document.createElement('script');
    bad.src = `${ORIGIN}/widget.js`;
    bad.dataset.channel = CH;
    bad.dataset.identity = '{not json';
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(optionsFrom(bad)).toEqual({ channel: CH, origin: ORIGIN });
    expect(optionsFrom(document.createElement('script'))).toBeNull();
  });
});

describe('chat widget', () => {
  it('boots: config, a session with a stable visitor id and the identity, history, the socket', async () => {
    const calls = mockFetch(
      liveRoutes({
        'POST /session': (c) => ({ status: 200, body: { visitor_id: c.body.visitor_id, token: 'tok-1', conversation_id: 'conv-1' } }),
        'GET /messages': () => ({ status: 200, body: { conversation_id: 'conv-1', items: [agentMsg('m1', 'Welcome back')] } }),
        'POST /read': () => ({ status: 204 }),
      }),
    );
    const identity = { user_id: 'u123', name: 'Lei', ts: 1732250000, signature: 'abcdef' };
    await start({ identity }).start();
    await flush();

    const session = calls.find((c) => c.path === '/session')!;
    expect(session.body.visitor_id).toMatch(/^v_[A-Za-z0-9_-]{22}$/);
    expect(session.body.identity).toEqual(identity);
    expect(localStorage.getItem(`kefu.w.${CH}.visitor`)).toBe(session.body.visitor_id);
    expect(calls.find((c) => c.path === '/messages')!.token).toBe('tok-1');
    expect(FakeWS.last().url).toBe(`wss://kefu.example.com/widget/${CH}/ws?token=tok-1`);

    // Cross-origin calls stay CORS "simple" (the gateway answers no preflight): no
    // Authorization or Content-Type header, the token in the query, JSON as bytes.
    for (const c of calls) {
      expect(c.url.startsWith(`${BASE}/`)).toBe(true);
      expect(c.headers.get('Authorization')).toBeNull();
      expect(c.headers.get('Content-Type')).toBeNull();
    }
    expect(calls.find((c) => c.path === '/session')!.token).toBeNull();

    // The widget lives in a shadow root: nothing of it is in the page's light DOM.
    const host = document.querySelector('[data-kefu-widget]')!;
    expect(host.shadowRoot).toBe(widget!.view!.shadow);
    expect(document.querySelector('[data-testid="kefu-launcher"]')).toBeNull();

    // Launcher with the unread badge (the agent's message was not read yet).
    expect($('kefu-launcher')).toHaveAttribute('aria-expanded', 'false');
    expect($('kefu-unread')).toHaveTextContent('1');
    expect(widget!.view!.host.style.getPropertyValue('--kc')).toBe('#ff6600');

    // Opening shows the welcome and the history, reads the latest agent message.
    $('kefu-launcher')!.click();
    expect($('kefu-panel')).toBeVisible();
    expect($('kefu-welcome')).toHaveTextContent('Hi! How can we help?');
    expect($('kefu-message-in')).toHaveTextContent('Welcome back');
    expect($('kefu-unread')!.hidden).toBe(true);
    expect(widget!.view!.shadow.activeElement).toBe($('kefu-input'));
    // The socket is not open yet: the read receipt goes by HTTP.
    expect(calls.some((c) => c.path === '/read' && c.body.message_id === 'm1')).toBe(true);

    // Escape closes and gives focus back to the launcher.
    $('kefu-panel')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect($('kefu-panel')!.hidden).toBe(true);
    expect(widget!.view!.shadow.activeElement).toBe($('kefu-launcher'));

    // A second page load reuses the visitor id.
    widget!.destroy();
    await start().start();
    const sessions = calls.filter((c) => c.path === '/session');
    expect(sessions[1]!.body.visitor_id).toBe(session.body.visitor_id);
    expect(sessions[1]!.body.identity).toBeUndefined();
  });

  it('shows a message at once, settles it on the ack, renders the reply, typing and read receipts', async () => {
    const calls = mockFetch(liveRoutes());
    await start().start();
    await flush();
    const ws = FakeWS.last();
    ws.accept();
    await flush();
    $('kefu-launcher')!.click();

    typeAndSend('hello there');
    // Optimistic: on screen and in localStorage before the server said anything.
    const frame = ws.sent.find((f) => f.type === 'message');
    expect(frame).toEqual({ type: 'message', client_id: expect.any(String), text: 'hello there' });
    expect($('kefu-message-out')).toHaveTextContent('hello there');
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sending');
    expect($('kefu-status')).toHaveTextContent('Sending…');
    expect(JSON.parse(localStorage.getItem(`kefu.w.${CH}.pending`)!)).toHaveLength(1);

    ws.frame({ type: 'ack', client_id: frame.client_id, id: 'm-10', conversation_id: 'conv-1' });
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sent');
    expect($('kefu-message-out')).toHaveAttribute('data-id', 'm-10');
    expect($('kefu-status')).toHaveTextContent('Sent');
    expect(localStorage.getItem(`kefu.w.${CH}.pending`)).toBeNull();
    // Sent over the socket only: no POST.
    expect(calls.some((c) => c.method === 'POST' && c.path === '/messages')).toBe(false);

    // The hub echoes the visitor's own message (no client_id on inbound messages): still one bubble.
    ws.frame(event('message.created', { id: 'm-10', conversation_id: 'conv-1', direction: 'in', sender_type: 'contact', type: 'text', text: 'hello there', status: 'received', created_at: '2026-05-01T10:00:00Z' }));
    expect($$('kefu-message-out')).toHaveLength(1);

    // The agent types, then replies: the reply is rendered and read at once (panel open).
    ws.frame({ type: 'typing', tenant_id: 't1', conversation_id: 'conv-1', from: 'agent' });
    expect($('kefu-typing')!.hidden).toBe(false);
    ws.frame(event('message.created', { ...agentMsg('m-11', 'Hello! Ada here.'), status: 'queued' }));
    expect($('kefu-typing')!.hidden).toBe(true);
    expect($('kefu-message-in')).toHaveTextContent('Hello! Ada here.');
    expect($('kefu-message-in')).toHaveTextContent('Agent');
    const reads = () => ws.sent.filter((f) => f.type === 'read');
    expect(reads()).toEqual([{ type: 'read', message_id: 'm-11' }]);
    // Delivery updates replace the reply, not duplicate it. The server marks a reply
    // read only once it is sent, so "sent" is answered with the receipt again.
    ws.frame(event('message.updated', { ...agentMsg('m-11', 'Hello! Ada here.'), status: 'sent' }));
    expect(reads()).toHaveLength(2);
    ws.frame(event('message.updated', { ...agentMsg('m-11', 'Hello! Ada here.'), status: 'read' }));
    expect(reads()).toHaveLength(2);
    expect($$('kefu-message-in')).toHaveLength(1);
    // A read receipt from the agent's side marks the visitor's messages read.
    ws.frame({ type: 'read', tenant_id: 't1', conversation_id: 'conv-1', from: 'agent', message_id: 'm-10' });
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'read');

    // Typing is throttled: one frame for a burst of keystrokes.
    const input = $('kefu-input') as HTMLTextAreaElement;
    for (const ch of 'abc') {
      input.value += ch;
      input.dispatchEvent(new Event('input'));
    }
    expect(ws.sent.filter((f) => f.type === 'typing')).toHaveLength(1);
  });

  it('keeps one bubble when the echo arrives before the ack', async () => {
    mockFetch(liveRoutes());
    await start().start();
    await flush();
    const ws = FakeWS.last();
    ws.accept();
    await flush();
    $('kefu-launcher')!.click();
    typeAndSend('race');
    const frame = ws.sent.find((f) => f.type === 'message');
    ws.frame(event('message.created', { id: 'm-20', direction: 'in', text: 'race', status: 'received', created_at: '2026-05-01T10:00:00Z' }));
    ws.frame({ type: 'ack', client_id: frame.client_id, id: 'm-20' });
    expect($$('kefu-message-out')).toHaveLength(1);
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sent');
    expect(localStorage.getItem(`kefu.w.${CH}.pending`)).toBeNull();
  });

  it('refetches after a resync frame', async () => {
    const calls = mockFetch(
      liveRoutes({
        'GET /messages': (c) =>
          c.query.get('after') === 'm1'
            ? { status: 200, body: { conversation_id: 'conv-1', items: [agentMsg('m2', 'You missed me', '2026-05-01T10:02:00Z')] } }
            : { status: 200, body: { conversation_id: 'conv-1', items: [agentMsg('m1', 'First')] } },
      }),
    );
    await start().start();
    await flush();
    FakeWS.last().accept();
    await flush();
    FakeWS.last().frame({ type: 'resync' });
    await flush();
    expect(calls.some((c) => c.path === '/messages' && c.query.get('after') === 'm1')).toBe(true);
    $('kefu-launcher')!.click();
    expect($$('kefu-message-in').map((e) => e.textContent)).toEqual(['AgentFirst', 'AgentYou missed me']);
  });

  it('shows the place in the queue as it moves, and hides it when an agent answers', async () => {
    mockFetch(liveRoutes());
    await start().start();
    await flush();
    const ws = FakeWS.last();
    ws.accept();
    await flush();
    $('kefu-launcher')!.click();
    expect($('kefu-queue')!.hidden).toBe(true);
    ws.frame({ type: 'queue.position', conversation_id: 'conv-1', position: 3, wait_seconds: 0 });
    expect($('kefu-queue')!.hidden).toBe(false);
    expect($('kefu-queue')).toHaveTextContent('You are number 3 in the queue');
    ws.frame({ type: 'queue.position', conversation_id: 'conv-1', position: 1, wait_seconds: 90 });
    expect($('kefu-queue')).toHaveTextContent('You are number 1 in the queue (about 2 min)');
    ws.frame(event('message.created', agentMsg('m-30', 'Hi, I am Ada.')));
    expect($('kefu-queue')!.hidden).toBe(true);
  });

  it('falls back to polling every 3 s when the socket cannot connect, and sends by POST', async () => {
    FakeWS.refuse = true;
    const calls = mockFetch(
      liveRoutes({
        'GET /messages': (c) =>
          c.query.get('after') === 'm1'
            ? { status: 200, body: { conversation_id: 'conv-1', items: [agentMsg('m2', 'Still there?', '2026-05-01T10:01:00Z')] } }
            : c.query.has('after')
              ? { status: 200, body: { conversation_id: 'conv-1', items: [] } }
              : { status: 200, body: { conversation_id: 'conv-1', items: [agentMsg('m1', 'First')] } },
        'POST /messages': (c) => ({ status: 202, body: { id: 'm3', client_id: c.body.client_id, conversation_id: 'conv-1', duplicate: false } }),
        'POST /read': () => ({ status: 204 }),
      }),
    );
    await start().start();
    await flush();
    expect(FakeWS.all).toHaveLength(1);
    expect(widget!.transport.connected).toBe(false);

    await vi.advanceTimersByTimeAsync(3000);
    expect(widget!.transport.polling).toBe(true);
    expect(calls.filter((c) => c.path === '/messages' && c.query.get('after') === 'm1')).toHaveLength(1);
    $('kefu-launcher')!.click();
    expect($$('kefu-message-in').map((e) => e.textContent)).toEqual(['AgentFirst', 'AgentStill there?']);

    typeAndSend('by post');
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sending');
    await flush();
    const post = calls.find((c) => c.method === 'POST' && c.path === '/messages')!;
    expect(post.body).toEqual({ client_id: expect.any(String), text: 'by post' });
    expect(post.token).toBe('tok');
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sent');

    // Polling goes on (now after m2), and the socket is retried with backoff.
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.some((c) => c.path === '/messages' && c.query.get('after') === 'm2')).toBe(true);
    expect(FakeWS.all.length).toBeGreaterThan(1);

    // Once a socket opens, polling stops.
    FakeWS.refuse = false;
    await vi.advanceTimersByTimeAsync(30_000);
    FakeWS.last().accept();
    await flush();
    expect(widget!.transport.connected).toBe(true);
    const before = calls.length;
    await vi.advanceTimersByTimeAsync(9000);
    expect(calls.slice(before).filter((c) => c.path === '/messages' && c.query.has('after'))).toHaveLength(0);
  });

  it('keeps unsent messages across a reload and resends them with the same client_id', async () => {
    let online = false;
    const posts: any[] = [];
    mockFetch(
      liveRoutes({
        'POST /session': () => ({ status: 200, body: { visitor_id: VISITOR, token: 'tok', conversation_id: null } }),
        'GET /messages': () => ({ status: 200, body: { conversation_id: null, items: [] } }),
        'POST /messages': (c) => {
          posts.push(c.body);
          if (!online) throw new TypeError('Failed to fetch');
          return { status: 202, body: { id: 'm9', client_id: c.body.client_id, conversation_id: 'conv-1' } };
        },
      }),
    );
    FakeWS.refuse = true;
    await start().start();
    await flush();
    $('kefu-launcher')!.click();
    typeAndSend('do not lose me');
    await flush();
    const pending = JSON.parse(localStorage.getItem(`kefu.w.${CH}.pending`)!);
    expect(pending).toHaveLength(1);
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sending');

    // The page is reloaded before the network comes back.
    widget!.destroy();
    online = true;
    await start().start();
    await flush();
    expect($('kefu-message-out')).toHaveTextContent('do not lose me');
    expect(posts[posts.length - 1].client_id).toBe(pending[0].client_id);
    expect(new Set(posts.map((p) => p.client_id)).size).toBe(1);
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sent');
    expect(localStorage.getItem(`kefu.w.${CH}.pending`)).toBeNull();
  });

  it('does not duplicate a pending message the server already had (the resend is a duplicate)', async () => {
    localStorage.setItem(
      `kefu.w.${CH}.pending`,
      JSON.stringify([{ client_id: 'c-1', text: 'sent before the reload', attachments: [], created_at: '2026-05-01T10:00:00Z' }]),
    );
    const calls = mockFetch(
      liveRoutes({
        'GET /messages': () => ({
          status: 200,
          body: { conversation_id: 'conv-1', items: [{ id: 'm1', conversation_id: 'conv-1', direction: 'in', text: 'sent before the reload', status: 'received', created_at: '2026-05-01T10:00:01Z' }] },
        }),
        'POST /messages': (c) => ({ status: 202, body: { id: 'm1', client_id: c.body.client_id, conversation_id: 'conv-1', duplicate: true } }),
      }),
    );
    FakeWS.refuse = true;
    await start().start();
    await flush();
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/messages').map((c) => c.body.client_id)).toEqual(['c-1']);
    expect(localStorage.getItem(`kefu.w.${CH}.pending`)).toBeNull();
    $('kefu-launcher')!.click();
    expect($$('kefu-message-out')).toHaveLength(1);
    expect($('kefu-message-out')).toHaveAttribute('data-id', 'm1');
  });

  it('shows the leave-a-message form when no one is online, and sends it as a normal message', async () => {
    const calls = mockFetch(
      liveRoutes({
        'GET /config': () => ({ status: 200, body: { ...CONFIG, online: false, locale: 'zh-CN' } }),
        'POST /session': () => ({ status: 200, body: { visitor_id: VISITOR, token: 'tok', conversation_id: null } }),
        'GET /messages': () => ({ status: 200, body: { conversation_id: null, items: [] } }),
        'POST /messages': (c) => ({ status: 202, body: { id: 'm1', client_id: c.body.client_id, conversation_id: 'conv-9' } }),
      }),
    );
    await start().start();
    await flush();
    $('kefu-launcher')!.click();
    expect($('kefu-offline-form')).toBeVisible();
    expect($('kefu-input')!.closest('[hidden]')).not.toBeNull();
    expect($('kefu-launcher')).toHaveAttribute('aria-label', '打开在线客服');

    // Client-side validation first.
    const form = $('kefu-offline-form') as HTMLFormElement;
    ($('kefu-offline-email') as HTMLInputElement).value = 'not-an-email';
    form.requestSubmit();
    expect($('kefu-offline-name-error')).toHaveTextContent('请填写此项');
    expect($('kefu-offline-email-error')).toHaveTextContent('请输入有效的邮箱地址');
    expect($('kefu-offline-name')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.some((c) => c.method === 'POST' && c.path === '/messages')).toBe(false);

    ($('kefu-offline-name') as HTMLInputElement).value = 'Lei';
    ($('kefu-offline-email') as HTMLInputElement).value = 'lei@example.com';
    ($('kefu-offline-message') as HTMLTextAreaElement).value = 'Please call me back';
    form.requestSubmit();
    await flush();
    // Name and email travel with the message (HTTP only; the socket frame has no such fields).
    const post = calls.find((c) => c.method === 'POST' && c.path === '/messages')!;
    expect(post.body).toEqual({ client_id: expect.any(String), text: 'Please call me back', name: 'Lei', email: 'lei@example.com' });
    // Then the conversation view, with the offline banner and a notice.
    expect($('kefu-offline-form')!.hidden).toBe(true);
    expect($('kefu-message-out')).toHaveTextContent('Please call me back');
    expect($('kefu-offline-banner')).toBeVisible();
    expect($('kefu-notice')).toHaveTextContent('留言已收到');
  });

  it('offers the leave-a-message form when the session fails, and delivers it once the server is back', async () => {
    let up = false;
    const calls = mockFetch(
      liveRoutes({
        'POST /session': () =>
          up ? { status: 200, body: { visitor_id: VISITOR, token: 'tok', conversation_id: null } } : problem(503, 'channel.unavailable'),
        'GET /messages': () => ({ status: 200, body: { conversation_id: null, items: [] } }),
        'POST /messages': (c) => ({ status: 202, body: { id: 'm1', client_id: c.body.client_id, conversation_id: 'conv-1' } }),
      }),
    );
    await start().start();
    await flush();
    $('kefu-launcher')!.click();
    // Agents are online, but this visitor cannot reach them: the form, not the composer.
    expect($('kefu-offline-form')).toBeVisible();
    expect($('kefu-compose')!.hidden).toBe(true);

    ($('kefu-offline-name') as HTMLInputElement).value = 'Lei';
    ($('kefu-offline-email') as HTMLInputElement).value = 'lei@example.com';
    ($('kefu-offline-message') as HTMLTextAreaElement).value = 'Call me';
    ($('kefu-offline-form') as HTMLFormElement).requestSubmit();
    await flush();
    // Kept in localStorage, shown as sending, nothing posted without a session.
    expect(JSON.parse(localStorage.getItem(`kefu.w.${CH}.pending`)!)).toMatchObject([{ text: 'Call me', name: 'Lei', email: 'lei@example.com' }]);
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sending');
    expect($('kefu-notice')).toHaveTextContent('will be sent');
    expect(calls.some((c) => c.method === 'POST' && c.path === '/messages')).toBe(false);

    // The session retry succeeds: the message goes out with its name and email.
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    const post = calls.find((c) => c.method === 'POST' && c.path === '/messages')!;
    expect(post.body).toMatchObject({ text: 'Call me', name: 'Lei', email: 'lei@example.com' });
    expect($('kefu-message-out')).toHaveAttribute('data-state', 'sent');
    expect(localStorage.getItem(`kefu.w.${CH}.pending`)).toBeNull();
  });

  it('shows the launcher and the form even when the server cannot be reached at all', async () => {
    let up = false;
    mockFetch(
      liveRoutes({
        'GET /config': () => (up ? { status: 200, body: CONFIG } : problem(502, 'http.502')),
      }),
    );
    await start({ locale: 'en' }).start();
    await flush();
    $('kefu-launcher')!.click();
    expect($('kefu-offline-form')).toBeVisible();
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    expect($('kefu-compose')!.hidden).toBe(false);
    expect(widget!.view!.shadow.querySelector('h2')).toHaveTextContent('Acme Support');
  });

  it('puts 👍/👎 under the bot’s answers, posts the rating, and withdraws it on a second click', async () => {
    const botMsg = (id: string, text: string, at: string): ServerMessage => ({ ...agentMsg(id, text, at), sender_type: 'bot' });
    const ratings: { message_id: string; rating: number }[] = [];
    const calls = mockFetch(
      liveRoutes({
        'GET /messages': () => ({
          status: 200,
          body: { conversation_id: 'conv-1', items: [botMsg('b1', 'Returns take 7 days.', '2026-05-01T10:00:05Z'), agentMsg('a1', 'Hi, I am Ann', '2026-05-01T10:00:06Z'), botMsg('b2', 'Hello!', '2026-05-01T10:00:07Z')] },
        }),
        'POST /read': () => ({ status: 204 }),
        'POST /feedback': (c) => {
          ratings.push(c.body);
          // The greeting (b2) is not an answer: the server refuses to rate it.
          return c.body.message_id === 'b2' ? problem(409, 'bot.not-an-answer') : { status: 204 };
        },
      }),
    );
    await start().start();
    widget!.openPanel();
    await flush();
    const rows = $$('kefu-feedback');
    expect(rows).toHaveLength(2); // the two bot messages, not the agent's
    const first = $$('kefu-message-in')[0]!;
    const up = first.querySelector<HTMLButtonElement>('[data-testid="kefu-feedback-up"]')!;
    up.click();
    await flush();
    expect(ratings).toEqual([{ message_id: 'b1', rating: 1 }]);
    expect($$('kefu-message-in')[0]!.querySelector('[data-testid="kefu-feedback-up"]')).toHaveAttribute('aria-pressed', 'true');
    expect(calls.find((c) => c.path === '/feedback')!.token).toBe('tok');
    // Clicking the same again withdraws it (0); 👎 then rates -1.
    $$('kefu-message-in')[0]!.querySelector<HTMLButtonElement>('[data-testid="kefu-feedback-up"]')!.click();
    await flush();
    $$('kefu-message-in')[0]!.querySelector<HTMLButtonElement>('[data-testid="kefu-feedback-down"]')!.click();
    await flush();
    expect(ratings.slice(1)).toEqual([{ message_id: 'b1', rating: 0 }, { message_id: 'b1', rating: -1 }]);
    expect($$('kefu-message-in')[0]!.querySelector('[data-testid="kefu-feedback"]')).toHaveAttribute('data-rating', '-1');
    // A bot message the server will not rate loses its buttons.
    $$('kefu-message-in')[2]!.querySelector<HTMLButtonElement>('[data-testid="kefu-feedback-up"]')!.click();
    await flush();
    expect($$('kefu-message-in')[2]!.querySelector('[data-testid="kefu-feedback"]')).toBeNull();
    expect($$('kefu-feedback')).toHaveLength(1);
  });

  it('renders nothing for a channel that does not exist', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    mockFetch({ 'GET /config': () => problem(404, 'channel.not-found') });
    await start().start();
    expect(widget!.view).toBeNull();
    expect(document.querySelector('[data-kefu-widget]')).toBeNull();
  });

  it('uploads an attachment, sends it by id, and shows images with the visitor token', async () => {
    const calls = mockFetch(
      liveRoutes({
        'POST /attachments': () => ({ status: 201, body: { id: 'f-1', url: `/widget/${CH}/attachments/f-1`, name: 'cat.png', content_type: 'image/png', size: 3 } }),
        'POST /messages': (c) => ({ status: 202, body: { id: 'm1', client_id: c.body.client_id, conversation_id: 'conv-1' } }),
      }),
    );
    FakeWS.refuse = true;
    await start().start();
    await flush();
    $('kefu-launcher')!.click();
    await widget!.sendFiles([new File(['png'], 'cat.png', { type: 'image/png' })]);
    await flush();
    const upload = calls.find((c) => c.path === '/attachments')!;
    expect(upload.body).toBeInstanceOf(FormData);
    expect((upload.body as FormData).get('file')).toBeInstanceOf(File);
    expect(upload.token).toBe('tok');
    const post = calls.find((c) => c.method === 'POST' && c.path === '/messages')!;
    expect(post.body).toEqual({ client_id: expect.any(String), text: '', attachments: [{ id: 'f-1' }] });
    const img = $('kefu-message-out')!.querySelector('img')!;
    expect(img.getAttribute('src')).toBe(`${ORIGIN}/widget/${CH}/attachments/f-1?token=tok`);

    // An agent's file in a realtime event has no url: it is fetched by id.
    widget!['onFrame'](event('message.created', { ...agentMsg('m2', ''), attachments: [{ id: 'f-2', name: 'invoice.pdf', content_type: 'application/pdf', size: 9, url: '' }] }));
    const link = $('kefu-message-in')!.querySelector('a')!;
    expect(link.getAttribute('href')).toBe(`${ORIGIN}/widget/${CH}/attachments/f-2?token=tok`);
    expect(link).toHaveTextContent('invoice.pdf');

    // Too large: refused before any upload.
    const big = new File(['x'], 'big.pdf', { type: 'application/pdf' });
    Object.defineProperty(big, 'size', { value: 11 * 1024 * 1024 });
    await widget!.sendFiles([big]);
    expect($('kefu-notice')).toHaveTextContent('Files can be at most 10 MB');
    expect(calls.filter((c) => c.path === '/attachments')).toHaveLength(1);
  });

  it('asks for a sign-in when the channel requires an identity and none is given', async () => {
    const calls = mockFetch({ 'GET /config': () => ({ status: 200, body: { ...CONFIG, require_identity: true } }) });
    await start().start();
    $('kefu-launcher')!.click();
    expect($('kefu-blocked')).toHaveTextContent('Please sign in');
    expect(calls.some((c) => c.path === '/session')).toBe(false);
  });

  it('speaks the page’s data-locale, else the channel’s language, else the browser’s', async () => {
    mockFetch(liveRoutes());
    await start({ locale: 'zh-CN' }).start();
    expect($('kefu-launcher')).toHaveAttribute('aria-label', '打开在线客服');
    expect($('kefu-input')).toHaveAttribute('placeholder', '输入消息，Enter 发送');
    widget!.destroy();

    await start().start(); // CONFIG.locale is "en"
    expect($('kefu-launcher')).toHaveAttribute('aria-label', 'Open chat');
    widget!.destroy();

    mockFetch(liveRoutes({ 'GET /config': () => ({ status: 200, body: { ...CONFIG, locale: '' } }) }));
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('zh-TW');
    await start().start();
    expect($('kefu-launcher')).toHaveAttribute('aria-label', '打开在线客服');
  });
});
