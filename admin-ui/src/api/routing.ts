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
  BusinessHours,
  CreateTeamRequest,
  HoursInterval,
  LiveAgent,
  OutsideHours,
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
/** Also for outside_hours_message and leave_message. */
export const DEFAULT_MESSAGE = DEFAULT_QUEUE_MESSAGE;
export const MAX_MESSAGE = MAX_QUEUE_MESSAGE;
export const OUTSIDE_HOURS = ['wait', 'leave_message'] as const;

/** Business hours (server/internal/hours): the weekdays, Monday first, and the limits. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
export const MAX_INTERVALS_PER_DAY = 8;
export const MAX_HOLIDAYS = 500;
export const MAX_HOLIDAY_NAME = 100;

/** Per-channel-type caps: at most this many types, keyed by connector name. */
export const MAX_CHANNEL_CAPS = 20;
export const CONNECTOR_NAME_RE = /^[a-z0-9_-]{1,40}$/;
/** Connector names offered when the tenant's connectors cannot be listed. */
export const KNOWN_CONNECTORS = ['web', 'email', 'wechat', 'sms', 'test'];

/**
 * {type:"agent.updated"} on the console socket: a member's presence or capacity
 * changed (sent to every tenant they serve); data is their routing state (Agent).
 */
export interface AgentUpdatedFrame {
  type: 'agent.updated';
  tenant_id: string;
  user_id: string;
  data: Partial<Agent> & { user_id?: string };
}

/** The fields of an agent's routing state an agent.updated frame may carry. */
const AGENT_FIELDS = ['presence', 'presence_auto', 'capacity', 'channel_capacity', 'load', 'last_assigned_at', 'updated_at'] as const;

/** An agent (a roster row) with an agent.updated frame's state applied. */
export function applyAgentUpdate<T extends AgentView>(a: T, data: AgentUpdatedFrame['data']): T {
  const out = { ...a };
  for (const k of AGENT_FIELDS) {
    if (data[k] !== undefined) (out as Record<string, unknown>)[k] = data[k];
  }
  return out;
}

export const routingApi = {
  /** The caller's own presence and capacity (a user route: every tenant shares them). */
  me: () => http.get<Agent>('/me/agent'),
  updateMe: (body: AgentUpdateRequest) => http.patch<Agent>('/me/agent', body),

  agents: (tenantId: string) => http.get<Items<AgentView>>(`${t(tenantId)}/agents`),
  /** routing:manage: signs a member off (or on), or sets their capacity and channel caps. */
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
