// The realtime client against a fake WebSocket: frames reach subscribers, drops
// reconnect with backoff and end in a resync, close 4001 refreshes the token (through
// the API client's real refresh in the last test), a session that is over stops it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { __resetClientForTests, ApiError, REFRESH_KEY } from '../api/client';
import { json, mockApi } from '../test/utils';
import { __resetRealtimeForTests, RealtimeClient, sharedRealtime, type RealtimeFrame } from './realtime';

class FakeWS {
  static all: FakeWS[] = [];
  readonly sent: any[] = [];
  closedWith: number | null = null;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  send(d: string) {
    this.sent.push(JSON.parse(d));
  }
  close(code = 1000) {
    this.closedWith = code;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  frame(f: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(f) }));
  }
  drop(code: number) {
    this.onclose?.({ code } as CloseEvent);
  }
  static last() {
    return FakeWS.all[FakeWS.all.length - 1]!;
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

function makeClient(token: (force: boolean) => Promise<string | null>) {
  const frames: RealtimeFrame[] = [];
  const statuses: string[] = [];
  const c = new RealtimeClient({
    url: (t) => `ws://kefu.test/api/v1/realtime?access_token=${t}`,
    token,
    WebSocket: FakeWS as unknown as new (url: string) => WebSocket,
    random: () => 0.5, // no jitter: delays are exactly 1 s, 2 s, 4 s…
  });
  c.subscribe((f) => frames.push(f));
  c.onStatus((s) => statuses.push(s));
  return { c, frames, statuses };
}

const EVENT = {
  type: 'message.created',
  tenant_id: 't1',
  conversation_id: 'c1',
  message: { id: 'm1', conversation_id: 'c1', direction: 'in', text: 'hi', created_at: '2026-05-01T10:00:00Z' },
};

beforeEach(() => {
  vi.useFakeTimers();
  FakeWS.all = [];
});

afterEach(() => {
  __resetRealtimeForTests();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('realtime client', () => {
  it('connects with the access token, hands frames to subscribers and pings', async () => {
    const { c, frames, statuses } = makeClient(async () => 'tok-1');
    c.start();
    await flush();
    expect(FakeWS.all).toHaveLength(1);
    expect(FakeWS.last().url).toBe('ws://kefu.test/api/v1/realtime?access_token=tok-1');
    expect(c.status).toBe('connecting');

    FakeWS.last().open();
    FakeWS.last().frame({ type: 'ready', tenant_ids: ['t1', 't2'] });
    FakeWS.last().frame(EVENT);
    FakeWS.last().frame({ type: 'pong' });
    expect(c.status).toBe('open');
    expect(statuses).toEqual(['connecting', 'open']);
    expect(c.tenantIds).toEqual(['t1', 't2']);
    // Pongs are the client's business; no resync on a first connection.
    expect(frames.map((f) => f.type)).toEqual(['ready', 'message.created']);
    expect(frames[1]).toEqual(EVENT);

    await vi.advanceTimersByTimeAsync(25_000);
    expect(FakeWS.last().sent).toEqual([{ type: 'ping' }]);
  });

  it('reconnects with exponential backoff and asks subscribers to resync', async () => {
    const token = vi.fn(async () => 'tok');
    const { c, frames } = makeClient(token);
    c.start();
    await flush();
    FakeWS.last().open();
    FakeWS.last().frame({ type: 'ready', tenant_ids: ['t1'] });

    FakeWS.last().drop(1006);
    expect(c.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeWS.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWS.all).toHaveLength(2);

    // The next attempt fails before opening: twice the wait.
    FakeWS.last().drop(1006);
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeWS.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWS.all).toHaveLength(3);
    // Two sockets in a row never opened: maybe the token was refused at the upgrade.
    FakeWS.last().drop(1006);
    await vi.advanceTimersByTimeAsync(4000);
    expect(token).toHaveBeenLastCalledWith(true);
    expect(FakeWS.all).toHaveLength(4);

    FakeWS.last().open();
    FakeWS.last().frame({ type: 'ready', tenant_ids: ['t1'] });
    expect(c.status).toBe('open');
    // Events sent while we were away are lost: subscribers refetch.
    expect(frames.map((f) => f.type)).toEqual(['ready', 'ready', 'resync']);

    // Back to a 1 s wait after a successful connection.
    FakeWS.last().drop(1011);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWS.all).toHaveLength(5);
  });

  it('passes the server’s resync frame on', async () => {
    const { c, frames } = makeClient(async () => 'tok');
    c.start();
    await flush();
    FakeWS.last().open();
    FakeWS.last().frame({ type: 'resync' });
    expect(frames).toEqual([{ type: 'resync' }]);
  });

  it('on close 4001 refreshes the token and reconnects at once', async () => {
    let n = 1;
    const token = vi.fn(async (force: boolean) => (force ? `tok-${++n}` : `tok-${n}`));
    const { c } = makeClient(token);
    c.start();
    await flush();
    FakeWS.last().open();
    FakeWS.last().drop(4001);
    await flush();
    expect(token).toHaveBeenLastCalledWith(true);
    expect(FakeWS.all).toHaveLength(2);
    expect(FakeWS.last().url).toContain('access_token=tok-2');
    FakeWS.last().open();
    expect(c.status).toBe('open');
  });

  it('stops for good when the session is over', async () => {
    const token = vi.fn(async () => {
      throw new ApiError({ status: 401, code: 'auth.refresh-token-reused' });
    });
    const { c } = makeClient(token);
    c.start();
    await flush();
    expect(c.status).toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWS.all).toHaveLength(0);
    expect(token).toHaveBeenCalledTimes(1);
  });

  it('replaces a socket that went silent', async () => {
    const { c } = makeClient(async () => 'tok');
    c.start();
    await flush();
    const first = FakeWS.last();
    first.open();
    // Pings go out, nothing comes back: after 70 s of silence the socket is replaced.
    await vi.advanceTimersByTimeAsync(75_000);
    expect(first.closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWS.all).toHaveLength(2);
    expect(c.status).toBe('reconnecting');
  });

  it('closes when the last user leaves, not when a page hands over to the next', async () => {
    const { c } = makeClient(async () => 'tok');
    c.retain();
    await flush();
    FakeWS.last().open();
    c.release();
    c.retain(); // the next page subscribes right away (StrictMode does this too)
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeWS.all).toHaveLength(1);
    expect(FakeWS.last().closedWith).toBeNull();
    c.release();
    await vi.advanceTimersByTimeAsync(2000);
    expect(FakeWS.last().closedWith).toBe(1000);
    expect(c.status).toBe('idle');
  });
});

