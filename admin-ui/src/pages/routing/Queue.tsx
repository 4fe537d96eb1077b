// The live queue (conversations:read): per queue how many customers wait and for how
// long, the waiting conversations in order, and every agent's presence, load, caps per
// channel type and the conversations they hold now (links into the inbox: a supervisor
// watches any of them live). Refreshed every 5 s and at once when a conversation of
// this tenant changes; an agent.updated frame of this tenant applies to its row at
// once. With routing:manage an agent's presence, capacity and caps can be set here.
import { useCallback, useEffect, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, Badge, Button, Card, Col, Empty, Flex, Form, InputNumber, Row, Select, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { ClockCircleOutlined, EyeOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import {
  applyAgentUpdate,
  type AgentView,
  type LiveAgent,
  MAX_CAPACITY,
  PRESENCES,
  routingApi,
  type AgentUpdateRequest,
  type AgentUpdatedFrame,
  type Presence,
  type QueueStat,
  type WaitingItem,
} from '../../api/routing';
import { CapsTags, capsFromRows, capsRules, ChannelCapsInput, connectorLabel, rowsFromCaps, sameCaps, useConnectorNames, type CapRow } from '../../components/ChannelCapsInput';
import { useMe } from '../../auth/AuthContext';
import { ErrorState } from '../../components/ErrorState';
import { FormError } from '../../components/FormError';
import { FormModal } from '../../components/FormModal';
import { PageHeader } from '../../components/PageHeader';
import { LoadText, PresenceBadge } from '../../components/PresenceSwitch';
import { formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/labels';
import { formatWait, myAgentChanged, PRESENCE_BADGE, presenceLabel } from '../../lib/presence';
import { useRealtime } from '../../lib/realtime';
import { useLoad } from '../../lib/useLoad';
import { useServerErrors } from '../../lib/useServerErrors';
import { useTenant } from '../../tenant/TenantContext';
import { teamName } from './labels';

export const QUEUE_POLL_MS = 5000;

const testId = (id: string, extra: Record<string, string> = {}) => ({ 'data-testid': id, ...extra }) as HTMLAttributes<HTMLElement>;

/** How many held conversations a row shows before "show all". */
const CURRENT_SHOWN = 3;

/** Seconds between two timestamps (the server's clock for both: no skew). */
function waited(from: string, at: string): number {
  const a = Date.parse(at);
  const b = Date.parse(from);
  return Number.isNaN(a) || Number.isNaN(b) ? 0 : Math.max(0, (a - b) / 1000);
}

export default function Queue() {
  const { t } = useTranslation();
  const { tenantId, can } = useTenant();
  const me = useMe();
  const manage = can('routing:manage');
  const queue = useLoad(() => routingApi.queue(tenantId), [tenantId]);
  const teams = useLoad(() => routingApi.teams(tenantId).then((r) => r.items), [tenantId]);
  const [staleError, setStaleError] = useState<unknown>(null);
  const [editing, setEditing] = useState<AgentView | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  /** The newest agent.updated state per user: a refresh that started earlier must not undo it. */
  const fresh = useRef(new Map<string, AgentUpdatedFrame['data']>());
  const connectors = useConnectorNames(tenantId, can('channels:read'), editing !== null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const askedTeams = useRef(new Set<string>());
  const { setData: setQueue } = queue;
  const reloadTeams = teams.reload;
  const teamList = teams.data;

  /** A quiet refresh: no spinner; a failure keeps what is shown and says so. */
  const refresh = useCallback(async () => {
    // One request at a time; a refresh asked for meanwhile runs once it is back.
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        try {
          const q = await routingApi.queue(tenantId);
          setQueue({ ...q, agents: q.agents.map((a) => newer(a, fresh.current.get(a.user_id))) });
          setStaleError(null);
        } catch (err) {
          setStaleError(err);
        }
      } while (again.current);
    } finally {
      inFlight.current = false;
    }
  }, [tenantId, setQueue]);

  useEffect(() => {
    const id = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void refresh();
    }, QUEUE_POLL_MS);
    return () => {
      clearInterval(id);
      clearTimeout(debounce.current);
    };
  }, [refresh]);

  // A conversation of this tenant changed (queued, assigned, resolved): look again.
  useRealtime((f) => {
    if (f.type === 'agent.updated') {
      // An agent's presence or capacity changed: their row, now.
      if (f.tenant_id !== tenantId || !f.data) return;
      fresh.current.set(f.user_id, f.data);
      setQueue((q) => (q ? { ...q, agents: q.agents.map((a) => (a.user_id === f.user_id ? applyAgentUpdate(a, f.data) : a)) } : q));
      return;
    }
    const mine = f.type === 'resync' || ('tenant_id' in f && f.tenant_id === tenantId && (f.type === 'conversation.updated' || f.type === 'message.created'));
    if (!mine) return;
    clearTimeout(debounce.current);
    debounce.current = setTimeout(() => void refresh(), 300);
  });

  // A queue of a team created since the teams were loaded: load them again (once).
  const data = queue.data;
  useEffect(() => {
    if (!data || !teamList) return;
    const ids = [...data.queues.map((q) => q.team_id), ...data.items.map((i) => i.team_id)].filter((x): x is string => !!x);
    const unknown = ids.filter((id) => !teamList.some((x) => x.id === id) && !askedTeams.current.has(id));
    if (unknown.length) {
      unknown.forEach((id) => askedTeams.current.add(id));
      void reloadTeams();
    }
  }, [data, teamList, reloadTeams]);

  if (queue.error && !queue.data) return <ErrorState error={queue.error} onRetry={() => void queue.reload()} />;

  const at = data?.at ?? new Date().toISOString();
  const name = (id: string | null) => teamName(t, teamList, id);
  const agentName = (a: AgentView) => a.name || a.email;
  const toggle = (id: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <>
      <PageHeader
        title={t('nav.queue')}
        subtitle={t('queue.subtitle')}
        extra={
          <Flex align="center" gap={12}>
            {data ? (
              <Typography.Text type="secondary" data-testid="queue-updated">
                {t('queue.updated', { time: formatDateTime(data.at) })}
              </Typography.Text>
            ) : null}
            <Button icon={<ReloadOutlined />} onClick={() => void refresh()} data-testid="queue-refresh">
              {t('common.refresh')}
            </Button>
          </Flex>
        }
      />
      {staleError ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} data-testid="queue-stale" message={t('queue.stale')} /> : null}

      <section aria-label={t('queue.queues')} style={{ marginBottom: 24 }}>
        {queue.loading && !data ? (
          <Card loading />
        ) : data && (data.queues.length || data.left_messages) ? (
          <Row gutter={[16, 16]}>
            {data.queues.map((q: QueueStat) => (
              <Col key={q.team_id ?? 'general'} xs={24} sm={12} lg={8} xl={6}>
                <Card size="small" title={name(q.team_id)} data-testid={`queue-card-${q.team_id ?? 'general'}`}>
                  <Flex gap={24}>
                    <Statistic title={t('queue.waiting')} value={q.waiting} valueRender={(v) => <span data-testid="queue-waiting">{v}</span>} />
                    <Statistic
                      title={t('queue.longest')}
                      value={formatWait(q.longest_wait_seconds)}
                      prefix={<ClockCircleOutlined />}
                      valueStyle={{ fontSize: 20, color: q.longest_wait_seconds >= 300 ? '#cf1322' : undefined }}
                      valueRender={(v) => <span data-testid="queue-longest">{v}</span>}
                    />
                  </Flex>
                </Card>
              </Col>
            ))}
            {data.left_messages ? (
              // Customers who were asked to leave a message wait in the inbox, not here.
              <Col xs={24} sm={12} lg={8} xl={6}>
                <Card
                  size="small"
                  title={t('queue.leftMessages')}
                  data-testid="queue-left-messages"
                  extra={
                    <Link to={`/t/${tenantId}/inbox`} data-testid="queue-left-messages-open">
                      {t('queue.toInbox')}
                    </Link>
                  }
                >
                  <Statistic title={t('queue.leftMessagesHint')} value={data.left_messages} valueRender={(v) => <span data-testid="queue-left-messages-count">{v}</span>} />
                </Card>
              </Col>
            ) : null}
          </Row>
        ) : (
          <Card>
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('queue.nobodyWaiting')} data-testid="queue-empty" />
          </Card>
        )}
      </section>

      <Card title={t('queue.items')} styles={{ body: { padding: 0 } }} style={{ marginBottom: 24 }}>
        <Table<WaitingItem>
          rowKey="conversation_id"
          data-testid="queue-items"
          loading={queue.loading && !data}
          dataSource={data?.items ?? []}
          pagination={false}
          scroll={{ x: 640 }}
          onRow={(i) => testId(`queue-item-${i.conversation_id}`)}
          locale={{ emptyText: t('queue.nobodyWaiting') }}
          columns={[
            { title: t('queue.queue'), key: 'queue', render: (_, i) => name(i.team_id) },
            { title: t('queue.position'), key: 'position', width: 90, render: (_, i) => <span data-testid="queue-item-position">{i.position}</span> },
            {
              title: t('queue.priority'),
              key: 'priority',
              width: 100,
              render: (_, i) => <Tag color={i.priority > 0 ? 'volcano' : undefined}>{i.priority}</Tag>,
            },
            { title: t('queue.waited'), key: 'waited', width: 140, render: (_, i) => <span data-testid="queue-item-waited">{formatWait(waited(i.queued_at, at))}</span> },
            {
              title: <span className="sr-only">{t('common.actions')}</span>,
              key: 'open',
              width: 120,
              align: 'right',
              render: (_, i) => (
                <Link to={`/t/${tenantId}/inbox/${tenantId}/${i.conversation_id}`} data-testid={`queue-open-${i.conversation_id}`}>
                  {t('queue.open')}
                </Link>
              ),
            },
          ]}
        />
      </Card>

      <Card title={t('queue.agents')} styles={{ body: { padding: 0 } }}>
        <Table<LiveAgent>
          rowKey="user_id"
          data-testid="queue-agents"
          loading={queue.loading && !data}
          dataSource={data?.agents ?? []}
          pagination={false}
          scroll={{ x: 1240 }}
          onRow={(a) => testId(`agent-row-${a.user_id}`, { 'data-email': a.email })}
          locale={{ emptyText: t('queue.noAgents') }}
          columns={[
            {
              title: t('queue.agent'),
              key: 'name',
              render: (_, a) => (
                <Flex vertical>
                  <Typography.Text strong>
                    {agentName(a)}
                    {a.user_id === me.user.id ? <Tag style={{ marginInlineStart: 8 }}>{t('queue.you')}</Tag> : null}
                  </Typography.Text>
                  {a.name ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {a.email}
                    </Typography.Text>
                  ) : null}
                </Flex>
              ),
            },
            { title: t('queue.role'), key: 'role', width: 120, render: (_, a) => roleLabel(t, a.role) },
            {
              title: t('queue.presence'),
              key: 'presence',
              width: 150,
              render: (_, a) => <PresenceBadge presence={a.presence} auto={a.presence_auto} testId={`agent-presence-${a.user_id}`} />,
            },
            {
              title: t('queue.load'),
              key: 'load',
              width: 110,
              render: (_, a) => <LoadText load={a.load} capacity={a.capacity} testId={`agent-load-${a.user_id}`} />,
            },
            {
              title: t('queue.caps'),
              key: 'caps',
              width: 150,
              render: (_, a) => <CapsTags caps={a.channel_capacity} testId={`agent-caps-${a.user_id}`} />,
            },
            { title: t('queue.openHere'), key: 'open', width: 110, render: (_, a) => <span data-testid={`agent-open-${a.user_id}`}>{a.open}</span> },
            {
              title: (
                <Tooltip title={t('queue.currentHint')}>
                  <span>{t('queue.current')}</span>
                </Tooltip>
              ),
              key: 'current',
              width: 260,
              render: (_, a) => <Held t={t} tenantId={tenantId} agent={a} all={expanded.has(a.user_id)} onToggle={() => toggle(a.user_id)} />,
            },
            {
              title: t('queue.teams'),
              key: 'teams',
              render: (_, a) => (
                <Flex gap={4} wrap>
                  {a.team_ids.map((id) => (
                    <Tag key={id} style={{ marginInlineEnd: 0 }}>
                      {name(id)}
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            ...(manage
              ? [
                  {
                    title: <span className="sr-only">{t('common.actions')}</span>,
                    key: 'actions',
                    width: 100,
                    align: 'right' as const,
                    render: (_: unknown, a: LiveAgent) => (
                      <Button type="link" onClick={() => setEditing(a)} data-testid={`agent-edit-${a.user_id}`}>
                        {t('common.edit')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>

      <FormModal open={editing !== null} title={editing ? t('queue.editTitle', { name: agentName(editing) }) : ''} onCancel={() => setEditing(null)} footer={null} destroyOnHidden>
        {editing ? (
          <AgentForm
            tenantId={tenantId}
            agent={editing}
            connectors={connectors}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              if (editing.user_id === me.user.id) myAgentChanged();
              setEditing(null);
              void refresh();
            }}
          />
        ) : null}
      </FormModal>
    </>
  );
}

/** The state of a newer agent.updated frame over a roster row that may be older. */
function newer(a: LiveAgent, d: AgentUpdatedFrame['data'] | undefined): LiveAgent {
  if (!d?.updated_at || Date.parse(d.updated_at) <= Date.parse(a.updated_at)) return a;
  return applyAgentUpdate(a, d);
}

/** The conversations an agent holds now, each a link into the inbox. */
function Held({ t, tenantId, agent, all, onToggle }: { t: TFunction; tenantId: string; agent: LiveAgent; all: boolean; onToggle: () => void }) {
  const list = agent.current;
  if (!list.length) {
    return (
      <Typography.Text type="secondary" data-testid={`agent-current-${agent.user_id}`}>
        {t('queue.currentNone')}
      </Typography.Text>
    );
  }
  const shown = all ? list : list.slice(0, CURRENT_SHOWN);
  const more = agent.open - list.length;
  return (
    <Flex vertical gap={2} align="start" data-testid={`agent-current-${agent.user_id}`}>
      {shown.map((c) => (
        <Tooltip key={c.conversation_id} title={c.assigned_at ? t('queue.currentSince', { time: formatDateTime(c.assigned_at) }) : undefined}>
          <Link to={`/t/${tenantId}/inbox/${tenantId}/${c.conversation_id}`} data-testid={`queue-agent-conversation-${c.conversation_id}`}>
            <Flex gap={6} align="center">
              <EyeOutlined />
              <Typography.Text ellipsis style={{ maxWidth: 140, color: 'inherit' }}>
                {c.contact_name || t('queue.customer')}
              </Typography.Text>
              {c.channel ? (
                <Tag style={{ marginInlineEnd: 0, fontSize: 11, lineHeight: '16px' }}>{connectorLabel(t, c.channel)}</Tag>
              ) : null}
            </Flex>
          </Link>
        </Tooltip>
      ))}
      {list.length > CURRENT_SHOWN ? (
        <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={onToggle} data-testid={`agent-current-toggle-${agent.user_id}`}>
          {all ? t('queue.currentShowLess') : t('queue.currentShowAll', { count: list.length })}
        </Button>
      ) : null}
      {all && more > 0 ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('queue.currentMore', { count: more })}
        </Typography.Text>
      ) : null}
    </Flex>
  );
}

interface AgentValues {
  presence: Presence;
  capacity: number | null;
  channel_caps: CapRow[];
}

/** An admin sets a member's presence (signs them off), capacity or caps: theirs in every tenant. */
function AgentForm({
  tenantId,
  agent,
  connectors,
  onSaved,
  onCancel,
}: {
  tenantId: string;
  agent: AgentView;
  connectors: string[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<AgentValues>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, { fields: { presence: 'presence', capacity: 'capacity', channel_capacity: 'channel_caps' } });

  async function submit(v: AgentValues) {
    const body: AgentUpdateRequest = {};
    if (v.presence !== agent.presence) body.presence = v.presence;
    if (v.capacity !== null && v.capacity !== agent.capacity) body.capacity = v.capacity;
    const caps = capsFromRows(v.channel_caps);
    if (!sameCaps(caps, agent.channel_capacity)) body.channel_capacity = caps;
    if (!body.presence && body.capacity === undefined && body.channel_capacity === undefined) {
      onCancel();
      return;
    }
    setBusy(true);
    try {
      await routingApi.updateAgent(tenantId, agent.user_id, body);
      onSaved();
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<AgentValues>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="agent-form"
      initialValues={{ presence: agent.presence, capacity: agent.capacity, channel_caps: rowsFromCaps(agent.channel_capacity) }}
      onValuesChange={errors.clear}
      onFinish={(v) => void submit(v)}
    >
      <FormError error={errors.formError} testId="agent-error" />
      <Typography.Paragraph type="secondary">{t('queue.editHint')}</Typography.Paragraph>
      <Form.Item name="presence" label={t('queue.presence')}>
        <Select
          data-testid="agent-presence"
          aria-label={t('queue.presence')}
          options={PRESENCES.map((p) => ({ value: p, label: presenceLabel(t, p) }))}
          optionRender={(o) => (
            <span data-testid={`agent-presence-option-${String(o.value)}`}>
              <Badge status={PRESENCE_BADGE[o.value as Presence]} text={o.label} />
            </span>
          )}
        />
      </Form.Item>
      <Form.Item
        name="capacity"
        label={t('presence.capacity')}
        extra={t('queue.capacityHint', { load: agent.load })}
        rules={[
          { required: true, message: t('validation.required') },
          { type: 'number', min: 0, max: MAX_CAPACITY, message: t('presence.capacityRange', { max: MAX_CAPACITY }) },
        ]}
      >
        <InputNumber min={0} max={MAX_CAPACITY} precision={0} style={{ width: '100%' }} data-testid="agent-capacity" />
      </Form.Item>
      <Form.Item
        name="channel_caps"
        label={t('channelCaps.title')}
        extra={t('channelCaps.hint')}
        dependencies={['capacity']}
        rules={capsRules(t, () => form.getFieldValue('capacity') as number | null)}
      >
        <ChannelCapsInput testId="agent-form-caps" connectors={connectors} />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="agent-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
