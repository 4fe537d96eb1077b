// The answering bot (server/internal/api/bot.go): its settings, the model it serves,
// "try the bot", the questions it could not answer, and its decisions in a conversation.
import { http } from './client';
import type {
  BotDecision,
  BotModel,
  BotSettings,
  BotSettingsInput,
  BotTryRequest,
  BotTurn,
  Items,
  ResolveRequest,
  ResolveResult,
  UnansweredGroup,
} from './types';

export type {
  BotDecision,
  BotDecisionKind,
  BotLLM,
  BotMatch,
  BotModel,
  BotSettings,
  BotSettingsInput,
  BotTurn,
  ResolveAction,
  ResolveRequest,
  UnansweredGroup,
} from './types';

const enc = encodeURIComponent;
const t = (tenantId: string) => `/tenants/${enc(tenantId)}`;

export const botApi = {
  settings: (tenantId: string) => http.get<BotSettings>(`${t(tenantId)}/bot/settings`),
  saveSettings: (tenantId: string, body: BotSettingsInput) => http.put<BotSettings>(`${t(tenantId)}/bot/settings`, body),
  /** Reading it also queues a rebuild when the model is behind the knowledge. */
  model: (tenantId: string) => http.get<BotModel>(`${t(tenantId)}/bot/model`),
  /** Runs the bot on a question without side effects. */
  tryBot: (tenantId: string, body: BotTryRequest) => http.post<BotDecision>(`${t(tenantId)}/bot/try`, body),
  unanswered: (tenantId: string, limit?: number) =>
    http.get<Items<UnansweredGroup>>(`${t(tenantId)}/bot/unanswered`, { query: { limit } }),
  resolve: (tenantId: string, body: ResolveRequest) => http.post<ResolveResult>(`${t(tenantId)}/bot/unanswered/resolve`, body),
  turns: (tenantId: string, conversationId: string) =>
    http.get<Items<BotTurn>>(`${t(tenantId)}/conversations/${enc(conversationId)}/bot-turns`),
};

/** The FAQ id in a bot entry id ("faq:<uuid>"), or null for an article. */
export function faqIdOf(entryId: string | undefined | null): string | null {
  return entryId && entryId.startsWith('faq:') ? entryId.slice(4) : null;
}

/** The editor path of a bot entry id ("faq:<uuid>", "article:<uuid>") under /t/:tenantId. */
export function entryPath(tenantId: string, entryId: string): string | null {
  const i = entryId.indexOf(':');
  if (i < 0) return null;
  const kind = entryId.slice(0, i);
  const id = entryId.slice(i + 1);
  if (kind === 'faq') return `/t/${tenantId}/kb/faqs/${id}`;
  if (kind === 'article') return `/t/${tenantId}/kb/articles/${id}`;
  return null;
}
