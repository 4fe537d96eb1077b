// The signed-in user's presence in the console header: a coloured badge with the state
// and their load against capacity ("2/5"); the dropdown changes the presence and sets
// the capacity, with optional caps per channel type (e.g. at most 2 emails at once).
// They belong to the person and apply in every tenant they serve. Polled every 30 s,
// refetched after a change, when one of their conversations changes, and when another
// screen says so (myAgentChanged); an agent.updated frame about them applies at once.
import { cloneElement, isValidElement, useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { Alert, App, Badge, Button, Divider, Dropdown, Flex, Form, InputNumber, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { MAX_CAPACITY, PRESENCES, routingApi, type Agent, type AgentUpdateRequest, type Presence } from '../api/routing';
import { useMe } from '../auth/AuthContext';
import { useOptionalTenant } from '../tenant/TenantContext';
import { errorMessage } from '../lib/errors';
import { onMyAgentChanged, PRESENCE_BADGE, presenceLabel } from '../lib/presence';
import { useRealtime } from '../lib/realtime';
import { useServerErrors } from '../lib/useServerErrors';
import { FormError } from './FormError';
import { capsFromRows, capsRules, ChannelCapsInput, rowsFromCaps, sameCaps, useConnectorNames, type CapRow } from './ChannelCapsInput';

export const PRESENCE_POLL_MS = 30_000;

/** A presence as a coloured dot with its name. */
export function PresenceBadge({ presence, auto, testId }: { presence: Presence; auto?: boolean; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge
      status={PRESENCE_BADGE[presence] ?? 'default'}
      text={auto ? t('presence.autoState', { state: presenceLabel(t, presence) }) : presenceLabel(t, presence)}
      data-testid={testId}
      data-presence={presence}
      data-auto={auto ? 'true' : 'false'}
    />
  );
}

/** "load/capacity", red when full. */
export function LoadText({ load, capacity, testId }: { load: number; capacity: number; testId?: string }) {
  return (
    <Typography.Text type={load >= capacity ? 'danger' : undefined} data-testid={testId} style={{ fontVariantNumeric: 'tabular-nums' }}>
      {load}/{capacity}
    </Typography.Text>
  );
}

export function PresenceSwitch({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const { token } = theme.useToken();
  const [agent, setAgent] = useState<Agent | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [form] = Form.useForm<{ capacity: number | null; channel_caps: CapRow[] }>();
  const errors = useServerErrors(form, { fields: { capacity: 'capacity', channel_capacity: 'channel_caps' } });
  // The channel types to offer: the current tenant's, when this role may list its channels.
  const tenant = useOptionalTenant();
  const connectors = useConnectorNames(tenant?.tenantId, !!tenant?.access?.permissions.includes('channels:read'), open);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    const n = ++seq.current;
    try {
      const a = await routingApi.me();
      if (n !== seq.current) return;
      setAgent(a);
      setUnavailable(false);
    } catch (err) {
      // A server without routing (404) or a session that may not use it: no control.
      if (n === seq.current && isApiError(err) && (err.status === 404 || err.status === 403)) setUnavailable(true);
    }
  }, []);

  useEffect(() => {
    void load();
    const id = setInterval(() => void load(), PRESENCE_POLL_MS);
    const off = onMyAgentChanged(() => void load());
    return () => {
      clearInterval(id);
      clearTimeout(timer.current);
      off();
    };
  }, [load]);

  // One of my conversations changed (assigned, resolved…): my load may have too.
  useRealtime((f) => {
    if (f.type === 'agent.updated' && f.user_id === me.user.id && f.data) {
      // Changed elsewhere (another console, a supervisor): the new state is in the frame.
      setAgent((a) => (a ? { ...a, ...f.data, user_id: a.user_id } : a));
      return;
    }
    if (f.type === 'resync' || (f.type === 'conversation.updated' && f.conversation?.assignee_id === me.user.id)) {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), 500);
    }
  });

  async function update(body: AgentUpdateRequest): Promise<boolean> {
    setBusy(body.presence ?? 'capacity');
    seq.current++;
    try {
      const a = await routingApi.updateMe(body);
      setAgent(a);
      message.success(
        body.presence
          ? t('presence.changed', { state: presenceLabel(t, body.presence) })
          : body.capacity === undefined || (body.capacity === agent?.capacity && body.channel_capacity)
            ? t('channelCaps.saved')
            : t('presence.capacitySaved', { count: a.capacity }),
      );
      // Coming online or more room hands out waiting conversations: the load changes.
      void load();
      return true;
    } catch (err) {
      if (body.capacity !== undefined || body.channel_capacity !== undefined) errors.handle(err);
      else message.error(errorMessage(err, t));
      return false;
    } finally {
      setBusy(null);
    }
  }

  if (unavailable || !agent) return null;

  const label = agent.presence_auto
    ? t('presence.autoState', { state: presenceLabel(t, agent.presence) })
    : presenceLabel(t, agent.presence);

  const panel = (menu: ReactElement) => (
    <div
      className="kefu-presence-panel"
      style={{ background: token.colorBgElevated, borderRadius: token.borderRadiusLG, boxShadow: token.boxShadowSecondary, width: 300 }}
    >
      {agent.presence_auto ? (
        <Alert type="info" showIcon banner message={t('presence.autoHint')} data-testid="presence-auto-hint" style={{ borderRadius: `${token.borderRadiusLG}px ${token.borderRadiusLG}px 0 0` }} />
      ) : null}
      {cloneElement(menu as ReactElement<{ style?: object }>, { style: { boxShadow: 'none' } })}
      <Divider style={{ margin: 0 }} />
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ capacity: agent.capacity, channel_caps: rowsFromCaps(agent.channel_capacity) }}
        style={{ padding: '8px 12px 8px' }}
        onFinish={(v) => {
          // The capacity as before; the caps only when they changed.
          const body: AgentUpdateRequest = { capacity: v.capacity! };
          const caps = capsFromRows(v.channel_caps);
          if (!sameCaps(caps, agent.channel_capacity)) body.channel_capacity = caps;
          void update(body).then((ok) => ok && setOpen(false));
        }}
        onValuesChange={errors.clear}
      >
        <FormError error={errors.formError} testId="presence-error" />
        <Form.Item
          name="capacity"
          label={t('presence.capacity')}
          extra={t('presence.capacityHint', { load: agent.load })}
          style={{ marginBottom: 8 }}
          rules={[{ required: true, message: t('validation.required') }, { type: 'number', min: 0, max: MAX_CAPACITY, message: t('presence.capacityRange', { max: MAX_CAPACITY }) }]}
        >
          <InputNumber min={0} max={MAX_CAPACITY} precision={0} style={{ width: '100%' }} data-testid="presence-capacity-input" aria-label={t('presence.capacity')} />
        </Form.Item>
        <Form.Item
          name="channel_caps"
          label={t('channelCaps.title')}
          tooltip={t('channelCaps.hint')}
          dependencies={['capacity']}
          rules={capsRules(t, () => form.getFieldValue('capacity') as number | null)}
          style={{ marginBottom: 8 }}
        >
          <ChannelCapsInput testId="presence-caps" connectors={connectors} compact />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy === 'capacity'} data-testid="presence-capacity-save">
          {t('common.save')}
        </Button>
      </Form>
    </div>
  );

  return (
    <Dropdown
      trigger={['click']}
      open={open}
      onOpenChange={(next, info) => {
        if (info.source === 'menu') return;
        setOpen(next);
        if (next) {
          form.setFieldsValue({ capacity: agent.capacity, channel_caps: rowsFromCaps(agent.channel_capacity) });
          errors.clear();
          form.setFields([
            { name: 'capacity', errors: [] },
            { name: 'channel_caps', errors: [], warnings: [] },
          ]);
        }
      }}
      popupRender={(menu) => (isValidElement(menu) ? panel(menu) : menu)}
      menu={{
        selectable: true,
        selectedKeys: [agent.presence],
        items: PRESENCES.map((p) => ({
          key: p,
          disabled: busy !== null,
          label: (
            <Flex vertical data-testid={`presence-option-${p}`}>
              <Badge status={PRESENCE_BADGE[p]} text={presenceLabel(t, p)} />
              <Typography.Text type="secondary" style={{ fontSize: 12, paddingInlineStart: 14 }}>
                {t(`presence.hints.${p}`)}
              </Typography.Text>
            </Flex>
          ),
        })),
        onClick: ({ key }) => {
          setOpen(false);
          if (key !== agent.presence || agent.presence_auto) void update({ presence: key as Presence });
        },
      }}
    >
      <Button
        type="text"
        title={t('presence.tooltip', { state: label, load: agent.load, capacity: agent.capacity })}
        data-testid="presence-switch"
        data-presence={agent.presence}
        data-auto={agent.presence_auto ? 'true' : 'false'}
        aria-label={t('presence.change', { state: label })}
        loading={busy !== null && busy !== 'capacity'}
      >
        <Flex align="center" gap={8}>
          <Badge status={PRESENCE_BADGE[agent.presence] ?? 'default'} />
          {compact ? null : <span>{label}</span>}
          <LoadText load={agent.load} capacity={agent.capacity} testId="presence-capacity" />
        </Flex>
      </Button>
    </Dropdown>
  );
}
