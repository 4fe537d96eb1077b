// Channels, conversations and realtime events: the shapes server/internal/api/chat.go
// and realtime.go write, typed by hand until the OpenAPI document describes them (then
// these become aliases in types.ts like the rest).
import { API_BASE, ApiError, freshAccessToken, http } from './client';
import type { DateTime, Items, UUID } from './types';

const enc = encodeURIComponent;
const t = (tenantId: string) => `/tenants/${enc(tenantId)}`;

// ---- connectors and channels -----------------------------------------------------

/** The subset of JSON Schema the channel form understands (connectors' config_schema). */
export interface JSONSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  items?: JSONSchema;
  enum?: unknown[];
  default?: unknown;
  /** A secret: stored sealed, answered as "********". */
  writeOnly?: boolean;
  readOnly?: boolean;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | JSONSchema;
}

export interface Connector {
  name: string;
  version: string;
  /** web, messaging, email, custom… */
  kind: string;
  capabilities: string[];
  config_schema: JSONSchema | null;
  /** The plugin's state as the host sees it (running, starting, failed…). */
  state: string;
}

export interface Channel {
  id: UUID;
  tenant_id: UUID;
  connector: string;
  name: string;
  /** Secrets (writeOnly properties) come back as SECRET_MASK. */
  config: Record<string, unknown>;
  enabled: boolean;
  created_at: DateTime;
  updated_at: DateTime;
  /** Where the provider posts: {public URL}/hooks/{channel id}. */
  webhook_url: string;
  /** web channels: the server's embed snippet. */
  widget_snippet: string | null;
}

/** What the server answers for a stored secret; sending it back keeps the secret. */
export const SECRET_MASK = '********';

export interface ChannelInput {
  connector?: string;
  name?: string;
  config?: Record<string, unknown>;
  enabled?: boolean;
}

// ---- conversations -----------------------------------------------------------------

export type ConversationStatus = 'bot' | 'queued' | 'open' | 'pending' | 'resolved' | 'closed';
export const CONVERSATION_STATUSES: ConversationStatus[] = ['bot', 'queued', 'open', 'pending', 'resolved', 'closed'];

export interface ContactIdentity {
  channel_id: UUID;
  external_id: string;
  verified: boolean;
}

export interface Contact {
  id: UUID;
  name: string;
  email: string;
  avatar_url: string;
  /** Only on GET …/conversations/{id}. */
  phone?: string;
  attributes?: Record<string, string>;
  /** The contact's tags (edited in the contact panel). */
  tags?: string[];
  identities?: ContactIdentity[];
  created_at?: DateTime;
}

