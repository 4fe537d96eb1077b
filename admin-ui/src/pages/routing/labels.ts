// Words for routing's values, shared by the routing and queue pages.
import type { TFunction } from 'i18next';
import type { Team } from '../../api/routing';

/** The Select value of "no team" (a Select option cannot be null). */
export const NONE = '__none__';

export function strategyLabel(t: TFunction, s: string): string {
  return t(`routing.strategies.${s}.label`, { defaultValue: s });
}

/** A queue's name: its team's, "General queue" for none, or a note that the team is gone. */
export function teamName(t: TFunction, teams: Team[] | undefined, id: string | null): string {
  if (!id) return t('queue.general');
  return teams?.find((x) => x.id === id)?.name ?? t('routing.teams.unknown');
}
