// The widget's DOM, built inside a shadow root. The view knows nothing about the
// network: the controller (widget.ts) feeds it state and gets user actions back.
import { fmt, type Texts } from './i18n';
import type { Attachment, ViewMessage } from './types';

export interface ViewHandlers {
  toggle(): void;
  close(): void;
  send(text: string): void;
  files(files: File[]): void;
  typing(): void;
  offline(v: { name: string; email: string; message: string }): void;
  retry(clientId: string): void;
  /** A 👍 (1) or 👎 (-1) on a bot answer; the same again withdraws it. */
  rate(messageId: string, rating: number): void;
}

export type Mode = 'chat' | 'form' | 'blocked';

type Attrs = Record<string, string | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids) el.append(c);
  return el;
}

const ICON_CHAT =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3C6.5 3 2 6.9 2 11.7c0 2.6 1.3 4.9 3.4 6.5L4.6 22l4.2-2.2c1 .3 2.1.4 3.2.4 5.5 0 10-3.9 10-8.6S17.5 3 12 3z"/></svg>';
const ICON_CLIP =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z"/></svg>';
const ICON_SEND = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z"/></svg>';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isImage(a: Attachment): boolean {
  return /^image\//i.test(a.content_type || '');
}

export class View {
  readonly host: HTMLElement;
  readonly shadow: ShadowRoot;
  private readonly root: HTMLDivElement;
  readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  readonly panel: HTMLDivElement;
  private readonly title: HTMLHeadingElement;
  private readonly presence: HTMLElement;
  private readonly banner: HTMLDivElement;
  private readonly log: HTMLDivElement;
  private readonly typingEl: HTMLDivElement;
  private readonly queueEl: HTMLDivElement;
  private readonly notice: HTMLDivElement;
  private readonly compose: HTMLFormElement;
  readonly input: HTMLTextAreaElement;
  private readonly file: HTMLInputElement;
  private readonly form: HTMLFormElement;
  private readonly blocked: HTMLDivElement;
  private readonly rendered = new Map<string, { el: HTMLElement; sig: string }>();
  private welcomeEl: HTMLElement | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private mode: Mode = 'chat';