/** A conversation as the lists (tenant and inbox) and the conversation routes return it. */
export interface ConversationItem {
  id: UUID;
  tenant_id: UUID;
  tenant_name: string;
  channel_id: UUID;
  channel_name: string;
  connector: string;
  status: ConversationStatus;
  assignee_id: UUID | null;
  contact: Contact;
  last_message_at: DateTime;
  last_message_preview: string;
  unread: number;
  created_at: DateTime;
  updated_at: DateTime;
  resolved_at: DateTime | null;
  /** The team whose queue it is in (transfer to a team). */
  team_id?: UUID | null;
  /** The wrap-up given when it was resolved ("" when none). */
  wrapup_category?: string;
  wrapup_summary?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Attachment {
  id: UUID;
  name: string;
  content_type: string;
  size: number;
  /** API path of a stored file (bearer token required), or a linked file's URL. Empty in realtime events. */
  url: string;
}

export type DeliveryStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Message {
  id: UUID;
  conversation_id: UUID;
  /** in: from the customer; out: an agent's or the bot's reply. */
  direction: 'in' | 'out';
  sender_type: 'contact' | 'agent' | 'bot' | 'system';
  sender_id: UUID | null;
  /** note: an internal note, only agents ever see it. */
  type: 'text' | 'image' | 'file' | 'system' | 'note';
  text: string;
  /** A note's mentioned members (user ids). */
  mentions?: string[];
  attachments: Attachment[] | null;
  status: DeliveryStatus;
  /** Why delivery failed (status failed). */
  error?: string;
  client_id?: string;
  created_at: DateTime;
}

/** A conversation as realtime events carry it (conversation.Conversation: no names). */
export interface ConversationState {
  id: UUID;
  tenant_id: UUID;
  channel_id: UUID;
  contact_id: UUID;
  status: ConversationStatus;
  assignee_id: UUID | null;
  last_message_at: DateTime;
  last_message_preview: string;
  unread: number;
  created_at: DateTime;
  updated_at: DateTime;
  resolved_at: DateTime | null;
}

export type RealtimeEventType = 'message.created' | 'message.updated' | 'conversation.updated' | 'typing' | 'read';

/** A frame of /api/v1/realtime that is a conversation event (conversation.Event). */
export interface RealtimeEvent {
  type: RealtimeEventType;
  tenant_id: UUID;
  conversation_id: UUID;
  message?: Message;
  conversation?: ConversationState;
  /** typing and read: "contact" or "agent". */
  from?: 'contact' | 'agent';
  message_id?: UUID;
  /** An agent's typing: who. */
  user_id?: UUID;
  name?: string;
}

export interface InboxQuery {
  /** Comma-separated statuses. */
  status?: string;
  tenant_id?: string;
  /** me, none, all or a user id. */
  assignee?: string;
  channel_id?: string;
  cursor?: string;
  limit?: number;
}

export const chatApi = {
  connectors: (tenantId: string) => http.get<Items<Connector>>(`${t(tenantId)}/connectors`),
  channels: (tenantId: string) => http.get<Items<Channel>>(`${t(tenantId)}/channels`),
  channel: (tenantId: string, id: string) => http.get<Channel>(`${t(tenantId)}/channels/${enc(id)}`),
  createChannel: (tenantId: string, body: ChannelInput) => http.post<Channel>(`${t(tenantId)}/channels`, body),
  updateChannel: (tenantId: string, id: string, body: ChannelInput) => http.patch<Channel>(`${t(tenantId)}/channels/${enc(id)}`, body),
  deleteChannel: (tenantId: string, id: string) => http.del(`${t(tenantId)}/channels/${enc(id)}`),

  /** The agent's inbox across every tenant where they may read conversations. */
  inbox: (q: InboxQuery) => http.get<Page<ConversationItem>>('/conversations', { query: { ...q } }),
  conversations: (tenantId: string, q: Omit<InboxQuery, 'tenant_id'>) =>
    http.get<Page<ConversationItem>>(`${t(tenantId)}/conversations`, { query: { ...q } }),
  conversation: (tenantId: string, id: string) => http.get<ConversationItem>(`${t(tenantId)}/conversations/${enc(id)}`),
  /** Oldest first; next_cursor is the id to pass as before (older) or after (newer). */
  messages: (tenantId: string, id: string, q: { before?: string; after?: string; limit?: number } = {}) =>
    http.get<Page<Message>>(`${t(tenantId)}/conversations/${enc(id)}/messages`, { query: q }),
  /** 202 with the queued message; the same client_id twice returns the first message. */
  reply: (tenantId: string, id: string, body: { text: string; client_id: string; attachment_ids?: string[] }) =>
    http.post<Message>(`${t(tenantId)}/conversations/${enc(id)}/messages`, body),
  /** assignee_id: "me", a user id, or null to unassign. */
  assign: (tenantId: string, id: string, assigneeId: string | null) =>
    http.post<ConversationItem>(`${t(tenantId)}/conversations/${enc(id)}/assign`, { assignee_id: assigneeId }),
  resolve: (tenantId: string, id: string) => http.post<ConversationItem>(`${t(tenantId)}/conversations/${enc(id)}/resolve`),
  reopen: (tenantId: string, id: string) => http.post<ConversationItem>(`${t(tenantId)}/conversations/${enc(id)}/reopen`),
  read: (tenantId: string, id: string) => http.post<ConversationItem>(`${t(tenantId)}/conversations/${enc(id)}/read`),
  typing: (tenantId: string, id: string) => http.post<void>(`${t(tenantId)}/conversations/${enc(id)}/typing`),
};

/** The API path of a stored attachment (tenant-scoped, bearer token required). */
export function attachmentPath(tenantId: string, a: Pick<Attachment, 'id' | 'url'>): string {
  if (a.url) return a.url;
  return `${API_BASE}${t(tenantId)}/attachments/${enc(a.id)}`;
}

/**
 * Downloads an attachment with the bearer token (an <img> or a link cannot send it) and
 * returns it as a Blob, refreshing the token once on a 401.
 */
export async function fetchAttachment(path: string, signal?: AbortSignal): Promise<Blob> {
  for (let attempt = 0; ; attempt++) {
    const token = await freshAccessToken(attempt > 0);
    const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'same-origin', signal });
    if (res.ok) return res.blob();
    if (res.status === 401 && attempt === 0) continue;
    throw new ApiError({ status: res.status, code: `http.${res.status}`, detail: res.statusText });
  }
}
