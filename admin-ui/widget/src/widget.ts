// The widget controller: session, history, sending with guaranteed delivery, realtime
// with polling fallback, typing and read receipts, unread count, and the
// leave-a-message form when no agent is online or the server cannot be reached. See
// admin-ui/TESTING.md ("Chat widget") for the element test IDs.
//
// Delivery guarantee: every message the visitor writes is first stored in localStorage
// (Store.pending) under a client_id, then sent (over the socket or by POST). It leaves
// the store only when the server acknowledges it (ack frame, 202, or the message coming
// back with the id the ack named). After a reload, anything still pending is shown and
// resent with the same client_id; the server de-duplicates on it and answers with the
// id of the message it already has.
import { Api, HttpError, retryable, type OutgoingBody } from './api';
import { normalizeLocale, texts, type Locale, type Texts } from './i18n';
import { randomId, Store } from './storage';
import { CSS } from './styles';
import { Transport } from './transport';
import type { Attachment, Identity, Pending, ServerFrame, ServerMessage, Session, ViewMessage, WidgetConfig } from './types';
import { View, type Mode } from './view';

export interface WidgetOptions {
  channel: string;
  /** Origin of the kefu server (the script's own origin). */
  origin: string;
  locale?: string;
  identity?: Identity;
  container?: HTMLElement;
}

export const ACK_TIMEOUT_MS = 8000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOW_MS = 6000;
const MAX_FILE = 10 * 1024 * 1024;
const MAX_TEXT = 4000;

const backoff = (n: number) => Math.min(30_000, 1000 * 2 ** n);

export class Widget {
  readonly api: Api;
  readonly store: Store;
  readonly transport: Transport;
  config: WidgetConfig | null = null;
  session: Session | null = null;
  view: View | null = null;
  locale: Locale = 'en';
  t: Texts = texts('en');
  messages: ViewMessage[] = [];
  private open = false;
  private mode: Mode = 'chat';
  /** The server cannot be reached (config or session failed): offer the form, keep retrying. */
  private unavailable = false;
  private configRetry: ReturnType<typeof setTimeout> | undefined;
  private blockedText = '';
  private lastServerId = '';
  private lastServerAt = '';
  private historyLoaded = false;
  private inflight = new Map<string, ReturnType<typeof setTimeout> | 0>();
  private retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private attempts = new Map<string, number>();
  private lastTypingSent = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private sessionRetry: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<void> | null = null;
  private lastReadSent = '';
  private destroyed = false;

  constructor(readonly opts: WidgetOptions) {
    this.api = new Api(opts.origin, opts.channel);
    this.store = new Store(opts.channel);
    this.transport = new Transport({
      url: () => this.api.socketURL(),
      onFrame: (f) => this.onFrame(f),
      onUp: () => void this.onSocketUp(),
      onDown: () => {
        // Frames sent into a dying socket are lost: resend over HTTP.
        for (const [id, timer] of this.inflight) {
          if (timer) {
            clearTimeout(timer);
            this.inflight.delete(id);
          }
        }
        this.flush();
      },
      renew: () => this.renew(),
      poll: () => this.poll(),
    });
  }

  // ---- start-up ---------------------------------------------------------------------

