// Routing (server/internal/api/routing.go): a person's presence and capacity (theirs,
// shared by every tenant they serve), a tenant's teams, its routing rules and the live
// queue. Types are aliases of the generated schemas (types.ts).
import { http } from './client';
import type {
  Agent,
  AgentUpdateRequest,
  AgentView,
  CreateTeamRequest,
  Items,
  QueueOverview,
  RoutingSettings,
  RoutingSettingsRequest,
  Team,
  UpdateTeamRequest,
} from './types';

export type {
  Agent,
  AgentUpdateRequest,
  AgentView,
  CreateTeamRequest,
  Presence,
  QueueOverview,
  QueueStat,
  RoutingRule,
  RoutingSettings,
  RoutingSettingsRequest,
  Team,
  TeamMember,
  TeamMemberInput,
  TeamSettings,
  TeamStrategy,
  UpdateTeamRequest,
  WaitingItem,
} from './types';

const enc = encodeURIComponent;
const t = (tenantId: string) => `/tenants/${enc(tenantId)}`;

export const PRESENCES = ['online', 'busy', 'away', 'offline'] as const;
export const STRATEGIES = ['round_robin', 'least_busy', 'skills'] as const;
export const MAX_CAPACITY = 100;
export const MAX_PRIORITY = 10;
export const MAX_OVERFLOW_MINUTES = 1440;
/** Names of teams and rules. */
export const MAX_NAME = 80;
export const MAX_SKILLS = 20;
/** Values of one rule condition. */
export const MAX_VALUES = 50;
export const MAX_QUEUE_MESSAGE = 1000;
/** The queue_message value that asks the server for its suggested text. */
export const DEFAULT_QUEUE_MESSAGE = 'default';

export const routingApi = {
  /** The caller's own presence and capacity (a user route: every tenant shares them). */
  me: () => http.get<Agent>('/me/agent'),
  updateMe: (body: AgentUpdateRequest) => http.patch<Agent>('/me/agent', body),

  agents: (tenantId: string) => http.get<Items<AgentView>>(`${t(tenantId)}/agents`),
  /** routing:manage: signs a member off (or on), or sets their capacity. */
  updateAgent: (tenantId: string, userId: string, body: AgentUpdateRequest) =>
    http.patch<AgentView>(`${t(tenantId)}/agents/${enc(userId)}`, body),

  teams: (tenantId: string) => http.get<Items<Team>>(`${t(tenantId)}/teams`),
  team: (tenantId: string, teamId: string) => http.get<Team>(`${t(tenantId)}/teams/${enc(teamId)}`),
  createTeam: (tenantId: string, body: CreateTeamRequest) => http.post<Team>(`${t(tenantId)}/teams`, body),
  /** members, when sent, replaces the member list. */
  updateTeam: (tenantId: string, teamId: string, body: UpdateTeamRequest) =>
    http.patch<Team>(`${t(tenantId)}/teams/${enc(teamId)}`, body),
  deleteTeam: (tenantId: string, teamId: string) => http.del(`${t(tenantId)}/teams/${enc(teamId)}`),

  settings: (tenantId: string) => http.get<RoutingSettings>(`${t(tenantId)}/routing/settings`),
  /** Replaces the settings; absent fields take their defaults. */
  saveSettings: (tenantId: string, body: RoutingSettingsRequest) =>
    http.put<RoutingSettings>(`${t(tenantId)}/routing/settings`, body),

  queue: (tenantId: string) => http.get<QueueOverview>(`${t(tenantId)}/queue`),
};
