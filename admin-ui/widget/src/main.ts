// Entry of widget.js: reads its own <script> tag and starts the chat widget.
//
//   <script src="https://kefu.example.com/widget.js" data-channel="CHANNEL_ID" async></script>
//
// Optional: data-locale ("zh-CN" | "en"), and a signed identity from the host's backend
// as JSON: data-identity='{"user_id":"42","name":"Lei","email":"lei@example.com","ts":1732250000,"signature":"…"}'
// (signature: hex HMAC-SHA256 of user_id, email, name and ts joined by newlines, keyed
// with the channel's identity secret; see plugins/web). The older spelling
// data-kefu-channel, data-kefu-locale and data-kefu-user-id/-user-name/-user-email/-ts/
// -signature is accepted too.
import type { Identity } from './types';
import { Widget, type WidgetOptions } from './widget';

function parseIdentity(raw: string): Identity | undefined {
  try {
    const v = JSON.parse(raw) as Partial<Identity> | null;
    if (!v || typeof v !== 'object' || typeof v.user_id !== 'string' || !v.user_id || typeof v.signature !== 'string') return undefined;
    const id: Identity = { user_id: v.user_id, ts: Number(v.ts) || 0, signature: v.signature };
    if (typeof v.name === 'string' && v.name) id.name = v.name;
    if (typeof v.email === 'string' && v.email) id.email = v.email;
    return id;
  } catch {
    console.warn('[kefu] data-identity is not valid JSON; chatting anonymously');
    return undefined;
  }
}

/** Reads the widget's options from its script tag (null when it is not one). */
export function optionsFrom(script: HTMLScriptElement): WidgetOptions | null {
  const d = script.dataset;
  const channel = (d.channel || d.kefuChannel || '').trim();
  if (!channel) return null;
  let origin: string;
  try {
    origin = new URL(script.src, location.href).origin;
  } catch {
    return null;
  }
  const opts: WidgetOptions = { channel, origin };
  const locale = d.locale || d.kefuLocale;
  if (locale) opts.locale = locale;
  if (d.identity) {
    const id = parseIdentity(d.identity);
    if (id) opts.identity = id;
  } else if (d.kefuUserId && d.kefuSignature) {
    const id: Identity = { user_id: d.kefuUserId, ts: Number(d.kefuTs) || 0, signature: d.kefuSignature };
    if (d.kefuUserName) id.name = d.kefuUserName;
    if (d.kefuUserEmail) id.email = d.kefuUserEmail;
    opts.identity = id;
  }
  return opts;
}

declare global {
  interface Window {
    __kefuWidget?: Widget;
  }
}

/** Starts the widget for a script tag; one widget per page. */
export function mount(script: HTMLScriptElement): Widget | null {
  if (window.__kefuWidget) return window.__kefuWidget;
  const opts = optionsFrom(script);
  if (!opts) {
    console.warn('[kefu] widget.js needs data-channel on its <script> tag');
    return null;
  }
  const w = new Widget(opts);
  window.__kefuWidget = w;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') w.onVisible();
  });
  const go = () => void w.start();
  if (document.body) go();
  else document.addEventListener('DOMContentLoaded', go, { once: true });
  return w;
}

/** The public API on window.KefuWidget: open/close the panel from the host page. */
export function open(): void {
  window.__kefuWidget?.openPanel();
}
export function close(): void {
  window.__kefuWidget?.close();
}

const SELECTOR = 'script[data-channel][src*="widget"],script[data-kefu-channel]';
const current = (document.currentScript as HTMLScriptElement | null) || document.querySelector<HTMLScriptElement>(SELECTOR);
if (current && (current.dataset.channel || current.dataset.kefuChannel) && !current.hasAttribute('data-kefu-manual')) mount(current);