  constructor(
    private readonly t: Texts,
    private readonly fileURL: (a: Attachment) => string,
    private readonly on: ViewHandlers,
    css: string,
    container: HTMLElement = document.body,
  ) {
    this.host = h('div', { 'data-kefu-widget': '' });
    this.shadow = this.host.attachShadow({ mode: 'open' });
    this.adoptCSS(css);

    this.title = h('h2', { id: 'kefu-title' }, t.title);
    this.presence = h('small');
    this.title.append(this.presence);
    const close = h('button', { type: 'button', class: 'x', 'aria-label': t.close, 'data-testid': 'kefu-close' }, '×');
    close.addEventListener('click', () => on.close());

    this.banner = h('div', { class: 'banner', 'data-testid': 'kefu-offline-banner', hidden: true }, t.offlineBanner);
    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t.log, 'data-testid': 'kefu-log', tabindex: '0' });
    this.typingEl = h('div', { class: 'typing', 'data-testid': 'kefu-typing', hidden: true, 'aria-live': 'polite' }, t.typing);
    this.queueEl = h('div', { class: 'queue', role: 'status', 'data-testid': 'kefu-queue', hidden: true });
    this.notice = h('div', { class: 'note', role: 'status', 'data-testid': 'kefu-notice', hidden: true });

    // Composer.
    this.file = h('input', { type: 'file', hidden: true, multiple: true, 'data-testid': 'kefu-file', tabindex: '-1', accept: 'image/*,.pdf,.txt,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.csv' });
    const attach = h('button', { type: 'button', class: 'icon', 'aria-label': t.attach, title: t.attach, 'data-testid': 'kefu-attach' });
    attach.innerHTML = ICON_CLIP;
    attach.addEventListener('click', () => this.file.click());
    this.file.addEventListener('change', () => {
      const files = Array.from(this.file.files || []);
      this.file.value = '';
      if (files.length) on.files(files);
    });
    this.input = h('textarea', { rows: '1', placeholder: t.placeholder, 'aria-label': t.placeholder, 'data-testid': 'kefu-input', maxlength: '4000' });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submitText();
      }
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      if (this.input.value.trim()) on.typing();
    });
    const send = h('button', { type: 'submit', class: 'icon sendb', 'aria-label': t.send, title: t.send, 'data-testid': 'kefu-send' });
    send.innerHTML = ICON_SEND;
    this.compose = h('form', { class: 'compose', 'data-testid': 'kefu-compose' }, attach, this.file, this.input, send);
    this.compose.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitText();
    });

    this.form = this.buildOfflineForm();
    this.blocked = h('div', { class: 'blocked', 'data-testid': 'kefu-blocked', hidden: true });

    this.panel = h(
      'div',
      { class: 'panel', id: 'kefu-panel', role: 'dialog', 'aria-labelledby': 'kefu-title', 'data-testid': 'kefu-panel', hidden: true },
      h('div', { class: 'head' }, this.title, close),
      this.banner,
      this.queueEl,
      this.log,
      this.typingEl,
      this.notice,
      this.compose,
      this.form,
      this.blocked,
    );
    this.panel.addEventListener('keydown', (e) => this.trapKeys(e));

    this.badge = h('span', { class: 'badge', 'data-testid': 'kefu-unread', hidden: true, 'aria-hidden': 'true' });
    this.launcher = h('button', {
      type: 'button',
      class: 'launcher',
      'aria-label': t.open,
      'aria-expanded': 'false',
      'aria-controls': 'kefu-panel',
      'aria-haspopup': 'dialog',
      'data-testid': 'kefu-launcher',
    });
    this.launcher.innerHTML = ICON_CHAT;
    this.launcher.append(this.badge);
    this.launcher.addEventListener('click', () => on.toggle());

    this.root = h('div', { class: 'root' }, this.panel, this.launcher);
    this.shadow.append(this.root);
    container.append(this.host);
  }

  private adoptCSS(css: string): void {
    // Constructable sheets are not subject to the host page's style-src CSP.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      this.shadow.adoptedStyleSheets = [sheet];
      return;
    } catch {
      /* older browsers and jsdom: a <style> element */
    }
    this.shadow.append(h('style', {}, css));
  }

  private buildOfflineForm(): HTMLFormElement {
    const t = this.t;
    const field = (name: string, label: string, el: HTMLInputElement | HTMLTextAreaElement) => {
      el.setAttribute('name', name);
      el.setAttribute('data-testid', `kefu-offline-${name}`);
      const err = h('span', { class: 'e', 'data-testid': `kefu-offline-${name}-error`, id: `kefu-e-${name}` });
      el.setAttribute('aria-describedby', err.id);
      return h('label', {}, label, el, err);
    };
    const name = h('input', { type: 'text', autocomplete: 'name', maxlength: '100' });
    const email = h('input', { type: 'email', autocomplete: 'email', maxlength: '255' });
    const message = h('textarea', { rows: '4', maxlength: '4000' });
    const form = h(
      'form',
      { class: 'form', 'data-testid': 'kefu-offline-form', novalidate: true, hidden: true },
      h('p', {}, t.offlineTitle),
      field('name', t.name, name),
      field('email', t.email, email),
      field('message', t.message, message),
      h('button', { type: 'submit', 'data-testid': 'kefu-offline-submit' }, t.submit),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = { name: name.value.trim(), email: email.value.trim(), message: message.value.trim() };
      const errors: [HTMLInputElement | HTMLTextAreaElement, string][] = [
        [name, v.name ? '' : t.required],
        [email, !v.email ? t.required : EMAIL_RE.test(v.email) ? '' : t.invalidEmail],
        [message, v.message ? '' : t.required],
      ];
      let first: HTMLElement | null = null;
      for (const [el, msg] of errors) {
        el.setAttribute('aria-invalid', msg ? 'true' : 'false');
        const errEl = form.querySelector<HTMLElement>(`#kefu-e-${el.getAttribute('name')}`);
        if (errEl) errEl.textContent = msg;
        if (msg && !first) first = el;
      }
      if (first) {
        first.focus();
        return;
      }
      this.on.offline(v);
      name.value = '';
      email.value = '';
      message.value = '';
    });
    return form;
  }

  private submitText(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.on.send(text);
    this.input.value = '';
    this.autosize();
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    if (this.input.scrollHeight) this.input.style.height = `${Math.min(120, this.input.scrollHeight + 2)}px`;
  }

  private focusables(): HTMLElement[] {
    return Array.from(this.panel.querySelectorAll<HTMLElement>('button, textarea, input:not([type=file]), a[href], [tabindex="0"]')).filter(
      (el) => !el.closest('[hidden]') && !(el as HTMLButtonElement).disabled,
    );
  }

  private trapKeys(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.on.close();
      return;
    }
    if (e.key !== 'Tab') return;
    const f = this.focusables();
    if (!f.length) return;
    const active = this.shadow.activeElement;
    const first = f[0]!;
    const last = f[f.length - 1]!;
    if (e.shiftKey && (active === first || !active || !this.panel.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  }

  // ---- state from the controller ------------------------------------------------

  setColor(color: string | undefined): void {
    if (color && /^#[0-9a-fA-F]{6}$/.test(color)) this.host.style.setProperty('--kc', color);
  }

  setHeader(name: string, online: boolean): void {
    this.title.firstChild!.textContent = name || this.t.title;
    this.presence.textContent = online ? this.t.online : this.t.offline;
    this.banner.hidden = online || this.mode !== 'chat';
  }

  setOpen(open: boolean, focus = true): void {
    this.panel.hidden = !open;
    this.root.classList.toggle('open', open);
    this.launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      this.scrollToEnd();
      if (focus) this.focusFirst();
    } else if (focus) {
      this.launcher.focus();
    }
  }

  private focusFirst(): void {
    const target =
      this.mode === 'chat' ? this.input : this.mode === 'form' ? this.form.querySelector<HTMLElement>('input') : this.panel.querySelector<HTMLElement>('.x');
    target?.focus();
  }

  setMode(mode: Mode, blockedText = '', online = true): void {
    const focusMoved = this.mode !== mode && !this.panel.hidden;
    this.mode = mode;
    const chat = mode === 'chat';
    this.log.hidden = !chat;
    this.compose.hidden = !chat;
    this.form.hidden = mode !== 'form';
    this.blocked.hidden = mode !== 'blocked';
    this.blocked.textContent = blockedText;
    this.banner.hidden = !chat || online;
    if (!chat) this.typingEl.hidden = true;
    if (focusMoved) this.focusFirst();
  }

  setTyping(on: boolean): void {
    this.typingEl.hidden = !on || this.mode !== 'chat';
  }

  // setQueue shows the visitor's place in the queue (0 hides it) and the estimated
  // wait in seconds (0: no estimate).
  setQueue(position: number, waitSeconds: number): void {
    this.queueEl.hidden = position <= 0;
    this.queueEl.dataset.position = String(Math.max(position, 0));
    if (position <= 0) return;
    const text = fmt(this.t.queuePosition, { n: position });
    const mins = Math.ceil(waitSeconds / 60);
    this.queueEl.textContent = waitSeconds > 0 ? text + fmt(this.t.queueWait, { m: mins }) : text;
  }

  setUnread(n: number): void {
    this.badge.hidden = n <= 0;
    this.badge.textContent = n > 99 ? '99+' : String(n);
    this.launcher.setAttribute('aria-label', n > 0 ? fmt(this.t.openUnread, { n }) : this.t.open);
  }

  showNotice(text: string, error = false, ms = 5000): void {
    clearTimeout(this.noticeTimer);
    this.notice.textContent = text;
    this.notice.classList.toggle('err', error);
    this.notice.hidden = !text;
    if (text && ms > 0) this.noticeTimer = setTimeout(() => (this.notice.hidden = true), ms);
  }

  private nearBottom(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Renders the conversation, reusing the elements of unchanged messages. */
  render(list: ViewMessage[], welcome: string): void {
    const stick = this.nearBottom();
    const want: HTMLElement[] = [];
    if (welcome) {
      if (!this.welcomeEl || this.welcomeEl.dataset.text !== welcome) {
        this.welcomeEl = h('div', { class: 'msg welcome', 'data-testid': 'kefu-welcome' }, h('div', { class: 'bubble' }, welcome));
        this.welcomeEl.dataset.text = welcome;
      }
      want.push(this.welcomeEl);
    }
    let lastMine = -1;
    list.forEach((m, i) => {
      if (m.mine) lastMine = i;
    });
    const seen = new Set<string>();
    list.forEach((m, i) => {
      const key = m.client_id ? `c:${m.client_id}` : `i:${m.id}`;
      seen.add(key);
      const showStatus = m.mine && (i === lastMine || m.state === 'failed');
      const sig = JSON.stringify([m.id, m.text, m.state, m.error, m.attachments, m.sender_name, showStatus, m.rating]);
      let r = this.rendered.get(key);
      if (!r || r.sig !== sig) {
        const el = this.messageEl(m, showStatus);
        if (r) r.el.replaceWith(el);
        r = { el, sig };
        this.rendered.set(key, r);
      }
      want.push(r.el);
    });
    for (const [k, r] of this.rendered) {
      if (!seen.has(k)) {
        r.el.remove();
        this.rendered.delete(k);
      }
    }
    want.forEach((el, i) => {
      if (this.log.children[i] !== el) this.log.insertBefore(el, this.log.children[i] ?? null);
    });
    while (this.log.children.length > want.length) this.log.lastElementChild!.remove();
    if (stick) this.scrollToEnd();
  }

  private messageEl(m: ViewMessage, showStatus: boolean): HTMLElement {
    const t = this.t;
    const bubble = h('div', { class: 'bubble' });
    if (m.text) bubble.append(m.text);
    for (const a of m.attachments) {
      const url = this.fileURL(a);
      const link = h('a', { href: url || undefined, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'kefu-attachment' });
      if (isImage(a) && url) link.append(h('img', { src: url, alt: a.name, loading: 'lazy' }));
      else link.append(`${t.file}: ${a.name}`);
      bubble.append(link);
    }
    const el = h('div', {
      class: `msg${m.mine ? ' me' : ''}${m.state === 'failed' ? ' failed' : ''}`,
      'data-testid': m.mine ? 'kefu-message-out' : 'kefu-message-in',
      'data-state': m.state,
    });
    if (m.id) el.dataset.id = m.id;
    if (m.client_id) el.dataset.clientId = m.client_id;
    if (!m.mine) {
      const who = m.sender_name || (m.sender_type === 'bot' ? t.bot : t.agent);
      el.append(h('div', { class: 'who' }, who));
    }
    el.append(bubble);
    // The bot's answers can be rated (the server refuses other bot messages: the row goes).
    if (!m.mine && m.sender_type === 'bot' && m.id && m.rating !== null) el.append(this.feedbackEl(m.id, m.rating || 0));
    if (m.mine) {
      const label = { sending: t.sending, sent: t.sent, read: t.read, failed: t.failed, received: t.sent }[m.state];
      const st = h('div', { class: `st ${m.state}`, 'data-testid': 'kefu-status', 'data-state': m.state, hidden: !showStatus }, label);
      if (m.state === 'failed') {
        if (m.error) st.append(` (${m.error})`);
        const retry = h('button', { type: 'button', 'data-testid': 'kefu-retry' }, t.retry);
        retry.addEventListener('click', () => m.client_id && this.on.retry(m.client_id));
        st.append(retry);
      }
      el.append(st);
    }
    return el;
  }

  private feedbackEl(id: string, rating: number): HTMLElement {
    const t = this.t;
    const row = h('div', { class: 'fb', 'data-testid': 'kefu-feedback', 'data-rating': String(rating) });
    for (const [v, icon, label, testId] of [
      [1, '\u{1F44D}', t.helpful, 'kefu-feedback-up'],
      [-1, '\u{1F44E}', t.notHelpful, 'kefu-feedback-down'],
    ] as const) {
      const b = h('button', { type: 'button', 'aria-label': label, title: label, 'aria-pressed': String(rating === v), 'data-testid': testId }, icon);
      b.addEventListener('click', () => this.on.rate(id, v));
      row.append(b);
    }
    if (rating) row.append(h('span', {}, t.thanks));
    return row;
  }

  destroy(): void {
    this.host.remove();
  }
}