  async start(): Promise<void> {
    let c: WidgetConfig;
    try {
      c = await this.api.config();
    } catch (e) {
      if (this.destroyed) return;
      if (!retryable(e)) {
        // No such web channel (or it is disabled): nothing to show.
        console.warn('[kefu] chat widget unavailable:', e instanceof Error ? e.message : e);
        return;
      }
      // The server cannot be reached: show the launcher anyway with the
      // leave-a-message form (kept in localStorage and sent later), and keep trying.
      this.unavailable = true;
      c = { name: '', online: false };
      this.retryConfig(0);
    }
    if (this.destroyed) return;
    this.config = c;
    this.locale = normalizeLocale(this.opts.locale) || normalizeLocale(c.locale) || normalizeLocale(navigator.language) || 'en';
    this.t = texts(this.locale);
    this.view = new View(
      this.t,
      (a) => this.api.fileURL(a),
      {
        toggle: () => (this.open ? this.close() : this.openPanel()),
        close: () => this.close(),
        send: (text) => this.send(text),
        files: (files) => void this.sendFiles(files),
        typing: () => this.typing(),
        offline: (v) => this.send(v.message, [], { name: v.name, email: v.email }),
        retry: (id) => this.retry(id),
        rate: (id, r) => void this.rate(id, r),
      },
      CSS,
      this.opts.container,
    );
    // Messages still pending from an earlier page: show them at once.
    for (const p of this.store.pending()) this.upsertLocal(p, 'sending');
    this.applyConfig();
    if (!this.unavailable) await this.begin();
    if (this.store.wasOpen()) this.openPanel(false);
  }

  /** Shows what the channel's configuration says (colour, name, presence). */
  private applyConfig(): void {
    const c = this.config;
    if (!this.view || !c) return;
    this.view.setColor(c.color);
    this.updateMode();
    this.view.setHeader(c.name, c.online && !this.unavailable);
    this.render();
  }

  /** After the configuration: a session, unless the channel wants a signed-in user. */
  private async begin(): Promise<void> {
    if (this.config?.require_identity && !this.opts.identity) {
      this.block(this.t.identityRequired);
      return;
    }
    await this.startSession();
  }

  private retryConfig(attempt: number): void {
    clearTimeout(this.configRetry);
    this.configRetry = setTimeout(async () => {
      try {
        const c = await this.api.config();
        if (this.destroyed) return;
        this.config = c;
        this.unavailable = false;
        this.applyConfig();
        await this.begin();
      } catch (e) {
        if (this.destroyed) return;
        if (retryable(e)) this.retryConfig(attempt + 1);
        else this.block(this.t.unavailable);
      }
    }, backoff(attempt));
  }

  private async startSession(attempt = 0): Promise<void> {
    clearTimeout(this.sessionRetry);
    let s: Session;
    try {
      s = await this.api.session({ visitor_id: this.store.visitorId(), ...(this.opts.identity ? { identity: this.opts.identity } : {}) });
    } catch (e) {
      if (this.destroyed) return;
      if (e instanceof HttpError && (e.status === 401 || e.status === 403 || e.status === 404)) {
        // Refused for good: no signed identity, a website the channel does not allow,
        // a channel that is gone. Messages could never be delivered.
        this.block(e.status === 401 ? this.t.identityRequired : this.t.unavailable);
        return;
      }
      // Unavailable (network, 5xx, the connector down): the visitor can still leave
      // a message; it waits in localStorage until a session comes.
      this.unavailable = true;
      this.updateMode();
      this.view?.setHeader(this.config?.name || '', false);
      this.sessionRetry = setTimeout(() => void this.startSession(attempt + 1), backoff(attempt));
      return;
    }
    if (this.destroyed) return;
    this.session = s;
    this.api.token = s.token;
    if (s.visitor_id) this.store.setVisitorId(s.visitor_id);
    if (this.mode === 'blocked') {
      this.blockedText = '';
      this.mode = 'chat';
    }
    if (this.unavailable) {
      this.unavailable = false;
      this.view?.setHeader(this.config?.name || '', !!this.config?.online);
    }
    if (s.conversation_id || this.store.pending().length || this.open) await this.goLive();
    this.flush();
    this.updateMode();
  }

  /** A fresh token after a 401 or an auth close of the socket (one at a time). */
  private renew(): Promise<void> {
    if (!this.renewing) {
      this.renewing = this.api
        .session({ visitor_id: this.store.visitorId(), ...(this.opts.identity ? { identity: this.opts.identity } : {}) })
        .then((s) => {
          this.session = s;
          this.api.token = s.token;
        })
        .finally(() => {
          this.renewing = null;
        });
    }
    return this.renewing;
  }

