// The agent's inbox across every tenant they serve (GET /api/v1/conversations), each
// conversation tagged with its tenant, filtered by status, tenant and assignee, kept
// live by the realtime socket: a new message moves its conversation to the top and
// counts as unread. The open conversation sits beside the list
// (/t/:tenantId/inbox/:conversationTenantId/:conversationId); on narrow screens one at
// a time. Keyboard: j/k (or Alt+↓/↑) move through the list, ? lists every shortcut
// (the open conversation handles the rest).
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { Avatar, Badge, Button, Empty, Flex, Grid, Segmented, Select, Spin, Tag, Tooltip, Typography } from 'antd';
import { InboxOutlined, MessageOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { chatApi, CONVERSATION_STATUSES, type ConversationItem } from '../../api/chat';
import { useMe } from '../../auth/AuthContext';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { tenantColor } from '../../components/TenantSwitcher';
import {
  byActivity,
  contactName,
  DEFAULT_FILTER,
  matchesFilter,
  previewOf,
  statusQuery,
  withState,
  type AssigneeFilter,
  type InboxFilter,
  type StatusFilter,
} from '../../lib/chat';
import { formatDateTime, formatRelative } from '../../lib/format';
import { noteAssignee } from '../../lib/notify';
import { isShortcut, useKeydown } from '../../lib/shortcuts';
import { readLocal, writeLocal } from '../../lib/storage';
import { useRealtime, type RealtimeFrame, type RealtimeStatus } from '../../lib/realtime';
import { useTenant } from '../../tenant/TenantContext';
import { ConversationPane } from './ConversationPane';
import { statusLabel, STATUS_COLORS, TenantTag } from './parts';
import { ShortcutsHelp } from './ShortcutsHelp';

const PAGE = 30;
const FILTER_KEY = 'kefu.inboxFilter';

function readFilter(userId: string): InboxFilter {
  try {
    const v = JSON.parse(readLocal(`${FILTER_KEY}.${userId}`) || 'null') as Partial<InboxFilter> | null;
    return v ? { ...DEFAULT_FILTER, ...v } : DEFAULT_FILTER;
  } catch {
    return DEFAULT_FILTER;
  }
}

interface ListState {
  items: ConversationItem[];
  cursor: string | null;
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
}

/** The inbox list for a filter, kept current by realtime frames. */
export function useInboxList(filter: InboxFilter, me: string, selectedId?: string) {
  // The list lives in a ref so that realtime frames read and write it synchronously
  // (several may arrive before React renders); bump re-renders.
  const ref = useRef<ListState>({ items: [], cursor: null, loading: true, loadingMore: false, error: null });
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const setState = useCallback((fn: (s: ListState) => ListState) => {
    const next = fn(ref.current);
    if (next !== ref.current) {
      ref.current = next;
      bump();
    }
  }, []);
  /** Who each listed conversation belongs to (for "assigned to you" notices). */
  const remember = useCallback((items: ConversationItem[]) => {
    for (const i of items) noteAssignee(i.id, i.assignee_id);
  }, []);
  const seq = useRef(0);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;
  const fetching = useRef(new Set<string>());

  const query = useCallback(
    (cursor?: string) =>
      chatApi.inbox({
        status: statusQuery(filterRef.current.status),
        tenant_id: filterRef.current.tenant || undefined,
        assignee: filterRef.current.assignee === 'all' ? undefined : filterRef.current.assignee,
        limit: PAGE,
        cursor,
      }),
    [],
  );

  const reload = useCallback(async () => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const page = await query();
      remember(page.items);
      if (n === seq.current) setState(() => ({ items: page.items, cursor: page.next_cursor, loading: false, loadingMore: false, error: null }));
    } catch (error) {
      if (n === seq.current) setState((s) => ({ ...s, loading: false, error }));
    }
  }, [query, setState, remember]);

  const loadMore = useCallback(async () => {
    const n = seq.current;
    const cursor = ref.current.cursor;
    if (!cursor || ref.current.loadingMore) return;
    setState((s) => ({ ...s, loadingMore: true }));
    try {
      const page = await query(cursor);
      remember(page.items);
      if (n !== seq.current) return;
      setState((s) => {
        const known = new Set(s.items.map((i) => i.id));
        return { ...s, items: [...s.items, ...page.items.filter((i) => !known.has(i.id))], cursor: page.next_cursor, loadingMore: false };
      });
    } catch (error) {
      if (n === seq.current) setState((s) => ({ ...s, loadingMore: false, error }));
    }
  }, [query, setState, remember]);

  useEffect(() => {
    void reload();
  }, [filter.status, filter.tenant, filter.assignee, reload]);

  /** Puts a conversation where it belongs: updated in place, moved by activity, or out. */
  const upsert = useCallback(
    (item: ConversationItem) => {
      remember([item]);
      setState((s) => {
        const keep = matchesFilter(item, filterRef.current, me) || item.id === selectedRef.current;
        const rest = s.items.filter((i) => i.id !== item.id);
        if (!keep) return rest.length === s.items.length ? s : { ...s, items: rest };
        const prev = s.items.find((i) => i.id === item.id);
        // A list item keeps the names a bare update lacks.
        const next = prev ? { ...prev, ...item, contact: item.contact?.id ? { ...prev.contact, ...item.contact } : prev.contact } : item;
        return { ...s, items: [...rest, next].sort(byActivity) };
      });
    },
    [me, setState, remember],
  );

  /** Loads a conversation the list does not have yet (a new one, or one now matching). */
  const fetchInto = useCallback(
    (tenantId: string, id: string) => {
      if (fetching.current.has(id)) return;
      fetching.current.add(id);
      chatApi
        .conversation(tenantId, id)
        .then(upsert, () => null)
        .finally(() => fetching.current.delete(id));
    },
    [upsert],
  );

  const onFrame = useCallback(
    (f: RealtimeFrame) => {
      if (f.type === 'resync') {
        void reload();
        return;
      }
      if (f.type !== 'message.created' && f.type !== 'conversation.updated') return;
      const ev = f;
      const flt = filterRef.current;
      if (flt.tenant && ev.tenant_id !== flt.tenant) return;
      const cur = ref.current.items.find((i) => i.id === ev.conversation_id);
      if (!cur) {
        // Not in the list: a new conversation, or one that now matches the filter.
        if (ev.conversation && !matchesFilter({ ...ev.conversation, tenant_id: ev.tenant_id }, flt, me)) return;
        fetchInto(ev.tenant_id, ev.conversation_id);
        return;
      }
      setState((s) => {
        let next = withState(cur, ev.conversation);
        if (ev.type === 'message.created' && ev.message) {
          const m = ev.message;
          next = {
            ...next,
            last_message_at: ev.conversation?.last_message_at || m.created_at,
            last_message_preview: ev.conversation?.last_message_preview || previewOf(m),
            unread: ev.conversation ? ev.conversation.unread : m.direction === 'in' ? cur.unread + 1 : 0,
          };
        }
        const keep = matchesFilter(next, flt, me) || next.id === selectedRef.current;
        const rest = s.items.filter((i) => i.id !== next.id);
        return { ...s, items: keep ? [...rest, next].sort(byActivity) : rest };
      });
    },
    [me, reload, fetchInto, setState],
  );

  return { ...ref.current, reload, loadMore, upsert, onFrame };
}

