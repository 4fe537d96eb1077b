// Words and colours for the bot's decisions, shared by the bot screens and the
// conversation view (kept apart so the inbox does not load the bot's pages).
import type { TFunction } from 'i18next';
import type { BotDecisionKind } from '../../api/bot';

export const DECISION_COLORS: Record<BotDecisionKind, string> = {
  answer: 'success',
  clarify: 'processing',
  fallback: 'warning',
  handoff: 'magenta',
};

export function decisionLabel(t: TFunction, d: string): string {
  return t(`bot.decisions.${d}`, { defaultValue: d });
}

export function reasonLabel(t: TFunction, r: string | undefined): string {
  return r ? t(`bot.reasons.${r}`, { defaultValue: r }) : '';
}

/** A 0–1 score as a whole percentage. */
export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}
