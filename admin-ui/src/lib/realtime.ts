// The console's realtime link: one WebSocket to /api/v1/realtime for the whole app,
// carrying conversation events of every tenant the agent belongs to.
//
// - The access token goes in the query (browsers cannot set headers on a WebSocket);
//   it is refreshed first when it is missing or about to expire.
// - Close code 4001 means the server found the token expired or revoked: refresh it
//   through the API client's single-flight refresh, then reconnect.
// - Anything else that drops the socket reconnects with exponential backoff and jitter
//   (1 s, 2 s, 4 s … 30 s); a socket that never opened twice in a row also refreshes the
//   token, since a rejected upgrade looks like any other failure to a browser.
// - {"type":"resync"} means the server dropped events for this socket; after a
//   reconnect events may have been missed too. Both reach subscribers as a resync
//   frame: refetch what is on screen.
// - A ping every 25 s; a socket silent for 70 s is considered dead and replaced.
import { useEffect, useRef, useState } from 'react';
import { API_BASE, freshAccessToken, getAccessToken, isApiError, onSessionEnded } from '../api/client';
import type { RealtimeEvent } from '../api/chat';
import type { AgentUpdatedFrame } from '../api/routing';
import type { MentionFrame } from '../api/workspace';

export const CLOSE_AUTH_EXPIRED = 4001;

export type RealtimeFrame =
  | RealtimeEvent
  | MentionFrame
  | AgentUpdatedFrame
  | { type: 'ready'; tenant_ids: string[] }
  | { type: 'resync' }
  | { type: 'pong' };

/** idle: nobody listens; connecting: first attempt; open; reconnecting: after a drop; closed: signed out. */
export type RealtimeStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

type WSCtor = new (url: string) => WebSocket;

export interface RealtimeOptions {
  /** The socket URL for a token. */
  url(token: string): string;
  /** A usable access token; force: the server refused the last one. null: signed out. */
  token(force: boolean): Promise<string | null>;
  WebSocket?: WSCtor;
  pingMs?: number;
  /** A socket that sent nothing (not even a pong) for this long is replaced. */
  idleMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** 0..1, for the jitter (tests pass a constant). */
  random?: () => number;
}

export class RealtimeClient {
  private ws: WebSocket | null = null;
  private running = false;
  private statusValue: RealtimeStatus = 'idle';
  private failures = 0;
  private neverOpened = 0;
  private forceRefresh = false;
  private connectedBefore = false;
  private lastFrameAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly listeners = new Set<(f: RealtimeFrame) => void>();
  private readonly statusListeners = new Set<(s: RealtimeStatus) => void>();
  private refs = 0;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every connect and stop: stale async work checks it. */
  private generation = 0;

  constructor(private readonly o: RealtimeOptions) {}

  get status(): RealtimeStatus {
    return this.statusValue;
  }

  /** Tenants the server subscribed this socket to (from the ready frame). */
  tenantIds: string[] = [];

  subscribe(fn: (f: RealtimeFrame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onStatus(fn: (s: RealtimeStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Counts a user of the link; the first one connects. */
  retain(): void {
    this.refs++;
    clearTimeout(this.stopTimer);
    this.start();
  }

  /** The last user gone, the socket closes (after a moment, so a page change keeps it). */
  release(delayMs = 2000): void {
    this.refs = Math.max(0, this.refs - 1);
    if (this.refs > 0) return;
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => {
      if (this.refs === 0) this.stop();
    }, delayMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    this.neverOpened = 0;
    void this.connect();
  }

  stop(status: RealtimeStatus = 'idle'): void {
    this.running = false;
    this.generation++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    this.connectedBefore = false;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    this.setStatus(status);
  }

  /** Reconnects now if a reconnect is waiting (the browser came back online). */
  nudge(): void {
    if (this.running && this.reconnectTimer !== undefined) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      void this.connect();
    }
  }

  send(frame: object): boolean {
    if (!this.ws || this.statusValue !== 'open') return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private setStatus(s: RealtimeStatus): void {
    if (s === this.statusValue) return;
    this.statusValue = s;
    for (const fn of [...this.statusListeners]) fn(s);
  }

  private emit(f: RealtimeFrame): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(f);
      } catch (e) {
        console.error('realtime listener failed', e);
      }
    }
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    this.setStatus(this.connectedBefore || this.failures > 0 ? 'reconnecting' : 'connecting');
    let token: string | null;
    try {
      token = await this.o.token(this.forceRefresh);
    } catch (e) {
      if (gen !== this.generation) return;
      if (isApiError(e) && e.status === 401) {
        // The session is over; the app goes back to the login page.
        this.stop('closed');
        return;
      }
      this.scheduleReconnect();
      return;
    }
    if (gen !== this.generation) return;
    this.forceRefresh = false;
    if (!token) {
      this.stop('closed');
      return;
    }
    const Ctor = this.o.WebSocket ?? (typeof WebSocket !== 'undefined' ? WebSocket : undefined);
    if (!Ctor) {
      this.stop('closed');
      return;
    }
    let ws: WebSocket;
    try {
      ws = new Ctor(this.o.url(token));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.failures = 0;
      this.neverOpened = 0;
      this.lastFrameAt = Date.now();
      this.setStatus('open');
      clearInterval(this.pingTimer);
      const pingMs = this.o.pingMs ?? 25_000;
      const idleMs = this.o.idleMs ?? 70_000;
      this.pingTimer = setInterval(() => {
        if (this.ws !== ws) return;
        if (Date.now() - this.lastFrameAt > idleMs) {
          // No pong, no event: the connection is dead without anyone telling us.
          try {
            ws.close(4000, 'idle');
          } catch {
            /* ignore */
          }
          this.dropped(ws, 4000, true);
          return;
        }
        this.send({ type: 'ping' });
      }, pingMs);
    };
    ws.onmessage = (e: MessageEvent) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = Date.now();
      if (typeof e.data !== 'string') return;
      let f: RealtimeFrame;
      try {
        f = JSON.parse(e.data) as RealtimeFrame;
      } catch {
        return;
      }
      if (!f || typeof f.type !== 'string' || f.type === 'pong') return;
      if (f.type === 'ready') {
        this.tenantIds = Array.isArray(f.tenant_ids) ? f.tenant_ids : [];
        const again = this.connectedBefore;
        this.connectedBefore = true;
        this.emit(f);
        // Whatever happened while we were away was not delivered: refetch.
        if (again) this.emit({ type: 'resync' });
        return;
      }
      this.emit(f);
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.dropped(ws, e.code, opened);
    };
  }

