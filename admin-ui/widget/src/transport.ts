// The realtime link: a WebSocket with reconnect and exponential backoff. While the
// socket is down (or WebSockets do not work at all here) the widget polls every 3 s,
// so nothing is missed; polling stops as soon as the socket is back.
import type { ServerFrame } from './types';

export const POLL_MS = 3000;
const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;
/** Close codes the gateway uses for "the token is no longer valid". */
const AUTH_CLOSE = new Set([4001, 4401, 4403]);

export interface TransportHooks {
  url(): string;
  onFrame(f: ServerFrame): void;
  /** The socket is open (first time or after a reconnect). */
  onUp(): void;
  /** The socket dropped or could not open. */
  onDown(): void;
  /** The server closed the socket because the token expired: get a new one. */
  renew(): Promise<void>;
  /** One polling round (fetch what is new). */
  poll(): Promise<void>;
}

export class Transport {
  private ws: WebSocket | null = null;
  private open = false;
  private stopped = true;
  private failures = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly hooks: TransportHooks) {}

  get started(): boolean {
    return !this.stopped;
  }

  get connected(): boolean {
    return this.open;
  }

  get polling(): boolean {
    return this.pollTimer !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pollTimer);
    clearInterval(this.pingTimer);
    this.pollTimer = undefined;
    const ws = this.ws;
    this.ws = null;
    this.open = false;
    try {
      ws?.close();
    } catch {
      /* already closed */
    }
  }

  /** Sends a frame if the socket is open; false means "use HTTP instead". */
  send(frame: object): boolean {
    if (!this.open || !this.ws) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  private connect(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    if (typeof WebSocket === 'undefined') {
      this.startPolling();
      return;
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.hooks.url());
    } catch {
      this.fail();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.open = true;
      this.failures = 0;
      this.stopPolling();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
      this.hooks.onUp();
    };
    ws.onmessage = (e: MessageEvent) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      let f: ServerFrame;
      try {
        f = JSON.parse(e.data) as ServerFrame;
      } catch {
        return;
      }
      if (f && typeof f.type === 'string') this.hooks.onFrame(f);
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.open = false;
      clearInterval(this.pingTimer);
      if (this.stopped) return;
      if (AUTH_CLOSE.has(e.code)) {
        this.hooks.onDown();
        this.startPolling();
        this.hooks.renew().then(
          () => this.connect(),
          () => this.fail(),
        );
        return;
      }
      this.fail();
    };
  }

  private fail(): void {
    if (this.stopped) return;
    this.failures += 1;
    this.hooks.onDown();
    this.startPolling();
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined || this.stopped) return;
    const tick = async () => {
      try {
        await this.hooks.poll();
      } catch {
        /* the next round tries again */
      }
      if (this.pollTimer === undefined) return; // stopped meanwhile
      if (this.stopped || this.open) {
        this.pollTimer = undefined;
        return;
      }
      this.pollTimer = setTimeout(tick, POLL_MS);
    };
    this.pollTimer = setTimeout(tick, POLL_MS);
  }

  private stopPolling(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }
}
