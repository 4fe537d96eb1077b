// Bits the knowledge screens share: the entry's state (working copy against live copy),
// category names and the category tree.
import { Flex, Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { KbArticleSummary, KbCategory, KbFaqSummary, KbStatus } from '../../api/types';
import { formatDate } from '../../lib/format';

export const KB_STATUSES: KbStatus[] = ['draft', 'in_review', 'published', 'archived'];
export const KB_LOCALES = ['zh-CN', 'en'] as const;
export const MAX_QUESTION = 500;
export const MAX_ANSWER_BYTES = 20 * 1024;
/** Channel kinds offered for per-channel answers (any other kind may be typed). */
export const CHANNEL_KINDS = ['web', 'wechat', 'email', 'sms'];

export const KB_STATUS_COLORS: Record<KbStatus, string> = {
  draft: 'default',
  in_review: 'processing',
  published: 'success',
  archived: 'default',
};

type EntryLike = Pick<KbFaqSummary | KbArticleSummary, 'status' | 'live_version' | 'pending_changes' | 'stale' | 'version' | 'expires_at'>;

/**
 * One line that says what customers see against what editors have: "Published",
 * "Published — has unpublished changes", "Draft — not live", "In review", "Archived",
 * and "Expired" when the entry has left the live corpus by its expiry date.
 */
export function stateText(t: TFunction, e: EntryLike): string {
  const live = e.live_version !== null;
  if (e.status === 'published') return t('kb.state.published');
  if (e.status === 'archived') return t('kb.state.archived');
  if (live && e.pending_changes) {
    return e.status === 'in_review' ? t('kb.state.liveInReview') : t('kb.state.livePending');
  }
  return e.status === 'in_review' ? t('kb.state.inReview') : t('kb.state.draft');
}

/** The entry's state as tags: its working copy's status, live or not, expired. */
export function EntryState({ e, testId = 'kb-state' }: { e: EntryLike; testId?: string }) {
  const { t } = useTranslation();
  const live = e.live_version !== null;
  return (
    <Flex gap={4} wrap data-testid={testId} data-status={e.status} data-live={String(live)} data-pending={String(e.pending_changes)} data-stale={String(e.stale)}>
      <Tag color={live && e.pending_changes ? 'warning' : KB_STATUS_COLORS[e.status]} style={{ marginInlineEnd: 0 }}>
        {stateText(t, e)}
      </Tag>
      {live && e.status !== 'published' ? (
        <Tooltip title={t('kb.state.liveHint', { version: e.live_version })}>
          <Tag color="green" style={{ marginInlineEnd: 0 }}>
            {t('kb.state.liveVersion', { version: e.live_version })}
          </Tag>
        </Tooltip>
      ) : null}
      {e.stale ? (
        <Tooltip title={t('kb.state.staleHint', { date: formatDate(e.expires_at) })}>
          <Tag color="error" style={{ marginInlineEnd: 0 }} data-testid={`${testId}-stale`}>
            {t('kb.state.stale')}
          </Tag>
        </Tooltip>
      ) : null}
    </Flex>
  );
}

export function statusLabel(t: TFunction, s: KbStatus): string {
  return t(`kb.status.${s}`);
}

/** A category's name in the user's language, else in the other one. */
export function categoryName(c: Pick<KbCategory, 'name'>, lang: string): string {
  const want = lang === 'en' ? 'en' : 'zh-CN';
  return c.name[want] || c.name[want === 'en' ? 'zh-CN' : 'en'] || Object.values(c.name)[0] || '—';
}

export interface CategoryNode {
  key: string;
  value: string;
  title: string;
  children: CategoryNode[];
  category: KbCategory;
}

/** The flat list as a tree (siblings by position). */
export function categoryTree(list: KbCategory[], lang: string, exclude?: string): CategoryNode[] {
  const byParent = new Map<string, KbCategory[]>();
  for (const c of list) {
    const p = c.parent_id ?? '';
    byParent.set(p, [...(byParent.get(p) ?? []), c]);
  }
  const build = (parent: string): CategoryNode[] =>
    (byParent.get(parent) ?? [])
      .filter((c) => c.id !== exclude)
      .sort((a, b) => a.position - b.position)
      .map((c) => ({ key: c.id, value: c.id, title: categoryName(c, lang), category: c, children: build(c.id) }));
  return build('');
}

/** The category and every category under it. */
export function subtreeIds(list: KbCategory[], id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of list) {
      if (c.parent_id && out.has(c.parent_id) && !out.has(c.id)) {
        out.add(c.id);
        grew = true;
      }
    }
  }
  return out;
}

/** Bytes of UTF-8, as the server measures answers and bodies. */
export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}