  /** Loads the history once and opens the realtime link. */
  private async goLive(): Promise<void> {
    if (!this.session) return;
    if (!this.historyLoaded) {
      try {
        const r = await this.api.messages();
        this.historyLoaded = true;
        if (r.conversation_id && this.session && !this.session.conversation_id) this.session.conversation_id = r.conversation_id;
        for (const m of r.items || []) this.ingest(m, false);
        this.render();
        this.markRead();
      } catch (e) {
        if (e instanceof HttpError && e.status === 401) await this.renew().catch(() => null);
        /* polling/the socket catch up later */
      }
    }
    this.transport.start();
  }

  private block(text: string): void {
    this.blockedText = text;
    this.mode = 'blocked';
    this.updateMode();
  }

  private updateMode(): void {
    if (!this.view || !this.config) return;
    const reachable = this.config.online && !this.unavailable;
    if (this.mode !== 'blocked') {
      const hasConversation = !!this.session?.conversation_id || this.messages.length > 0;
      this.mode = !reachable && !hasConversation ? 'form' : 'chat';
    }
    this.view.setMode(this.mode, this.blockedText, reachable);
  }

  // ---- panel ----------------------------------------------------------------------

  openPanel(focus = true): void {
    if (!this.view) return;
    this.open = true;
    this.store.setOpen(true);
    this.view.setOpen(true, focus);
    if (this.session) void this.goLive();
    this.markRead();
  }

  close(): void {
    if (!this.view) return;
    this.open = false;
    this.store.setOpen(false);
    this.view.setOpen(false);
  }

  // ---- incoming -------------------------------------------------------------------

  private onFrame(f: ServerFrame): void {
    switch (f.type) {
      case 'ack': {
        const a = f as { client_id: string; id: string; conversation_id?: string };
        this.noteConversation(a.conversation_id);
        this.acked(a.client_id, a.id);
        break;
      }
      case 'message.created':
      case 'message.updated':
      case 'message': {
        const m = (f as { message?: ServerMessage }).message;
        if (m) this.ingest(m, true);
        break;
      }
      case 'typing':
        if ((f as { from?: string }).from !== 'contact') this.showTyping();
        break;
      case 'queue.position': {
        const q = f as { position?: number; wait_seconds?: number };
        this.view?.setQueue(q.position || 0, q.wait_seconds || 0);
        break;
      }
      case 'read': {
        const r = f as { from?: string; message_id?: string };
        if (r.from !== 'contact' && r.message_id) this.readUpTo(r.message_id);
        break;
      }
      case 'resync':
        // The server dropped events for this socket: fetch what we missed.
        void this.poll().catch(() => null);
        break;
      case 'error': {
        const e = f as { client_id?: string; detail?: string };
        // A message the socket refused: let HTTP give the real answer.
        if (e.client_id && this.inflight.has(e.client_id)) {
          clearTimeout(this.inflight.get(e.client_id) || undefined);
          this.inflight.delete(e.client_id);
          const p = this.store.pending().find((x) => x.client_id === e.client_id);
          if (p) void this.deliverHTTP(p);
        }
        break;
      }
    }
  }

  private noteConversation(id: string | null | undefined): void {
    if (id && this.session && !this.session.conversation_id) this.session.conversation_id = id;
  }

  private async onSocketUp(): Promise<void> {
    // Catch up on anything missed while the socket was down, then send what waits.
    if (this.historyLoaded) await this.poll().catch(() => null);
    this.flush();
  }

