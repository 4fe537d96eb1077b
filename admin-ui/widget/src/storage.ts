// localStorage that never throws (private mode, storage disabled, sandboxed iframes):
// the widget still works, it just forgets across reloads.
import type { Pending } from './types';

function ls(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function get(key: string): string | null {
  try {
    return ls()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function set(key: string, value: string | null): void {
  try {
    if (value === null) ls()?.removeItem(key);
    else ls()?.setItem(key, value);
  } catch {
    /* quota or disabled: not remembered */
  }
}

const VISITOR_RE = /^v_[A-Za-z0-9_-]{16,64}$/;

/** A crypto-random, URL-safe id with the given number of random bytes. */
export function randomId(bytes = 16): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Per-channel persistent state of one visitor on this browser. */
export class Store {
  private readonly prefix: string;

  constructor(channel: string) {
    this.prefix = `kefu.w.${channel}.`;
  }

  /** The stable anonymous visitor id, created on first use. */
  visitorId(): string {
    const v = get(this.prefix + 'visitor');
    if (v && VISITOR_RE.test(v)) return v;
    const id = 'v_' + randomId(16);
    set(this.prefix + 'visitor', id);
    return id;
  }

  setVisitorId(id: string): void {
    if (VISITOR_RE.test(id)) set(this.prefix + 'visitor', id);
  }

  pending(): Pending[] {
    try {
      const v = JSON.parse(get(this.prefix + 'pending') || '[]') as unknown;
      return Array.isArray(v) ? (v as Pending[]).filter((p) => p && typeof p.client_id === 'string') : [];
    } catch {
      return [];
    }
  }

  private savePending(list: Pending[]): void {
    set(this.prefix + 'pending', list.length ? JSON.stringify(list) : null);
  }

  addPending(p: Pending): void {
    const list = this.pending().filter((x) => x.client_id !== p.client_id);
    list.push(p);
    this.savePending(list);
  }

  removePending(clientId: string): void {
    const list = this.pending();
    const next = list.filter((x) => x.client_id !== clientId);
    if (next.length !== list.length) this.savePending(next);
  }

  /** created_at of the newest agent message the visitor has seen. */
  lastRead(): string {
    return get(this.prefix + 'read') || '';
  }

  setLastRead(at: string): void {
    set(this.prefix + 'read', at);
  }

  wasOpen(): boolean {
    return get(this.prefix + 'open') === '1';
  }

  setOpen(open: boolean): void {
    set(this.prefix + 'open', open ? '1' : null);
  }
}
