// The agent workspace (server/internal/api: notes, transfer, wrap-up, canned responses,
// merge, a contact's conversations and contact edits): the shapes the server writes,
// typed by hand until the OpenAPI document describes them (then these become aliases
// in types.ts like the rest).
import { http } from './client';
import type { ConversationItem, Message, Page } from './chat';
import type { DateTime, Items, UUID } from './types';

const enc = encodeURIComponent;
const t = (tenantId: string) => `/tenants/${enc(tenantId)}`;
const conv = (tenantId: string, id: string) => `${t(tenantId)}/conversations/${enc(id)}`;

// ---- internal notes ---------------------------------------------------------------

export const MAX_NOTE = 4000;
export const MAX_MENTIONS = 20;

export interface NoteRequest {
  /** 1..4000 characters. */
  text: string;
  /** User ids of the members mentioned (at most 20). */
  mentions?: string[];
  client_id?: string;
}

/** {type:"mention"} on the console socket: user_id was mentioned in a note. */
export interface MentionFrame {
  type: 'mention';
  tenant_id: UUID;
  conversation_id: UUID;
  message_id: UUID;
  /** The member mentioned. */
  user_id: UUID;
}

// ---- transfer -----------------------------------------------------------------------

/** Exactly one of assignee_id and team_id. */
export interface TransferRequest {
  assignee_id?: string;
  team_id?: string;
  note?: string;
}

export const MAX_TRANSFER_NOTE = 4000;

// ---- wrap-up ------------------------------------------------------------------------

export type WrapUpMode = 'off' | 'optional' | 'required';
export const WRAPUP_MODES: WrapUpMode[] = ['off', 'optional', 'required'];
export const MAX_WRAPUP_SUMMARY = 500;
export const MAX_WRAPUP_CATEGORIES = 50;
export const MAX_WRAPUP_CATEGORY = 80;

/** GET /wrap-up, and wrap_up in the routing settings. */
export interface WrapUpSettings {
  mode: WrapUpMode;
  /** The choices; empty allows any category. */
  categories: string[];
}

export interface ResolveRequest {
  category?: string;
  summary?: string;
}

// ---- canned responses --------------------------------------------------------------

export type CannedScope = 'shared' | 'personal';
export const MAX_SHORTCUT = 32;
export const MAX_CANNED_TITLE = 80;
export const MAX_CANNED_TEXT = 4000;
/** Letters, digits, "-" and "_". */
export const SHORTCUT_RE = /^[\p{L}\p{N}_-]+$/u;
/** The variables a canned response may hold, filled in by render. */
export const CANNED_VARIABLES = ['{{customer.name}}', '{{customer.email}}', '{{customer.phone}}', '{{agent.name}}', '{{customer.<attribute>}}'] as const;

export interface CannedResponse {
  id: UUID;
  scope: CannedScope;
  /** The author of a personal response; null for a shared one. */
  owner_id: UUID | null;
  shortcut: string;
  title: string;
  text: string;
  created_at: DateTime;
  updated_at: DateTime;
}

export interface CreateCannedRequest {
  scope: CannedScope;
  shortcut: string;
  title: string;
  text: string;
}

export type UpdateCannedRequest = Partial<Omit<CreateCannedRequest, 'scope'>>;

// ---- contacts ------------------------------------------------------------------------

export const MAX_TAGS = 30;
export const MAX_TAG = 40;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_VALUE = 500;
/** Attribute names: letters, digits and _ (they become {{customer.<name>}}). */
export const ATTRIBUTE_NAME_RE = /^[\p{L}\p{N}_]+$/u;

export interface UpdateContactRequest {
  name?: string;
  email?: string;
  phone?: string;
  /** Replaces the tags (the server trims, lower-cases and de-duplicates them). */
  tags?: string[];
  /** Replaces the attributes; an empty value removes one. */
  attributes?: Record<string, string>;
}

/** What PATCH /contacts/:id answers (the fields the console uses). */
export interface ContactRecord {
  id: UUID;
  name: string;
  email: string;
  phone: string;
  avatar_url: string;
  tags?: string[];
  attributes: Record<string, string>;
}

export const workspaceApi = {
  /** 201 with the note (type "note"); only agents ever see it. */
  note: (tenantId: string, id: string, body: NoteRequest) => http.post<Message>(`${conv(tenantId, id)}/notes`, body),
  transfer: (tenantId: string, id: string, body: TransferRequest) => http.post<ConversationItem>(`${conv(tenantId, id)}/transfer`, body),
  wrapUp: (tenantId: string) => http.get<WrapUpSettings>(`${t(tenantId)}/wrap-up`),
  /** The body is optional: a wrap-up category and summary. */
  resolve: (tenantId: string, id: string, body: ResolveRequest = {}) => http.post<ConversationItem>(`${conv(tenantId, id)}/resolve`, body),
  /** Moves other's messages into id and closes other; answers the kept conversation. */
  merge: (tenantId: string, id: string, other: string) => http.post<ConversationItem>(`${conv(tenantId, id)}/merge`, { conversation_id: other }),

  /** Every conversation of a contact, newest activity first, whatever its status. */
  contactConversations: (tenantId: string, contactId: string, cursor?: string) =>
    http.get<Page<ConversationItem>>(`${t(tenantId)}/conversations`, { query: { contact_id: contactId, status: 'all', limit: 20, cursor } }),
  updateContact: (tenantId: string, contactId: string, body: UpdateContactRequest) =>
    http.patch<ContactRecord>(`${t(tenantId)}/contacts/${enc(contactId)}`, body),

  /** Shared responses and the caller's personal ones, in shortcut order. */
  canned: (tenantId: string, q?: string) => http.get<Items<CannedResponse>>(`${t(tenantId)}/canned-responses`, { query: { q } }),
  createCanned: (tenantId: string, body: CreateCannedRequest) => http.post<CannedResponse>(`${t(tenantId)}/canned-responses`, body),
  updateCanned: (tenantId: string, id: string, body: UpdateCannedRequest) =>
    http.patch<CannedResponse>(`${t(tenantId)}/canned-responses/${enc(id)}`, body),
  deleteCanned: (tenantId: string, id: string) => http.del(`${t(tenantId)}/canned-responses/${enc(id)}`),
  /** The response's text with the conversation's variables filled in. */
  renderCanned: (tenantId: string, id: string, conversationId: string) =>
    http.post<{ text: string }>(`${t(tenantId)}/canned-responses/${enc(id)}/render`, { conversation_id: conversationId }),
};