  private async poll(): Promise<void> {
    if (!this.session) return;
    try {
      const r = await this.api.messages(this.lastServerId || undefined);
      if (!this.historyLoaded && !this.lastServerId) this.historyLoaded = true;
      this.noteConversation(r.conversation_id);
      for (const m of r.items || []) this.ingest(m, false);
      this.render();
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) await this.renew();
      throw e;
    }
  }

  /** Merges a server message: replaces our local copy (same client_id) or its earlier copy (same id). */
  private ingest(m: ServerMessage, live: boolean): void {
    if (!m || !m.id || m.type === 'system') return;
    const mine = m.direction === 'in';
    const i = this.messages.findIndex((x) => (x.id && x.id === m.id) || (!!m.client_id && x.client_id === m.client_id));
    const prev = i >= 0 ? this.messages[i] : undefined;
    const vm: ViewMessage = {
      id: m.id,
      client_id: m.client_id || prev?.client_id,
      mine,
      sender_type: m.sender_type,
      sender_name: m.sender_name,
      text: m.text || '',
      attachments: m.attachments || [],
      state: mine ? (m.status === 'read' || prev?.state === 'read' ? 'read' : 'sent') : 'received',
      created_at: m.created_at || prev?.created_at || new Date().toISOString(),
    };
    if (prev) this.messages[i] = { ...vm, rating: prev.rating };
    else this.insertServer(vm);
    if (m.client_id) this.settle(m.client_id);
    // The polling cursor only moves with what the server delivered (in order), never
    // with an ack: an agent message older than our ack may still be on its way.
    if (!this.lastServerAt || vm.created_at >= this.lastServerAt) {
      this.lastServerAt = vm.created_at;
      this.lastServerId = m.id;
    }
    if (!mine) this.view?.setTyping(false);
    // An agent answering means the wait is over.
    if (!mine && m.sender_type === 'agent') this.view?.setQueue(0, 0);
    this.noteConversation(m.conversation_id);
    if (live) {
      this.render();
      // The server only marks replies read once they are sent: a reply read while it
      // was still queued is read again when its delivery update arrives.
      this.markRead(!mine && (m.status === 'sent' || m.status === 'delivered'));
    }
    this.updateMode();
  }

  /**
   * Server messages go before our still-unacknowledged ones, in time order (compared
   * only with other server messages: the visitor's clock may be off). newest: a
   * message the server just accepted, which is after everything it sent so far.
   */
  private insertServer(vm: ViewMessage, newest = false): void {
    let at = this.messages.length;
    while (at > 0) {
      const prev = this.messages[at - 1]!;
      if (!prev.id || (!newest && prev.created_at > vm.created_at)) at--;
      else break;
    }
    this.messages.splice(at, 0, vm);
  }

  private readUpTo(messageId: string): void {
    const i = this.messages.findIndex((m) => m.id === messageId);
    if (i < 0) return;
    for (let j = 0; j <= i; j++) {
      const m = this.messages[j]!;
      if (m.mine && m.state === 'sent') this.messages[j] = { ...m, state: 'read' };
    }
    this.render();
  }

  private showTyping(): void {
    this.view?.setTyping(true);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.view?.setTyping(false), TYPING_SHOW_MS);
  }

  // ---- outgoing -------------------------------------------------------------------

  send(text: string, attachments: Attachment[] = [], extra: { name?: string; email?: string } = {}): void {
    if ([...text].length > MAX_TEXT) {
      this.view?.showNotice(this.t.tooLong, true);
      return;
    }
    const p: Pending = { client_id: randomId(12), text, attachments, created_at: new Date().toISOString(), ...extra };
    this.store.addPending(p);
    this.upsertLocal(p, 'sending');
    this.render();
    if (extra.email) this.view?.showNotice(this.session ? this.t.offlineDone : this.t.willSend, false, 8000);
    this.updateMode();
    if (this.session) {
      void this.goLive();
      this.deliver(p);
    }
  }

  private upsertLocal(p: Pending, state: ViewMessage['state'], error?: string): void {
    const vm: ViewMessage = { client_id: p.client_id, mine: true, text: p.text, attachments: p.attachments || [], state, error, created_at: p.created_at };
    const i = this.messages.findIndex((m) => m.client_id === p.client_id);
    if (i >= 0) this.messages[i] = { ...this.messages[i]!, state, error };
    else this.messages.push(vm);
  }

  /** Sends every pending message that is not on its way already. */
  flush(): void {
    if (!this.session) return;
    for (const p of this.store.pending()) this.deliver(p);
  }

  private deliver(p: Pending): void {
    if (this.inflight.has(p.client_id) || this.retryTimers.has(p.client_id) || !this.session) return;
    // The offline form's name and email only travel by HTTP.
    if (!p.name && !p.email) {
      const frame = { type: 'message', ...outgoing(p) };
      if (this.transport.send(frame)) {
        this.inflight.set(
          p.client_id,
          setTimeout(() => {
            // No ack in time: the same client_id over HTTP is harmless (de-duplicated).
            this.inflight.delete(p.client_id);
            void this.deliverHTTP(p);
          }, ACK_TIMEOUT_MS),
        );
        return;
      }
    }
    void this.deliverHTTP(p);
  }

  private async deliverHTTP(p: Pending): Promise<void> {
    if (this.inflight.has(p.client_id)) return;
    this.inflight.set(p.client_id, 0);
    try {
      const r = await this.api.send(outgoing(p));
      this.inflight.delete(p.client_id);
      this.noteConversation(r?.conversation_id);
      this.acked(p.client_id, r?.id);
    } catch (e) {
      this.inflight.delete(p.client_id);
      if (this.destroyed) return;
      if (e instanceof HttpError && e.status === 401) {
        await this.renew().catch(() => null);
        this.scheduleRetry(p, 500);
      } else if (retryable(e)) {
        const n = (this.attempts.get(p.client_id) ?? 0) + 1;
        this.attempts.set(p.client_id, n);
        this.scheduleRetry(p, backoff(n));
      } else {
        // Refused for good (too long, not allowed): say so; the visitor may retry.
        this.store.removePending(p.client_id);
        this.upsertLocal(p, 'failed', e instanceof Error ? e.message : '');
        this.render();
      }
    }
  }

  private scheduleRetry(p: Pending, ms: number): void {
    clearTimeout(this.retryTimers.get(p.client_id));
    this.retryTimers.set(
      p.client_id,
      setTimeout(() => {
        this.retryTimers.delete(p.client_id);
        if (this.store.pending().some((x) => x.client_id === p.client_id)) this.deliver(p);
      }, ms),
    );
  }

  private retry(clientId: string): void {
    const m = this.messages.find((x) => x.client_id === clientId);
    if (!m) return;
    const p: Pending = { client_id: clientId, text: m.text, attachments: m.attachments, created_at: m.created_at };
    this.store.addPending(p);
    this.upsertLocal(p, 'sending');
    this.render();
    this.deliver(p);
  }

  /** The server has the message: forget the pending copy. */
  private acked(clientId: string, id?: string): void {
    if (!clientId) return;
    this.settle(clientId);
    const i = this.messages.findIndex((m) => m.client_id === clientId);
    const echo = id ? this.messages.findIndex((m, j) => j !== i && m.id === id) : -1;
    if (i >= 0 && echo >= 0) {
      // The server's copy (realtime echo, history) arrived before the ack: keep it.
      this.messages[echo] = { ...this.messages[echo]!, client_id: clientId };
      this.messages.splice(i, 1);
    } else if (i >= 0) {
      const m = this.messages[i]!;
      const vm: ViewMessage = { ...m, id: m.id || id, state: m.state === 'read' ? 'read' : 'sent', error: undefined };
      this.messages.splice(i, 1);
      // An acknowledged message is a server message now: it goes after the others.
      if (!m.id && id) this.insertServer(vm, true);
      else this.messages.splice(i, 0, vm);
    }
    this.render();
  }

  private settle(clientId: string): void {
    const timer = this.inflight.get(clientId);
    if (timer) clearTimeout(timer);
    this.inflight.delete(clientId);
    clearTimeout(this.retryTimers.get(clientId));
    this.retryTimers.delete(clientId);
    this.attempts.delete(clientId);
    this.store.removePending(clientId);
  }

  async sendFiles(files: File[]): Promise<void> {
    if (!this.session) return;
    for (const f of files) {
      if (f.size > MAX_FILE) {
        this.view?.showNotice(this.t.tooLarge, true);
        continue;
      }
      this.view?.showNotice(this.t.uploading.replace('{name}', f.name), false, 0);
      try {
        let att: Attachment;
        try {
          att = await this.api.upload(f);
        } catch (e) {
          if (!(e instanceof HttpError && e.status === 401)) throw e;
          await this.renew();
          att = await this.api.upload(f);
        }
        this.view?.showNotice('');
        this.send('', [{ id: att.id, name: att.name || f.name, content_type: att.content_type || f.type, size: att.size ?? f.size, url: att.url }]);
      } catch {
        this.view?.showNotice(this.t.uploadFailed, true);
      }
    }
  }

  /** Rates a bot answer; the same rating again withdraws it. */
  async rate(id: string, rating: number): Promise<void> {
    const i = this.messages.findIndex((m) => m.id === id);
    const m = this.messages[i];
    if (!m || !this.session) return;
    const prev = m.rating || 0;
    const next = prev === rating ? 0 : rating;
    const set = (r: number | null) => {
      const j = this.messages.findIndex((x) => x.id === id);
      if (j >= 0) this.messages[j] = { ...this.messages[j]!, rating: r };
      this.render();
    };
    set(next);
    try {
      await this.api.feedback(id, next);
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) {
        await this.renew().catch(() => null);
        return this.api.feedback(id, next).catch(() => set(prev));
      }
      // Not an answer (a greeting, a suggestion, a hand-off): it cannot be rated.
      if (e instanceof HttpError && (e.status === 404 || e.status === 409)) set(null);
      else set(prev);
    }
  }

  private typing(): void {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_EVERY_MS || !this.session) return;
    if (!this.session.conversation_id && !this.messages.some((m) => m.id)) return;
    this.lastTypingSent = now;
    if (!this.transport.send({ type: 'typing' })) this.api.typing().catch(() => null);
  }

  // ---- read state and unread count -------------------------------------------------

  private markRead(again = false): void {
    const latest = [...this.messages].reverse().find((m) => !m.mine && m.id);
    if (!latest) return this.updateUnread();
    const visible = this.open && (typeof document === 'undefined' || document.visibilityState !== 'hidden');
    if (visible && (again || latest.id !== this.lastReadSent)) {
      this.lastReadSent = latest.id!;
      if (latest.created_at > this.store.lastRead()) this.store.setLastRead(latest.created_at);
      if (!this.transport.send({ type: 'read', message_id: latest.id })) this.api.read(latest.id!).catch(() => null);
    }
    this.updateUnread();
  }

  private updateUnread(): void {
    const since = this.store.lastRead();
    const n = this.open ? 0 : this.messages.filter((m) => !m.mine && m.id && m.created_at > since).length;
    this.view?.setUnread(n);
  }

  private render(): void {
    this.view?.render(this.messages, this.config?.welcome_message || '');
    this.updateUnread();
  }

  /** Called when the page becomes visible again: read what arrived meanwhile. */
  onVisible(): void {
    this.markRead();
  }

  destroy(): void {
    this.destroyed = true;
    this.transport.stop();
    clearTimeout(this.sessionRetry);
    clearTimeout(this.configRetry);
    clearTimeout(this.typingTimer);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    for (const t of this.inflight.values()) if (t) clearTimeout(t);
    this.view?.destroy();
  }
}

/** The wire form of a pending message: uploaded files by id, the offline form's fields. */
function outgoing(p: Pending): OutgoingBody {
  const ids = (p.attachments || []).filter((a) => a.id).map((a) => ({ id: a.id! }));
  return {
    client_id: p.client_id,
    text: p.text,
    ...(ids.length ? { attachments: ids } : {}),
    ...(p.name ? { name: p.name } : {}),
    ...(p.email ? { email: p.email } : {}),
  };
}
