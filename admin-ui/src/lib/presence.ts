// Presence words and colours, waiting times, and a signal for "my own routing state
// changed elsewhere" (the queue page, an assignment refused for capacity) so the
// header's presence control refetches at once instead of at its next poll.
import i18n from 'i18next';
import type { TFunction } from 'i18next';
import type { Presence } from '../api/routing';

export type BadgeStatus = 'success' | 'error' | 'warning' | 'default' | 'processing';

export const PRESENCE_BADGE: Record<Presence, BadgeStatus> = {
  online: 'success',
  busy: 'error',
  away: 'warning',
  offline: 'default',
};

export function presenceLabel(t: TFunction, p: string): string {
  return t(`presence.states.${p}`, { defaultValue: p });
}

const listeners = new Set<() => void>();

/** Subscribes to changes of the signed-in user's own presence or capacity. */
export function onMyAgentChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Tells the presence control that the user's own state changed (refetch it). */
export function myAgentChanged(): void {
  for (const fn of [...listeners]) fn();
}

/** A wait in seconds as "45 s", "3 min 5 s", "2 h 10 min", in the console's language. */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return i18n.t('duration.seconds', { s });
  if (s < 3600) return i18n.t('duration.minutes', { m: Math.floor(s / 60), s: s % 60 });
  return i18n.t('duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}