describe('the shared link with the API client', () => {
  it('takes its token from the session and refreshes it through /auth/refresh on 4001', async () => {
    __resetClientForTests();
    localStorage.setItem(REFRESH_KEY, 'refresh-0');
    const api = mockApi({
      'POST /api/v1/auth/refresh': [
        () => json(200, { access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'Bearer', expires_in: 900 }),
        () => json(200, { access_token: 'access-2', refresh_token: 'refresh-2', token_type: 'Bearer', expires_in: 900 }),
      ],
    });
    vi.stubGlobal('WebSocket', FakeWS);
    const c = sharedRealtime();
    c.retain();
    await flush();
    await flush();
    expect(FakeWS.all).toHaveLength(1);
    expect(FakeWS.last().url).toMatch(/^ws:\/\/[^/]+\/api\/v1\/realtime\?access_token=access-1$/);
    FakeWS.last().open();

    FakeWS.last().drop(4001);
    await flush();
    await flush();
    const refreshes = api.calls.filter((x) => x.path === '/api/v1/auth/refresh');
    expect(refreshes.map((x) => (x.body as { refresh_token: string }).refresh_token)).toEqual(['refresh-0', 'refresh-1']);
    expect(FakeWS.all).toHaveLength(2);
    expect(FakeWS.last().url).toMatch(/access_token=access-2$/);
    expect(localStorage.getItem(REFRESH_KEY)).toBe('refresh-2');
  });
});
