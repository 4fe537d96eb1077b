// Small pure helpers of the inbox and the conversation view: filters, ordering,
// previews, client ids, and folding realtime events into list items.
import type { TFunction } from 'i18next';
import type { Contact, ConversationItem, ConversationState, ConversationStatus, Message } from '../api/chat';

export const ACTIVE_STATUSES: ConversationStatus[] = ['bot', 'queued', 'open', 'pending'];

export type StatusFilter = 'active' | 'all' | ConversationStatus;
export type AssigneeFilter = 'all' | 'me' | 'none';

export interface InboxFilter {
  status: StatusFilter;
  /** '' = every tenant. */
  tenant: string;
  assignee: AssigneeFilter;
}

export const DEFAULT_FILTER: InboxFilter = { status: 'active', tenant: '', assignee: 'all' };

/** The status query parameter for a filter (undefined: any status). */
export function statusQuery(s: StatusFilter): string | undefined {
  if (s === 'all') return undefined;
  if (s === 'active') return ACTIVE_STATUSES.join(',');
  return s;
}

/** Whether a conversation belongs in the list under this filter. */
export function matchesFilter(c: Pick<ConversationItem, 'tenant_id' | 'status' | 'assignee_id'>, f: InboxFilter, me: string): boolean {
  if (f.tenant && c.tenant_id !== f.tenant) return false;
  if (f.status === 'active' && !ACTIVE_STATUSES.includes(c.status)) return false;
  if (f.status !== 'active' && f.status !== 'all' && c.status !== f.status) return false;
  if (f.assignee === 'me' && c.assignee_id !== me) return false;
  if (f.assignee === 'none' && c.assignee_id) return false;
  return true;
}

/** Newest activity first, as the server orders the inbox. */
export function byActivity(a: ConversationItem, b: ConversationItem): number {
  if (a.last_message_at !== b.last_message_at) return a.last_message_at < b.last_message_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const PREVIEW_LEN = 140;

/** The list preview of a message, as the server computes it (conversation.Preview). */
export function previewOf(m: Pick<Message, 'text' | 'attachments'>): string {
  let s = (m.text || '').split(/\s+/).filter(Boolean).join(' ');
  if (!s && m.attachments && m.attachments.length) s = `📎 ${m.attachments[0]!.name}`;
  const r = [...s];
  return r.length > PREVIEW_LEN ? `${r.slice(0, PREVIEW_LEN - 1).join('')}…` : s;
}

/** A client id for an optimistic reply (the server de-duplicates retries on it). */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A contact's name for people: name, else email, else "Visitor" and a short id. */
export function contactName(t: TFunction, c: Pick<Contact, 'id' | 'name' | 'email'> | null | undefined): string {
  if (c?.name) return c.name;
  if (c?.email) return c.email;
  // The tail: UUIDv7 ids begin with the time, so their heads look alike.
  const short = c?.id && !/^0{8}-/.test(c.id) ? ` ${c.id.slice(-4)}` : '';
  return `${t('inbox.visitor')}${short}`;
}

/** A list item updated by an event's conversation state (which has no names). */
export function withState(item: ConversationItem, s: ConversationState | undefined): ConversationItem {
  if (!s) return item;
  return {
    ...item,
    status: s.status,
    assignee_id: s.assignee_id,
    unread: s.unread,
    last_message_at: s.last_message_at || item.last_message_at,
    last_message_preview: s.last_message_preview ?? item.last_message_preview,
    updated_at: s.updated_at || item.updated_at,
    resolved_at: s.resolved_at,
  };
}

/** Messages oldest first, by creation time then id (UUIDv7 ids are time-ordered). */
export function byTime(a: Message, b: Message): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Adds or replaces messages by id, keeping the order. */
export function mergeMessages(list: Message[], more: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()].sort(byTime);
}

export function formatSize(n: number): string {
  if (!n && n !== 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
