// One typed function per API endpoint (see server/internal/api/server.go).
import { download, http } from './client';
import type {
  AcceptedInvitation,
  AcceptInvitationRequest,
  ChangePasswordRequest,
  CreateApiKeyRequest,
  CreateInvitationRequest,
  CreateRoleRequest,
  DisableTotpRequest,
  EnrollTotpRequest,
  ForgotPasswordRequest,
  LoginRequest,
  ResetPasswordRequest,
  SignupRequest,
  TotpCodeRequest,
  UpdateMeRequest,
  UpdateMemberRequest,
  UpdateRoleRequest,
  UpdateSettingsRequest,
  CreateKbArticleRequest,
  CreateKbCategoryRequest,
  CreateKbFaqRequest,
  CursorPage,
  KbArticle,
  KbArticleSummary,
  KbCategory,
  KbDiff,
  KbFaq,
  KbFaqSummary,
  KbImportResult,
  KbSearchResult,
  KbVersion,
  KbVersionDetail,
  MoveKbCategoryRequest,
  UpdateKbArticleRequest,
  UpdateKbFaqRequest,
  ApiKey,
  ApiKeyCreated,
  AuditEntry,
  Enrollment,
  Invitation,
  InvitationPreview,
  Items,
  Me,
  Member,
  Permission,
  RecoveryCodes,
  Role,
  Settings,
  SignupResponse,
  Tenant,
  TenantAccess,
  TokenPair,
  User,
} from './types';

const enc = encodeURIComponent;
const t = (tenantId: string) => `/tenants/${enc(tenantId)}`;

export const authApi = {
  signup: (body: SignupRequest) =>
    http.post<SignupResponse>('/signup', body, { auth: false }),
  login: (body: LoginRequest) =>
    http.post<TokenPair>('/auth/login', body, { auth: false }),
  forgotPassword: (body: ForgotPasswordRequest) => http.post<void>('/auth/password/forgot', body, { auth: false }),
  /** 204: every session is revoked and the user logs in again (with 2FA if enrolled). */
  resetPassword: (body: ResetPasswordRequest) =>
    http.post<void>('/auth/password/reset', body, { auth: false }),
};

export const meApi = {
  get: () => http.get<Me>('/me'),
  update: (body: UpdateMeRequest) => http.patch<User>('/me', body),
  changePassword: (body: ChangePasswordRequest) =>
    http.post<TokenPair>('/me/password', body),
  enroll2fa: (body: EnrollTotpRequest) => http.post<Enrollment>('/me/2fa/enroll', body),
  confirm2fa: (body: TotpCodeRequest) => http.post<RecoveryCodes>('/me/2fa/confirm', body),
  disable2fa: (body: DisableTotpRequest) => http.post<void>('/me/2fa/disable', body),
  regenerateCodes: (body: TotpCodeRequest) => http.post<RecoveryCodes>('/me/2fa/recovery-codes', body),
};

export const invitationApi = {
  lookup: (token: string) => http.post<InvitationPreview>('/invitations/lookup', { token }, { auth: false }),
  /** Without an account: name + password, no bearer. With one: the bearer token. */
  accept: (body: AcceptInvitationRequest, withAuth: boolean) =>
    http.post<AcceptedInvitation>('/invitations/accept', body, { auth: withAuth }),
};

export const tenantApi = {
  get: (id: string) => http.get<TenantAccess>(t(id)),
  settings: (id: string) => http.get<Settings>(`${t(id)}/settings`),
  updateSettings: (id: string, body: UpdateSettingsRequest) => http.patch<Settings>(`${t(id)}/settings`, body),

  members: (id: string) => http.get<Items<Member>>(`${t(id)}/members`),
  updateMember: (id: string, memberId: string, body: UpdateMemberRequest) =>
    http.patch<Member>(`${t(id)}/members/${enc(memberId)}`, body),
  removeMember: (id: string, memberId: string) => http.del(`${t(id)}/members/${enc(memberId)}`),

  invitations: (id: string) => http.get<Items<Invitation>>(`${t(id)}/invitations`),
  invite: (id: string, body: CreateInvitationRequest) => http.post<Invitation>(`${t(id)}/invitations`, body),
  revokeInvitation: (id: string, invitationId: string) => http.del(`${t(id)}/invitations/${enc(invitationId)}`),

  roles: (id: string) => http.get<Items<Role>>(`${t(id)}/roles`),
  createRole: (id: string, body: CreateRoleRequest) =>
    http.post<Role>(`${t(id)}/roles`, body),
  updateRole: (id: string, roleId: string, body: UpdateRoleRequest) =>
    http.patch<Role>(`${t(id)}/roles/${enc(roleId)}`, body),
  deleteRole: (id: string, roleId: string) => http.del(`${t(id)}/roles/${enc(roleId)}`),
  permissions: (id: string) => http.get<Items<Permission>>(`${t(id)}/permissions`),

  apiKeys: (id: string) => http.get<Items<ApiKey>>(`${t(id)}/api-keys`),
  createApiKey: (id: string, body: CreateApiKeyRequest) =>
    http.post<ApiKeyCreated>(`${t(id)}/api-keys`, body),
  revokeApiKey: (id: string, keyId: string) => http.del(`${t(id)}/api-keys/${enc(keyId)}`),

  auditLog: (id: string, q: { before?: string; limit?: number; action?: string }) =>
    http.get<Items<AuditEntry>>(`${t(id)}/audit-log`, { query: q }),
};

export const platformApi = {
  tenants: (q: { q?: string; status?: string; after?: string; limit?: number }) =>
    http.get<Items<Tenant>>('/platform/tenants', { query: q }),
  suspend: (id: string) => http.post<Tenant>(`/platform/tenants/${enc(id)}/suspend`),
  resume: (id: string) => http.post<Tenant>(`/platform/tenants/${enc(id)}/resume`),
};