function LiveStatus({ status }: { status: RealtimeStatus }) {
  const { t } = useTranslation();
  const badge = status === 'open' ? 'success' : status === 'connecting' || status === 'reconnecting' ? 'processing' : 'default';
  const text = status === 'open' ? t('inbox.live') : status === 'closed' || status === 'idle' ? t('inbox.offline') : t('inbox.reconnecting');
  return (
    <Tooltip title={t('inbox.liveHint')}>
      <Badge status={badge} text={text} data-testid="inbox-live" data-status={status} />
    </Tooltip>
  );
}

function InboxItem({ item, href, selected }: { item: ConversationItem; href: string; selected: boolean }) {
  const { t } = useTranslation();
  const name = contactName(t, item.contact);
  return (
    <Link
      to={href}
      className={`kefu-inbox-item${selected ? ' is-selected' : ''}${item.unread > 0 ? ' is-unread' : ''}`}
      data-testid={`inbox-item-${item.id}`}
      data-tenant={item.tenant_id}
      data-unread={item.unread}
      aria-current={selected ? 'page' : undefined}
    >
      <Avatar src={item.contact?.avatar_url || undefined} style={{ background: tenantColor(item.tenant_id), flex: 'none' }}>
        {[...name][0]?.toUpperCase()}
      </Avatar>
      <div className="kefu-inbox-item-main">
        <Flex justify="space-between" gap={8} align="baseline">
          <Typography.Text strong={item.unread > 0} ellipsis className="kefu-inbox-item-name" data-testid="inbox-item-name">
            {name}
          </Typography.Text>
          <Tooltip title={formatDateTime(item.last_message_at)}>
            <Typography.Text type="secondary" style={{ fontSize: 12, flex: 'none' }}>
              {formatRelative(item.last_message_at)}
            </Typography.Text>
          </Tooltip>
        </Flex>
        <Flex gap={4} wrap style={{ margin: '2px 0' }}>
          <TenantTag id={item.tenant_id} name={item.tenant_name} />
          {item.channel_name ? <Tag style={{ marginInlineEnd: 0 }}>{item.channel_name}</Tag> : null}
          <Tag color={STATUS_COLORS[item.status]} style={{ marginInlineEnd: 0 }} data-testid="inbox-item-status">
            {statusLabel(t, item.status)}
          </Tag>
        </Flex>
        <Flex justify="space-between" gap={8} align="center">
          <Typography.Text type={item.unread > 0 ? undefined : 'secondary'} ellipsis className="kefu-inbox-item-preview" data-testid="inbox-item-preview">
            {item.last_message_preview || '\u00a0'}
          </Typography.Text>
          {item.unread > 0 ? <Badge count={item.unread} overflowCount={99} data-testid="inbox-unread" aria-label={t('inbox.unread', { count: item.unread })} /> : null}
        </Flex>
      </div>
    </Link>
  );
}

