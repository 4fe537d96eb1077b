// Hands a conversation over: to a colleague (their presence and load shown beside their
// name) or to a team's queue, with an optional note for whoever takes it. The server
// refuses a colleague at capacity (409 agent.at-capacity, under the agent), an unknown
// team (404 team.not-found, under the team) and invalid input (400, under the field).
import { useMemo, useState } from 'react';
import { Button, Flex, Form, Input, Radio, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ConversationItem } from '../../api/chat';
import { routingApi, type AgentView, type Team } from '../../api/routing';
import { MAX_TRANSFER_NOTE, workspaceApi, type TransferRequest } from '../../api/workspace';
import { FormError } from '../../components/FormError';
import { FormModal } from '../../components/FormModal';
import { LoadText, PresenceBadge } from '../../components/PresenceSwitch';
import { expectSelfAssign } from '../../lib/notify';
import { useLoad } from '../../lib/useLoad';
import { useServerErrors } from '../../lib/useServerErrors';

type Target = 'agent' | 'team';

interface Values {
  target: Target;
  assignee_id?: string;
  team_id?: string;
  note?: string;
}

function TransferForm({
  tenantId,
  conversation,
  me,
  onDone,
  onCancel,
}: {
  tenantId: string;
  conversation: ConversationItem;
  me: string;
  onDone: (c: ConversationItem) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const agents = useLoad(() => routingApi.agents(tenantId).then((r) => r.items), [tenantId]);
  const teams = useLoad(() => routingApi.teams(tenantId).then((r) => r.items), [tenantId]);
  const target: Target = Form.useWatch('target', form) ?? 'agent';
  const errors = useServerErrors(form, {
    fields: { assignee_id: 'assignee_id', team_id: 'team_id', note: 'note' },
    codes: { 'agent.at-capacity': 'assignee_id', 'team.not-found': 'team_id', 'agent.not-found': 'assignee_id', 'conversation.bad-assignee': 'assignee_id' },
    messages: {
      'agent.at-capacity': t('transfer.atCapacity'),
      'request.invalid@note': t('transfer.noteTooLong', { max: MAX_TRANSFER_NOTE }),
      'request.invalid@assignee_id': t('transfer.pickAgent'),
      'request.invalid@team_id': t('transfer.pickTeam'),
    },
  });

  const agentOptions = useMemo(
    () =>
      (agents.data ?? [])
        .filter((a) => a.user_id !== conversation.assignee_id)
        .map((a: AgentView) => ({ value: a.user_id, label: a.name || a.email, search: `${a.name} ${a.email}`, agent: a })),
    [agents.data, conversation.assignee_id],
  );
  const teamOptions = useMemo(() => (teams.data ?? []).map((x: Team) => ({ value: x.id, label: x.name })), [teams.data]);

  async function submit(v: Values) {
    setBusy(true);
    errors.clear();
    const body: TransferRequest = v.target === 'agent' ? { assignee_id: v.assignee_id } : { team_id: v.team_id };
    const note = v.note?.trim();
    if (note) body.note = note;
    // Taking it oneself is no news to announce.
    if (body.assignee_id === me) expectSelfAssign(conversation.id);
    try {
      onDone(await workspaceApi.transfer(tenantId, conversation.id, body));
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ target: 'agent', note: '' }}
      onValuesChange={errors.clear}
      onFinish={(v) => void submit(v)}
      data-testid="transfer-form"
    >
      <FormError error={errors.formError ?? agents.error ?? teams.error} testId="transfer-error" />
      <Form.Item name="target" label={t('transfer.to')}>
        <Radio.Group>
          <Radio value="agent" data-testid="transfer-to-agent">
            {t('transfer.toAgent')}
          </Radio>
          <Radio value="team" data-testid="transfer-to-team">
            {t('transfer.toTeam')}
          </Radio>
        </Radio.Group>
      </Form.Item>
      {target === 'agent' ? (
        <Form.Item name="assignee_id" label={t('transfer.agent')} rules={[{ required: true, message: t('transfer.pickAgent') }]}>
          <Select
            showSearch
            data-testid="transfer-agent"
            aria-label={t('transfer.agent')}
            placeholder={t('transfer.agentPlaceholder')}
            loading={agents.loading}
            options={agentOptions}
            optionFilterProp="search"
            notFoundContent={agents.loading ? null : t('transfer.noAgents')}
            optionRender={(o) => {
              const a = o.data.agent;
              return (
                <Flex justify="space-between" align="center" gap={8} data-testid={`transfer-agent-option-${a.email}`}>
                  <Flex vertical style={{ minWidth: 0 }}>
                    <span>
                      {o.data.label}
                      {a.user_id === me ? ` ${t('transfer.you')}` : ''}
                    </span>
                    <PresenceBadge presence={a.presence} auto={a.presence_auto} />
                  </Flex>
                  <LoadText load={a.load} capacity={a.capacity} />
                </Flex>
              );
            }}
          />
        </Form.Item>
      ) : (
        <Form.Item name="team_id" label={t('transfer.team')} rules={[{ required: true, message: t('transfer.pickTeam') }]}>
          <Select
            showSearch
            data-testid="transfer-team"
            aria-label={t('transfer.team')}
            placeholder={t('transfer.teamPlaceholder')}
            loading={teams.loading}
            options={teamOptions}
            optionFilterProp="label"
            notFoundContent={teams.loading ? null : t('transfer.noTeams')}
            optionRender={(o) => <span data-testid={`transfer-team-option-${String(o.label)}`}>{o.label}</span>}
          />
        </Form.Item>
      )}
      <Form.Item name="note" label={t('transfer.note')} extra={t('transfer.noteHint')} rules={[{ max: MAX_TRANSFER_NOTE, message: t('transfer.noteTooLong', { max: MAX_TRANSFER_NOTE }) }]}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} data-testid="transfer-note" placeholder={t('transfer.notePlaceholder')} />
      </Form.Item>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {target === 'agent' ? t('transfer.agentHint') : t('transfer.teamHint')}
      </Typography.Paragraph>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="transfer-submit">
          {t('transfer.submit')}
        </Button>
      </Flex>
    </Form>
  );
}

export function TransferModal({
  open,
  tenantId,
  conversation,
  me,
  onDone,
  onClose,
}: {
  open: boolean;
  tenantId: string;
  conversation: ConversationItem;
  me: string;
  onDone: (c: ConversationItem) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <FormModal open={open} title={t('transfer.title')} onCancel={onClose} footer={null} destroyOnHidden width={520}>
      {open ? <TransferForm tenantId={tenantId} conversation={conversation} me={me} onDone={onDone} onCancel={onClose} /> : null}
    </FormModal>
  );
}
