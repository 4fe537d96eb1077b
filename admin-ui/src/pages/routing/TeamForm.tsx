// Create or edit a team: its name, how it picks among its members, the members (from
// the tenant's agents) with their skills, its overflow (after how many minutes a
// waiting conversation moves on, and to which team) and its own business hours (off:
// the tenant's). The server's problem+json errors show under the field they concern:
// team.name-taken under the name, routing.not-member under the members,
// settings.hours.… under the hours editor (naming the day or holiday, the input marked).
import { useMemo, useState } from 'react';
import { Alert, Button, Col, Divider, Flex, Form, Input, InputNumber, Row, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import {
  MAX_NAME,
  MAX_OVERFLOW_MINUTES,
  MAX_SKILLS,
  routingApi,
  STRATEGIES,
  type AgentView,
  type BusinessHours,
  type CreateTeamRequest,
  type Team,
  type TeamSettings,
  type TeamStrategy,
} from '../../api/routing';
import { FormError } from '../../components/FormError';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';
import { cleanHours, hoursRule, serverProblemText } from './hours';
import { HoursEditor } from './HoursEditor';
import { NONE, strategyLabel } from './labels';

const MAX_MEMBERS = 500;

interface Values {
  name: string;
  strategy: TeamStrategy;
  members: string[];
  /** Skills by member user id. */
  skills: Record<string, string[] | undefined>;
  overflow_after_minutes: number | null;
  overflow_team_id: string;
  /** null: the tenant's hours. */
  hours: BusinessHours;
}

function cleanList(list: string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of list ?? []) {
    const s = v.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * The POST/PATCH body. A PATCH replaces the settings object: settings this form does not
 * edit (base, the team's current ones) are sent back unchanged.
 */
export function toTeamInput(v: Values, base?: TeamSettings): CreateTeamRequest {
  const settings: TeamSettings = {
    ...base,
    overflow_after_minutes: v.overflow_after_minutes ?? 0,
    overflow_team_id: v.overflow_team_id && v.overflow_team_id !== NONE ? v.overflow_team_id : null,
  };
  // Own hours, or null (the tenant's): absent means the same, so a team that never had
  // its own is sent without the key.
  const hours = cleanHours(v.hours);
  if (hours || base?.hours) settings.hours = hours;
  else delete settings.hours;
  return {
    name: v.name.trim(),
    strategy: v.strategy,
    settings,
    members: (v.members ?? []).map((id) => ({ user_id: id, skills: cleanList(v.skills?.[id]) })),
  };
}

export function TeamForm({
  tenantId,
  team,
  teams,
  agents,
  timeZone,
  onSaved,
  onCancel,
}: {
  tenantId: string;
  /** Editing this team; creating when absent. */
  team?: Team;
  /** Every team of the tenant (for the overflow target). */
  teams: Team[];
  /** The tenant's members; null while they cannot be listed. */
  agents: AgentView[] | null;
  /** Where new business hours start (the tenant's zone). */
  timeZone?: string;
  onSaved: (team: Team, created: boolean) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [hoursError, setHoursError] = useState<string | null>(null);
  const editing = !!team;
  const errors = useServerErrors(form, {
    fields: {
      name: 'name',
      strategy: 'strategy',
      members: 'members',
      'members.skills': 'members',
      'settings.overflow_after_minutes': 'overflow_after_minutes',
      'settings.overflow_team_id': 'overflow_team_id',
    },
    codes: { 'team.name-taken': 'name', 'routing.not-member': 'members' },
    messages: {
      'request.invalid@name': t('routing.teams.nameLength', { max: MAX_NAME }),
      'request.invalid@members.skills': t('routing.teams.tooManySkills', { max: MAX_SKILLS }),
      'request.invalid@settings.overflow_after_minutes': t('routing.teams.overflowRange', { max: MAX_OVERFLOW_MINUTES }),
      'request.invalid@settings.overflow_team_id': t('routing.teams.overflowTeamInvalid'),
    },
  });

  const initialValues = useMemo<Values>(
    () => ({
      name: team?.name ?? '',
      strategy: team?.strategy ?? 'least_busy',
      members: team?.members.map((m) => m.user_id) ?? [],
      skills: Object.fromEntries((team?.members ?? []).map((m) => [m.user_id, m.skills])),
      overflow_after_minutes: team?.settings.overflow_after_minutes ?? 0,
      overflow_team_id: team?.settings.overflow_team_id ?? NONE,
      hours: team?.settings.hours ?? null,
    }),
    [team],
  );
  const selected: string[] = Form.useWatch('members', form) ?? initialValues.members;
  const strategy: TeamStrategy = Form.useWatch('strategy', form) ?? initialValues.strategy;
  const minutes = Form.useWatch('overflow_after_minutes', form) ?? initialValues.overflow_after_minutes;

  const byId = useMemo(() => new Map((agents ?? []).map((a) => [a.user_id, a])), [agents]);
  const memberKey = (id: string) => byId.get(id)?.email || id;
  const memberName = (id: string) => byId.get(id)?.name || byId.get(id)?.email || id.slice(0, 8);

  const memberOptions = useMemo(() => {
    const opts = (agents ?? []).map((a) => ({
      value: a.user_id,
      label: a.name || a.email,
      search: `${a.name} ${a.email}`,
      email: a.email,
    }));
    // A member the list lacks (they left the tenant): keep them visible to remove.
    for (const m of team?.members ?? []) {
      if (!byId.has(m.user_id)) opts.push({ value: m.user_id, label: m.user_id.slice(0, 8), search: m.user_id, email: m.user_id });
    }
    return opts;
  }, [agents, team, byId]);

  async function submit(v: Values) {
    setBusy(true);
    errors.clear();
    try {
      const body = toTeamInput(v, team?.settings);
      const saved = editing ? await routingApi.updateTeam(tenantId, team!.id, body) : await routingApi.createTeam(tenantId, body);
      onSaved(saved, !editing);
    } catch (err) {
      if (isApiError(err) && err.field && (err.field === 'settings.hours' || err.field.startsWith('settings.hours.'))) {
        const path = err.field.slice('settings.hours.'.length);
        errors.clear();
        setHoursError(path);
        form.setFields([{ name: 'hours', errors: [serverProblemText(t, path, form.getFieldValue('hours') as BusinessHours)] }]);
        try {
          form.scrollToField('hours', { block: 'center' });
        } catch {
          /* not rendered */
        }
      } else errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="team-form"
      initialValues={initialValues}
      onValuesChange={() => {
        errors.clear();
        setHoursError(null);
      }}
      onFinish={(v) => void submit(v)}
      scrollToFirstError
    >
      <FormError error={errors.formError} testId="team-error" />
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="name" label={t('routing.teams.name')} rules={[rules.required(t), rules.maxLen(t, MAX_NAME)]}>
            <Input data-testid="team-name" autoComplete="off" placeholder={t('routing.teams.namePlaceholder')} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="strategy" label={t('routing.teams.strategy')} extra={t(`routing.strategies.${strategy}.hint`)} rules={[{ required: true, message: t('validation.required') }]}>
            <Select
              data-testid="team-strategy"
              aria-label={t('routing.teams.strategy')}
              options={STRATEGIES.map((s) => ({ value: s, label: strategyLabel(t, s) }))}
              optionRender={(o) => <span data-testid={`team-strategy-${String(o.value)}`}>{o.label}</span>}
            />
          </Form.Item>
        </Col>
      </Row>

      <Form.Item
        name="members"
        label={t('routing.teams.members')}
        extra={t('routing.teams.membersHint')}
        rules={[{ type: 'array', max: MAX_MEMBERS, message: t('routing.teams.tooManyMembers', { max: MAX_MEMBERS }) }]}
      >
        <Select
          mode="multiple"
          allowClear
          data-testid="team-members"
          aria-label={t('routing.teams.members')}
          placeholder={t('routing.teams.membersPlaceholder')}
          options={memberOptions}
          optionFilterProp="search"
          loading={agents === null}
          notFoundContent={t('routing.teams.noAgents')}
          optionRender={(o) => (
            <Flex vertical data-testid={`team-member-option-${o.data.email}`}>
              <span>{o.data.label}</span>
              {o.data.email !== o.data.label ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {o.data.email}
                </Typography.Text>
              ) : null}
            </Flex>
          )}
        />
      </Form.Item>

      {selected.length ? (
        <div className="kefu-team-skills" data-testid="team-skills">
          <Typography.Text strong>{t('routing.teams.skills')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {strategy === 'skills' ? t('routing.teams.skillsHintOn') : t('routing.teams.skillsHintOff')}
          </Typography.Paragraph>
          {selected.map((id) => (
            <Form.Item
              key={id}
              name={['skills', id]}
              label={memberName(id)}
              style={{ marginBottom: 8 }}
              rules={[{ type: 'array', max: MAX_SKILLS, message: t('routing.teams.tooManySkills', { max: MAX_SKILLS }) }]}
            >
              <Select
                mode="tags"
                suffixIcon={null}
                notFoundContent={null}
                tokenSeparators={[',', '，']}
                placeholder={t('routing.teams.skillsPlaceholder')}
                data-testid={`team-skills-${memberKey(id)}`}
                aria-label={t('routing.teams.skillsOfMember', { name: memberName(id) })}
              />
            </Form.Item>
          ))}
        </div>
      ) : null}

      <Divider orientation="left" plain>
        <Typography.Text type="secondary">{t('routing.teams.overflow')}</Typography.Text>
      </Divider>
      <Row gutter={16}>
        <Col xs={24} md={10}>
          <Form.Item
            name="overflow_after_minutes"
            label={t('routing.teams.overflowMinutes')}
            extra={t('routing.teams.overflowMinutesHint')}
            rules={[
              { required: true, message: t('validation.required') },
              { type: 'number', min: 0, max: MAX_OVERFLOW_MINUTES, message: t('routing.teams.overflowRange', { max: MAX_OVERFLOW_MINUTES }) },
            ]}
          >
            <InputNumber min={0} max={MAX_OVERFLOW_MINUTES} precision={0} style={{ width: '100%' }} suffix={t('routing.teams.minutes')} data-testid="team-overflow-minutes" />
          </Form.Item>
        </Col>
        <Col xs={24} md={14}>
          <Form.Item name="overflow_team_id" label={t('routing.teams.overflowTeam')} extra={t('routing.teams.overflowTeamHint')}>
            <Select
              data-testid="team-overflow-team"
              aria-label={t('routing.teams.overflowTeam')}
              disabled={!minutes}
              options={[
                { value: NONE, label: t('routing.teams.overflowNone'), key: 'none' },
                ...teams.filter((x) => x.id !== team?.id).map((x) => ({ value: x.id, label: x.name, key: x.name })),
              ]}
              optionRender={(o) => <span data-testid={`team-overflow-team-option-${o.value === NONE ? 'none' : String(o.data.key)}`}>{o.label}</span>}
            />
          </Form.Item>
        </Col>
      </Row>
      <Divider orientation="left" plain>
        <Typography.Text type="secondary">{t('routing.teams.hours')}</Typography.Text>
      </Divider>
      <Form.Item name="hours" extra={t('routing.teams.hoursHint')} rules={[hoursRule(t)]}>
        <HoursEditor testId="team-hours" kind="team" error={hoursError} defaultTimeZone={timeZone} />
      </Form.Item>
      {agents !== null && agents.length === 0 ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('routing.teams.noAgents')} /> : null}
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="team-save">
          {editing ? t('common.save') : t('routing.teams.create')}
        </Button>
      </Flex>
    </Form>
  );
}