// ---- knowledge base (server/internal/api/kb.go) ---------------------------------------

/** The two kinds of entry, by their path under /kb. */
export type KbKind = 'faqs' | 'articles';
export type KbEntryOf<K extends KbKind> = K extends 'faqs' ? KbFaq : KbArticle;
export type KbSummaryOf<K extends KbKind> = K extends 'faqs' ? KbFaqSummary : KbArticleSummary;
export type KbCreateOf<K extends KbKind> = K extends 'faqs' ? CreateKbFaqRequest : CreateKbArticleRequest;
export type KbUpdateOf<K extends KbKind> = K extends 'faqs' ? UpdateKbFaqRequest : UpdateKbArticleRequest;
/** Workflow steps: submit (kb:edit); publish, reject, archive (kb:publish). */
export type KbAction = 'submit' | 'publish' | 'reject' | 'archive';

/** The singular kind the search, import and export endpoints take. */
export type KbFileKind = 'faq' | 'article';
export type KbExportFormat = 'csv' | 'xlsx' | 'json';
export type KbTemplateFormat = 'csv' | 'xlsx';

export interface KbSearchQuery {
  q: string;
  kind?: KbFileKind;
  locale?: string;
  category_id?: string;
  limit?: number;
  offset?: number;
}

export interface KbListQuery {
  status?: string;
  category_id?: string;
  tag?: string;
  locale?: string;
  stale?: 'true' | 'false';
  q?: string;
  cursor?: string;
  limit?: number;
}

const kb = (tenantId: string) => `${t(tenantId)}/kb`;
const entry = (tenantId: string, kind: KbKind, id: string) => `${kb(tenantId)}/${kind}/${enc(id)}`;

export const kbApi = {
  categories: (id: string) => http.get<Items<KbCategory>>(`${kb(id)}/categories`),
  createCategory: (id: string, body: CreateKbCategoryRequest) => http.post<KbCategory>(`${kb(id)}/categories`, body),
  renameCategory: (id: string, categoryId: string, name: Record<string, string>) =>
    http.patch<KbCategory>(`${kb(id)}/categories/${enc(categoryId)}`, { name }),
  moveCategory: (id: string, categoryId: string, body: MoveKbCategoryRequest) =>
    http.post<KbCategory>(`${kb(id)}/categories/${enc(categoryId)}/move`, body),
  deleteCategory: (id: string, categoryId: string) => http.del(`${kb(id)}/categories/${enc(categoryId)}`),

  list: <K extends KbKind>(id: string, kind: K, q: KbListQuery) =>
    http.get<CursorPage<KbSummaryOf<K>>>(`${kb(id)}/${kind}`, { query: { ...q } }),
  get: <K extends KbKind>(id: string, kind: K, entryId: string) => http.get<KbEntryOf<K>>(entry(id, kind, entryId)),
  create: <K extends KbKind>(id: string, kind: K, body: KbCreateOf<K>) => http.post<KbEntryOf<K>>(`${kb(id)}/${kind}`, body),
  /** body.version: the version edited; a newer one on the server fails with kb.edit-conflict. */
  update: <K extends KbKind>(id: string, kind: K, entryId: string, body: KbUpdateOf<K>) =>
    http.patch<KbEntryOf<K>>(entry(id, kind, entryId), body),
  remove: (id: string, kind: KbKind, entryId: string) => http.del(entry(id, kind, entryId)),
  transition: <K extends KbKind>(id: string, kind: K, entryId: string, action: KbAction, note?: string) =>
    http.post<KbEntryOf<K>>(`${entry(id, kind, entryId)}/${action}`, action === 'reject' && note ? { note } : undefined),
  /** Copies a version's content into a new draft (the live copy does not change). */
  rollback: <K extends KbKind>(id: string, kind: K, entryId: string, version: number) =>
    http.post<KbEntryOf<K>>(`${entry(id, kind, entryId)}/rollback`, { version }),
  versions: (id: string, kind: KbKind, entryId: string, q: { cursor?: string; limit?: number } = {}) =>
    http.get<CursorPage<KbVersion>>(`${entry(id, kind, entryId)}/versions`, { query: q }),
  version: (id: string, kind: KbKind, entryId: string, version: number) =>
    http.get<KbVersionDetail>(`${entry(id, kind, entryId)}/versions/${version}`),
  diff: (id: string, kind: KbKind, entryId: string, from: number, to: number) =>
    http.get<KbDiff>(`${entry(id, kind, entryId)}/diff`, { query: { from, to } }),

  /** Full-text search of the live (published, unexpired) entries; hits carry <mark>-only HTML. */
  search: (id: string, q: KbSearchQuery) => http.get<KbSearchResult>(`${kb(id)}/search`, { query: { ...q } }),
  /** Every entry of one kind as a file. */
  exportFile: (id: string, kind: KbFileKind, format: KbExportFormat) =>
    download(`${kb(id)}/export`, `kb-${kind}s.${format}`, { query: { kind, format } }),
  /** A file to fill in for an import: the header row and an example. */
  importTemplate: (id: string, kind: KbFileKind, format: KbTemplateFormat) =>
    download(`${kb(id)}/import/template`, `kb-${kind}-template.${format}`, { query: { kind, format } }),
  /** Every row becomes a draft, or (422 kb.import-invalid, errors by row) nothing is imported. */
  importFile: (id: string, kind: KbFileKind, format: KbExportFormat, file: File) => {
    const body = new FormData();
    body.append('file', file, file.name);
    return http.post<KbImportResult>(`${kb(id)}/import`, body, { query: { kind, format } });
  },
};