  private dropped(ws: WebSocket, code: number, opened: boolean): void {
    if (this.ws !== ws) return;
    detach(ws);
    this.ws = null;
    clearInterval(this.pingTimer);
    if (!this.running) return;
    if (code === CLOSE_AUTH_EXPIRED) {
      // The token expired or the session was revoked while connected: a fresh token,
      // then straight back (the refresh itself fails if the session is really over).
      this.forceRefresh = true;
      this.failures++;
      this.schedule(this.failures <= 1 ? 0 : this.backoff());
      return;
    }
    if (!opened && ++this.neverOpened >= 2) this.forceRefresh = true;
    this.scheduleReconnect();
  }

  private backoff(): number {
    const base = this.o.baseBackoffMs ?? 1000;
    const max = this.o.maxBackoffMs ?? 30_000;
    const raw = Math.min(max, base * 2 ** Math.max(0, this.failures - 1));
    const r = (this.o.random ?? Math.random)();
    return Math.round(raw * (0.8 + r * 0.4));
  }

  private scheduleReconnect(): void {
    this.failures++;
    this.schedule(this.backoff());
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.setStatus('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, ms);
  }
}

function detach(ws: WebSocket): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
}

/** The console's socket URL, on the page's own origin. */
export function realtimeURL(token: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${API_BASE}/realtime?access_token=${encodeURIComponent(token)}`;
}

// ---- the app's one shared link ------------------------------------------------------

let shared: RealtimeClient | null = null;

export function sharedRealtime(): RealtimeClient {
  if (!shared) {
    let used: string | null = null;
    const client = new RealtimeClient({
      url: realtimeURL,
      // On 4001 the token the socket was opened with is stale; the app may hold a
      // newer one already (it refreshes ahead of expiry): refresh only if it does not.
      token: async (force) => {
        const current = getAccessToken();
        used = await freshAccessToken(force && (!current || current === used));
        return used;
      },
    });
    shared = client;
    onSessionEnded(() => client.stop('closed'));
    if (typeof window !== 'undefined') window.addEventListener('online', () => client.nudge());
  }
  return shared;
}

/** Test helper: forgets the shared link (stopping it). */
export function __resetRealtimeForTests(): void {
  shared?.stop();
  shared = null;
}

/**
 * Subscribes a component to the realtime link for as long as it is mounted and
 * returns the link's status. handler may change between renders.
 */
export function useRealtime(handler: (f: RealtimeFrame) => void): RealtimeStatus {
  const ref = useRef(handler);
  ref.current = handler;
  const [status, setStatus] = useState<RealtimeStatus>(() => sharedRealtime().status);
  useEffect(() => {
    const c = sharedRealtime();
    const off = c.subscribe((f) => ref.current(f));
    const offStatus = c.onStatus(setStatus);
    c.retain();
    setStatus(c.status);
    return () => {
      off();
      offStatus();
      c.release();
    };
  }, []);
  return status;
}

/** Sends a frame on the shared link if it is open. */
export function sendRealtime(frame: object): boolean {
  return sharedRealtime().send(frame);
}
