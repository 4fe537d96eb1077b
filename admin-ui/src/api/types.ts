// API data types: aliases of the schemas generated from the OpenAPI document
// (server/internal/api/openapi.json → schema.d.ts by `npm run gen:api`). A change to the
// document that the console does not handle fails `tsc`; `npm run check:api` fails when
// schema.d.ts was not regenerated.
import type { components } from './schema';

type S = components['schemas'];

export type UUID = string;
/** RFC 3339 timestamp. */
export type DateTime = string;

export type User = S['User'];
export type Membership = S['MembershipSummary'];
export type Me = S['Me'];
export type Tenant = S['Tenant'];
export type TenantStatus = Tenant['status'];
export type TenantAccess = S['TenantAccess'];
export type Settings = S['Settings'];
export type TokenPair = S['TokenPair'];
export type SignupResponse = S['SignupResponse'];
export type Member = S['Member'];
export type Invitation = S['Invitation'];
export type InvitationPreview = S['InvitationPreview'];
export type AcceptedInvitation = S['AcceptInvitationResponse'];
export type Role = S['Role'];
export type Permission = S['Permission'];
export type PermissionName = S['PermissionName'];
export type ApiKey = S['ApiKey'];
export type ApiKeyCreated = S['ApiKeyCreated'];
export type AuditEntry = S['AuditEntry'];
export type Enrollment = S['Enrollment'];
export type RecoveryCodes = S['RecoveryCodes'];
export type Problem = S['Problem'];

// Request bodies.
export type SignupRequest = S['SignupRequest'];
export type LoginRequest = S['LoginRequest'];
export type ForgotPasswordRequest = S['ForgotPasswordRequest'];
export type ResetPasswordRequest = S['ResetPasswordRequest'];
export type UpdateMeRequest = S['UpdateMeRequest'];
export type ChangePasswordRequest = S['ChangePasswordRequest'];
export type EnrollTotpRequest = S['EnrollTotpRequest'];
export type TotpCodeRequest = S['TotpCodeRequest'];
export type DisableTotpRequest = S['DisableTotpRequest'];
export type AcceptInvitationRequest = S['AcceptInvitationRequest'];
export type UpdateSettingsRequest = S['UpdateSettingsRequest'];
export type UpdateMemberRequest = S['UpdateMemberRequest'];
export type CreateInvitationRequest = S['CreateInvitationRequest'];
export type CreateRoleRequest = S['CreateRoleRequest'];
export type UpdateRoleRequest = S['UpdateRoleRequest'];
export type CreateApiKeyRequest = S['CreateApiKeyRequest'];

// Knowledge base.
export type KbCategory = S['KbCategory'];
export type KbContent = S['KbContent'];
export type KbStatus = S['KbFaqSummary']['status'];
export type KbLocale = S['KbContent']['locale'];
export type KbFaqSummary = S['KbFaqSummary'];
export type KbArticleSummary = S['KbArticleSummary'];
/** The generator intersects the nullable live copy with itself; it is null when nothing is published. */
export type KbFaq = Omit<S['KbFaq'], 'live'> & { live: KbContent | null };
export type KbArticle = Omit<S['KbArticle'], 'live'> & { live: KbContent | null };
export type KbVersion = S['KbVersion'];
export type KbVersionDetail = S['KbVersionDetail'];
export type KbDiff = S['KbDiff'];
export type KbDiffChange = KbDiff['changes'][number];
export type CreateKbCategoryRequest = S['CreateKbCategoryRequest'];
export type MoveKbCategoryRequest = S['MoveKbCategoryRequest'];
export type CreateKbFaqRequest = S['CreateKbFaqRequest'];
export type UpdateKbFaqRequest = S['UpdateKbFaqRequest'];
export type CreateKbArticleRequest = S['CreateKbArticleRequest'];
export type UpdateKbArticleRequest = S['UpdateKbArticleRequest'];
export type KbSearchHit = S['KbSearchHit'];
export type KbSearchResult = S['KbSearchResult'];
export type KbImportResult = S['KbImportResult'];

// The bot.
export type BotSettings = S['BotSettings'];
export type BotLLM = S['BotLLM'];
export type BotModel = S['BotModel'];
export type BotMatch = S['BotMatch'];
export type BotDecision = S['BotDecision'];
export type BotDecisionKind = BotDecision['decision'];
export type UnansweredGroup = S['BotUnansweredGroup'];
export type ResolveRequest = S['BotResolveRequest'];
export type ResolveResult = S['BotResolveResult'];
export type ResolveAction = ResolveRequest['action'];
export type BotTurn = S['BotTurn'];
export type BotTryRequest = S['BotTryRequest'];
/**
 * PUT /bot/settings replaces the whole object; has_key is read-only (left out here) and
 * llm_api_key write-only: absent keeps the stored key, "" removes it.
 */
export type BotSettingsInput = Required<Omit<S['BotSettingsRequest'], 'llm' | 'llm_api_key'>> & {
  llm: Omit<BotLLM, 'has_key'>;
  llm_api_key?: string;
};

// Routing: presence and capacity, teams, rules and the live queue.
export type Agent = S['Agent'];
export type AgentView = S['AgentView'];
/** An agent in the live view: AgentView and the conversations they hold. */
export type LiveAgent = S['LiveAgent'];
export type Presence = Agent['presence'];
export type AgentUpdateRequest = S['AgentUpdateRequest'];
export type Team = S['Team'];
export type TeamMember = S['TeamMember'];
export type TeamMemberInput = S['TeamMemberInput'];
export type TeamSettings = S['TeamSettings'];
export type TeamStrategy = Team['strategy'];
export type CreateTeamRequest = S['CreateTeamRequest'];
export type UpdateTeamRequest = S['UpdateTeamRequest'];
export type RoutingRule = S['RoutingRule'];
export type RoutingSettings = S['RoutingSettings'];
export type RoutingSettingsRequest = S['RoutingSettingsRequest'];
export type QueueOverview = S['QueueOverview'];
export type QueueStat = S['QueueStat'];
export type WaitingItem = S['WaitingItem'];
/** Business hours; null: always open (a team: the tenant's hours). */
export type BusinessHours = S['BusinessHours'];
export type HoursInterval = S['HoursInterval'];
export type OutsideHours = RoutingSettings['outside_hours'];

export interface Items<T> {
  items: T[];
}

/** A page of a cursor-paginated list. */
export interface CursorPage<T> {
  items: T[];
  next_cursor: string | null;
}