export default function Inbox() {
  const { t } = useTranslation();
  const me = useMe();
  const { tenantId } = useTenant();
  const { convTenantId, conversationId } = useParams();
  const screens = Grid.useBreakpoint();
  const narrow = screens.lg === false;
  const [filter, setFilterState] = useState<InboxFilter>(() => readFilter(me.user.id));
  const setFilter = (patch: Partial<InboxFilter>) =>
    setFilterState((f) => {
      const next = { ...f, ...patch };
      writeLocal(`${FILTER_KEY}.${me.user.id}`, JSON.stringify(next));
      return next;
    });
  const list = useInboxList(filter, me.user.id, conversationId);
  const status = useRealtime(list.onFrame);
  const navigate = useNavigate();
  const [helpOpen, setHelpOpen] = useState(false);
  const base = `/t/${tenantId}/inbox`;
  const tenants = me.memberships.filter((m) => m.tenant_status === 'active');
  const showList = !narrow || !conversationId;
  const totalUnread = list.items.reduce((n, i) => n + (i.unread > 0 ? 1 : 0), 0);

  /** Opens the next (1) or previous (-1) conversation of the list. */
  function step(by: 1 | -1) {
    const items = list.items;
    if (!items.length) return;
    const at = items.findIndex((i) => i.id === conversationId);
    const next = at < 0 ? (by > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + by));
    const item = items[next]!;
    if (item.id === conversationId) return;
    navigate(`${base}/${item.tenant_id}/${item.id}`);
    document.querySelector(`[data-testid="inbox-item-${item.id}"]`)?.scrollIntoView?.({ block: 'nearest' });
  }

  useKeydown((e) => {
    if (e.key === '?' && isShortcut(e)) {
      setHelpOpen((o) => !o);
    } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && isShortcut(e, { alt: true })) {
      step(e.key === 'ArrowDown' ? 1 : -1);
    } else if ((e.key === 'j' || e.key === 'k') && isShortcut(e)) {
      step(e.key === 'j' ? 1 : -1);
    } else {
      return;
    }
    e.preventDefault();
  });

  const statusOptions: { value: StatusFilter; label: string }[] = [
    { value: 'active', label: t('inbox.filters.active') },
    ...CONVERSATION_STATUSES.map((s) => ({ value: s as StatusFilter, label: statusLabel(t, s) })),
    { value: 'all', label: t('inbox.filters.allStatuses') },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.inbox')}
        extra={
          <Flex align="center" gap={12}>
            {totalUnread > 0 ? (
              <Badge count={totalUnread} overflowCount={99} title={t('inbox.unreadTotal', { count: totalUnread })} data-testid="inbox-unread-total" />
            ) : null}
            <LiveStatus status={status} />
            <ShortcutsHelp open={helpOpen} onOpenChange={setHelpOpen} />
          </Flex>
        }
      />
      <div className="kefu-inbox" data-testid="inbox">
        {showList ? (
          <section className="kefu-inbox-list" aria-label={t('inbox.listLabel')}>
            <Flex gap={8} wrap className="kefu-inbox-filters">
              <Select<StatusFilter>
                value={filter.status}
                onChange={(v) => setFilter({ status: v })}
                options={statusOptions}
                data-testid="inbox-filter-status"
                aria-label={t('inbox.filters.status')}
                style={{ minWidth: 120, flex: 1 }}
                optionRender={(o) => <span data-testid={`inbox-status-option-${String(o.value)}`}>{o.label}</span>}
              />
              <Select<string>
                value={filter.tenant}
                onChange={(v) => setFilter({ tenant: v })}
                data-testid="inbox-filter-tenant"
                aria-label={t('inbox.filters.tenant')}
                style={{ minWidth: 120, flex: 1 }}
                options={[
                  { value: '', label: t('inbox.filters.allTenants'), slug: 'all' },
                  ...tenants.map((m) => ({ value: m.tenant_id, label: m.tenant_name, slug: m.tenant_slug })),
                ]}
                optionRender={(o) => (
                  <Flex align="center" gap={6} data-testid={`inbox-tenant-option-${String((o.data as { slug: string }).slug)}`}>
                    {o.value ? <span className="kefu-dot" style={{ background: tenantColor(String(o.value)) }} /> : null}
                    {o.label}
                  </Flex>
                )}
              />
              <Segmented<AssigneeFilter>
                block
                value={filter.assignee}
                onChange={(v) => setFilter({ assignee: v })}
                data-testid="inbox-filter-assignee"
                style={{ width: '100%' }}
                options={[
                  { value: 'all', label: <span data-testid="inbox-assignee-all">{t('inbox.filters.everyone')}</span> },
                  { value: 'me', label: <span data-testid="inbox-assignee-me">{t('inbox.filters.mine')}</span> },
                  { value: 'none', label: <span data-testid="inbox-assignee-none">{t('inbox.filters.unassigned')}</span> },
                ]}
              />
            </Flex>
            <div className="kefu-inbox-scroll" data-testid="inbox-list">
              {list.error && !list.items.length ? (
                <ErrorState error={list.error} onRetry={() => void list.reload()} />
              ) : list.loading && !list.items.length ? (
                <div style={{ padding: 40, textAlign: 'center' }}>
                  <Spin />
                </div>
              ) : list.items.length === 0 ? (
                <Empty image={<InboxOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />} description={t('inbox.empty')} data-testid="inbox-empty" style={{ padding: '40px 0' }} />
              ) : (
                <>
                  {list.items.map((i) => (
                    <InboxItem key={i.id} item={i} href={`${base}/${i.tenant_id}/${i.id}`} selected={i.id === conversationId} />
                  ))}
                  {list.cursor ? (
                    <div style={{ padding: 12, textAlign: 'center' }}>
                      <Button onClick={() => void list.loadMore()} loading={list.loadingMore} data-testid="inbox-load-more">
                        {t('common.loadMore')}
                      </Button>
                    </div>
                  ) : null}
                </>
              )}
            </div>
          </section>
        ) : null}
        {conversationId && convTenantId ? (
          <ConversationPane
            key={`${convTenantId}/${conversationId}`}
            tenantId={convTenantId}
            conversationId={conversationId}
            backHref={narrow ? base : undefined}
            onItem={list.upsert}
          />
        ) : !narrow ? (
          <section className="kefu-conv kefu-conv-empty" data-testid="inbox-no-selection">
            <Empty image={<MessageOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />} description={t('inbox.pick')} />
          </section>
        ) : null}
      </div>
    </>
  );
}
