// HTTP calls to the widget gateway, on the origin the script was loaded from.
import type { Attachment, Identity, ServerMessage, Session, WidgetConfig } from './types';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail || code || `HTTP ${status}`);
  }
}

/** Network failures and 5xx/429 are worth retrying; other 4xx are final. */
export function retryable(e: unknown): boolean {
  if (e instanceof HttpError) return e.status >= 500 || e.status === 429 || e.status === 408;
  return true;
}

/** POST /messages and the socket's message frame: uploaded files go by id only. */
export interface OutgoingBody {
  client_id: string;
  text: string;
  attachments?: { id: string }[];
  name?: string;
  email?: string;
}

export class Api {
  token = '';

  constructor(
    readonly origin: string,
    readonly channel: string,
  ) {}

  private url(path: string): string {
    return `${this.origin}/widget/${encodeURIComponent(this.channel)}${path}`;
  }

  /** A path with the visitor token in the query (the gateway reads ?token= as well as the header). */
  private authed(path: string): string {
    if (!this.token) return this.url(path);
    return this.url(`${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(this.token)}`);
  }

  /**
   * Every call is a CORS "simple request", so the browser sends no preflight (the
   * gateway answers no OPTIONS): no Authorization header (the token is in the query),
   * and JSON goes as bytes, for which fetch sets no Content-Type header (a string would
   * be text/plain, which the gateway's decoder refuses; no type at all it accepts).
   * Multipart uploads are simple requests already.
   */
  private async call<T>(method: string, path: string, body?: unknown, form?: FormData): Promise<T> {
    const res = await fetch(this.authed(path), {
      method,
      headers: { Accept: 'application/json' },
      body: form ?? (body !== undefined ? new TextEncoder().encode(JSON.stringify(body)) : undefined),
      credentials: 'omit',
      mode: 'cors',
    });
    const text = await res.text();
    let data: unknown = undefined;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const p = (data || {}) as { code?: string; detail?: string; error?: string };
      throw new HttpError(res.status, p.code || p.error || `http.${res.status}`, p.detail || '');
    }
    return data as T;
  }

  config(): Promise<WidgetConfig> {
    return this.call('GET', '/config');
  }

  session(body: { visitor_id: string; identity?: Identity }): Promise<Session> {
    return this.call('POST', '/session', body);
  }

  /** The visitor's current conversation: the latest 100 messages, or those after a message id. */
  messages(after?: string): Promise<{ conversation_id: string | null; items: ServerMessage[] }> {
    return this.call('GET', after ? `/messages?after=${encodeURIComponent(after)}` : '/messages');
  }

  /** 202 {id, client_id, conversation_id, duplicate}; a resend with the same client_id is a duplicate. */
  send(body: OutgoingBody): Promise<{ id: string; client_id: string; conversation_id?: string; duplicate?: boolean }> {
    return this.call('POST', '/messages', body);
  }

  upload(file: File): Promise<Attachment> {
    const fd = new FormData();
    fd.append('file', file, file.name);
    return this.call('POST', '/attachments', undefined, fd);
  }

  read(messageId: string): Promise<void> {
    return this.call('POST', '/read', { message_id: messageId });
  }

  /** A rating of one of the bot's answers: 1 helpful, -1 not, 0 withdrawn. */
  feedback(messageId: string, rating: number): Promise<void> {
    return this.call('POST', '/feedback', { message_id: messageId, rating });
  }

  typing(): Promise<void> {
    return this.call('POST', '/typing', {});
  }

  /**
   * Where the browser fetches an attachment: linked files as they are; uploaded ones
   * from the widget gateway with the visitor token in the query (an <img> cannot send
   * a header).
   */
  fileURL(a: Attachment): string {
    const u = a.url || '';
    if (/^https?:\/\//i.test(u)) return u;
    const path = u.startsWith('/') ? u : a.id ? `/widget/${encodeURIComponent(this.channel)}/attachments/${encodeURIComponent(a.id)}` : '';
    if (!path) return '';
    return `${this.origin}${path}${this.token ? `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(this.token)}` : ''}`;
  }

  socketURL(): string {
    return this.url(`/ws?token=${encodeURIComponent(this.token)}`).replace(/^http/, 'ws');
  }
}
