// The tenant's routing rules: an ordered list, tried top to bottom, the first match
// wins. A rule's conditions (channels, departments, languages, contact tags, keywords)
// must all hold, any value of one will do, and an empty one matches anything. A match
// sends the conversation to a team's queue with a priority and the skills it needs.
// Below the rules: the default team, the message a waiting customer gets, the tenant's
// business hours (HoursEditor) with what happens outside them and the message sent
// then, how long a conversation may wait in the general queue before its customer is
// asked to leave a message (and that message), and the wrap-up agents give when
// resolving (off, optional or required, with its categories; shown when the server
// has it). Saving replaces the whole settings object. A server error about the hours
// (hours.weekly.mon[0].start…) marks that input and names it under the editor.
import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Divider, Empty, Flex, Form, Input, InputNumber, Radio, Row, Select, Skeleton, Tooltip, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { chatApi, type Channel } from '../../api/chat';
import { isApiError } from '../../api/client';
import {
  DEFAULT_MESSAGE,
  DEFAULT_QUEUE_MESSAGE,
  MAX_MESSAGE,
  MAX_NAME,
  MAX_OVERFLOW_MINUTES,
  MAX_PRIORITY,
  MAX_QUEUE_MESSAGE,
  MAX_SKILLS,
  MAX_VALUES,
  OUTSIDE_HOURS,
  routingApi,
  type BusinessHours,
  type OutsideHours,
  type RoutingRule,
  type RoutingSettings,
  type RoutingSettingsRequest,
  type Team,
} from '../../api/routing';
import { MAX_WRAPUP_CATEGORIES, MAX_WRAPUP_CATEGORY, WRAPUP_MODES, type WrapUpMode, type WrapUpSettings } from '../../api/workspace';
import { ErrorState } from '../../components/ErrorState';
import { FormError } from '../../components/FormError';
import { errorMessage } from '../../lib/errors';
import { rules as vrules, runeLength } from '../../lib/rules';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { cleanHours, hoursRule, serverProblemText } from './hours';
import { HoursEditor } from './HoursEditor';
import { NONE } from './labels';
import type { Loaded } from './Teams';

interface RuleValues {
  name: string;
  channel_ids: string[];
  departments: string[];
  languages: string[];
  contact_tags: string[];
  keywords: string[];
  team_id: string;
  priority: number | null;
  skills: string[];
}

export interface RulesValues {
  rules: RuleValues[];
  default_team_id: string;
  use_default_message: boolean;
  queue_message: string;
  hours: BusinessHours;
  outside_hours: OutsideHours;
  use_default_outside_message: boolean;
  outside_hours_message: string;
  overflow_after_minutes: number | null;
  use_default_leave_message: boolean;
  leave_message: string;
  wrapup_mode: WrapUpMode;
  wrapup_categories: string[];
}

/** The settings with the wrap-up (typed here until the OpenAPI document has it). */
type Settings = RoutingSettings & { wrap_up?: WrapUpSettings };
type SettingsInput = RoutingSettingsRequest & { wrap_up?: WrapUpSettings };

const LANGUAGE_SUGGESTIONS = ['zh-CN', 'zh', 'en', 'ja', 'ko'];

function newRule(): RuleValues {
  return { name: '', channel_ids: [], departments: [], languages: [], contact_tags: [], keywords: [], team_id: NONE, priority: 0, skills: [] };
}

function cleanList(list: string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of list ?? []) {
    const s = v.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

function toValues(s: Settings): RulesValues {
  const useDefault = s.queue_message === DEFAULT_QUEUE_MESSAGE;
  const outsideDefault = s.outside_hours_message === DEFAULT_MESSAGE;
  const leaveDefault = s.leave_message === DEFAULT_MESSAGE;
  return {
    rules: s.rules.map((r) => ({
      name: r.name,
      channel_ids: r.channel_ids ?? [],
      departments: r.departments ?? [],
      languages: r.languages ?? [],
      contact_tags: r.contact_tags ?? [],
      keywords: r.keywords ?? [],
      team_id: r.team_id ?? NONE,
      priority: r.priority ?? 0,
      skills: r.skills ?? [],
    })),
    default_team_id: s.default_team_id ?? NONE,
    use_default_message: useDefault,
    queue_message: useDefault ? '' : s.queue_message,
    hours: s.hours ?? null,
    outside_hours: s.outside_hours ?? 'wait',
    use_default_outside_message: outsideDefault,
    outside_hours_message: outsideDefault ? '' : (s.outside_hours_message ?? ''),
    overflow_after_minutes: s.overflow_after_minutes ?? 0,
    use_default_leave_message: leaveDefault,
    leave_message: leaveDefault ? '' : (s.leave_message ?? ''),
    wrapup_mode: s.wrap_up?.mode ?? 'off',
    wrapup_categories: s.wrap_up?.categories ?? [],
  };
}

/**
 * The PUT body for the form's values. PUT replaces the whole settings object (absent
 * fields take their defaults), so the settings this form does not edit (base, as
 * loaded) are sent back unchanged.
 */
export function toSettingsInput(v: RulesValues, base: Settings): SettingsInput {
  const out: SettingsInput = {
    ...base,
    rules: (v.rules ?? []).map(
      (r): RoutingRule => ({
        name: r.name.trim(),
        channel_ids: r.channel_ids ?? [],
        departments: cleanList(r.departments),
        languages: cleanList(r.languages),
        contact_tags: cleanList(r.contact_tags),
        keywords: cleanList(r.keywords),
        team_id: r.team_id && r.team_id !== NONE ? r.team_id : null,
        priority: r.priority ?? 0,
        skills: cleanList(r.skills),
      }),
    ),
    default_team_id: v.default_team_id && v.default_team_id !== NONE ? v.default_team_id : null,
    queue_message: v.use_default_message ? DEFAULT_QUEUE_MESSAGE : (v.queue_message ?? ''),
    hours: cleanHours(v.hours),
    outside_hours: v.outside_hours ?? 'wait',
    outside_hours_message: v.use_default_outside_message ? DEFAULT_MESSAGE : (v.outside_hours_message ?? ''),
    overflow_after_minutes: v.overflow_after_minutes ?? 0,
    leave_message: v.use_default_leave_message ? DEFAULT_MESSAGE : (v.leave_message ?? ''),
  };
  // Only a server that has wrap-up settings answers them (and accepts them back).
  if (base.wrap_up) out.wrap_up = { mode: v.wrapup_mode ?? 'off', categories: cleanList(v.wrapup_categories) };
  return out;
}

/** The server's names of a rule's fields → the form's. */
const RULE_FIELDS: Record<string, keyof RuleValues> = {
  name: 'name',
  channel_ids: 'channel_ids',
  departments: 'departments',
  languages: 'languages',
  contact_tags: 'contact_tags',
  keywords: 'keywords',
  team_id: 'team_id',
  priority: 'priority',
  skills: 'skills',
};

function ruleFieldText(t: TFunction, sub: string, err: unknown): string {
  switch (sub) {
    case 'name':
      return t('routing.rules.errors.name', { max: MAX_NAME });
    case 'priority':
      return t('routing.rules.errors.priority', { max: MAX_PRIORITY });
    case 'team_id':
      return t('routing.rules.errors.team');
    case 'skills':
      return t('routing.rules.errors.skills', { max: MAX_SKILLS });
    case 'channel_ids':
    case 'departments':
    case 'languages':
    case 'contact_tags':
    case 'keywords':
      return t('routing.rules.errors.values', { max: MAX_VALUES, len: MAX_NAME });
    default:
      return errorMessage(err, t);
  }
}

interface RuleError {
  index: number;
  name: string;
  text: string;
  requestId?: string;
}

/** The settings' fields shown as they are, by the server's name. */
const PLAIN_FIELDS: Record<string, keyof RulesValues> = {
  outside_hours: 'outside_hours',
  outside_hours_message: 'outside_hours_message',
  overflow_after_minutes: 'overflow_after_minutes',
  leave_message: 'leave_message',
};

function plainFieldText(t: TFunction, field: string, err: unknown): string {
  switch (field) {
    case 'overflow_after_minutes':
      return t('routing.teams.overflowRange', { max: MAX_OVERFLOW_MINUTES });
    case 'outside_hours_message':
    case 'leave_message':
      return t('routing.rules.errors.message', { max: MAX_MESSAGE });
    default:
      return errorMessage(err, t);
  }
}

/**
 * Puts a server error on the form: rules[i].field under that rule's field, with an
 * alert naming the rule (it may be scrolled away); hours.… under the hours editor,
 * naming the day or holiday, with that input marked (hours: the path); the other
 * fields under theirs; anything else in the form-level alert.
 */
function applyError(err: unknown, form: FormInstance<RulesValues>, t: TFunction): { rule: RuleError | null; form: unknown; hours?: string } {
  if (!isApiError(err) || !err.field) return { rule: null, form: err };
  if (err.field === 'hours' || err.field.startsWith('hours.')) {
    const path = err.field.slice('hours.'.length);
    form.setFields([{ name: 'hours', errors: [serverProblemText(t, path, form.getFieldValue('hours') as BusinessHours)] }]);
    try {
      form.scrollToField('hours', { block: 'center' });
    } catch {
      /* not rendered */
    }
    return { rule: null, form: null, hours: path };
  }
  const plain = PLAIN_FIELDS[err.field];
  if (plain) {
    form.setFields([{ name: plain, errors: [plainFieldText(t, err.field, err)] }]);
    return { rule: null, form: null };
  }
  const m = /^rules\[(\d+)\](?:\.(\w+))?/.exec(err.field);
  if (m) {
    const index = Number(m[1]);
    const sub = m[2] ?? '';
    const text = ruleFieldText(t, sub, err);
    const field = RULE_FIELDS[sub];
    const name = (form.getFieldValue(['rules', index, 'name']) as string | undefined) ?? '';
    if (field) {
      form.setFields([{ name: ['rules', index, field], errors: [text] }]);
      try {
        form.scrollToField(['rules', index, field], { block: 'center' });
      } catch {
        /* not rendered */
      }
    }
    return { rule: { index, name, text, requestId: err.requestId }, form: null };
  }
  if (err.field === 'default_team_id') {
    form.setFields([{ name: 'default_team_id', errors: [t('routing.rules.errors.team')] }]);
    return { rule: null, form: null };
  }
  if (err.field === 'wrap_up.mode') {
    form.setFields([{ name: 'wrapup_mode', errors: [errorMessage(err, t)] }]);
    return { rule: null, form: null };
  }
  if (err.field === 'wrap_up' || err.field.startsWith('wrap_up.categories')) {
    form.setFields([{ name: 'wrapup_categories', errors: [t('routing.wrapUp.categoriesInvalid', { max: MAX_WRAPUP_CATEGORIES, len: MAX_WRAPUP_CATEGORY })] }]);
    return { rule: null, form: null };
  }
  if (err.field === 'queue_message') {
    form.setFields([{ name: 'queue_message', errors: [t('routing.rules.errors.queueMessage', { max: MAX_QUEUE_MESSAGE })] }]);
    return { rule: null, form: null };
  }
  return { rule: null, form: err };
}

const listRule = (t: TFunction, max: number) => ({
  validator: (_r: unknown, v: string[] | undefined) => {
    const list = v ?? [];
    if (list.length > max) return Promise.reject(new Error(t('routing.rules.tooMany', { max })));
    if (list.some((x) => runeLength(x.trim()) > MAX_NAME)) return Promise.reject(new Error(t('routing.rules.valueTooLong', { max: MAX_NAME })));
    return Promise.resolve();
  },
});

export function RoutingRules({ tenantId, teams }: { tenantId: string; teams: Loaded<Team[]> }) {
  const { can, tenant } = useTenant();
  const settings = useLoad(() => routingApi.settings(tenantId), [tenantId]);
  const channels = useLoad(
    () => (can('channels:read') ? chatApi.channels(tenantId).then((r) => r.items) : Promise.resolve(null)),
    [tenantId],
  );
  if (settings.error) return <ErrorState error={settings.error} onRetry={() => void settings.reload()} />;
  if (teams.error) return <ErrorState error={teams.error} onRetry={() => void teams.reload()} />;
  if (!settings.data || !teams.data || channels.loading) {
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  return (
    <RulesForm
      tenantId={tenantId}
      settings={settings.data}
      teams={teams.data}
      channels={channels.error ? null : (channels.data ?? null)}
      timeZone={tenant?.timezone}
      onSaved={(s) => settings.setData(s)}
    />
  );
}

export function RulesForm({
  tenantId,
  settings,
  teams,
  channels,
  timeZone,
  onSaved,
}: {
  tenantId: string;
  settings: Settings;
  teams: Team[];
  /** The tenant's channels; null when they cannot be listed (channels:read). */
  channels: Channel[] | null;
  /** The tenant's time zone: where new business hours start. */
  timeZone?: string;
  onSaved: (s: RoutingSettings) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<RulesValues>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<unknown>(null);
  const [ruleError, setRuleError] = useState<RuleError | null>(null);
  const [hoursError, setHoursError] = useState<string | null>(null);
  const initial = useMemo(() => toValues(settings), [settings]);
  const useDefault = Form.useWatch('use_default_message', form) ?? initial.use_default_message;
  const outsideMode: OutsideHours = Form.useWatch('outside_hours', form) ?? initial.outside_hours;
  const outsideDefault: boolean = Form.useWatch('use_default_outside_message', form) ?? initial.use_default_outside_message;
  const leaveDefault: boolean = Form.useWatch('use_default_leave_message', form) ?? initial.use_default_leave_message;
  const wrapUpMode: WrapUpMode = Form.useWatch('wrapup_mode', form) ?? initial.wrapup_mode;

  const teamOptions = useMemo(
    () => [
      { value: NONE, label: t('routing.rules.anyone'), key: 'none' },
      ...teams.map((x) => ({ value: x.id, label: x.name, key: x.name })),
    ],
    [teams, t],
  );
  const channelOptions = useMemo(() => {
    const list = (channels ?? []).map((c) => ({ value: c.id, label: c.name, search: c.name }));
    // A channel a rule names that the list lacks (deleted, or no channels:read).
    const known = new Set(list.map((o) => o.value));
    for (const r of settings.rules) for (const id of r.channel_ids ?? []) if (!known.has(id)) {
      known.add(id);
      list.push({ value: id, label: id.slice(0, 8), search: id });
    }
    return list;
  }, [channels, settings.rules]);

  function clearErrors() {
    setFormError(null);
    setRuleError(null);
    setHoursError(null);
  }

  async function save(v: RulesValues) {
    setBusy(true);
    clearErrors();
    try {
      const saved = await routingApi.saveSettings(tenantId, toSettingsInput(v, settings));
      form.setFieldsValue(toValues(saved));
      message.success(t('routing.rules.saved'));
      onSaved(saved);
    } catch (err) {
      const r = applyError(err, form, t);
      setRuleError(r.rule);
      setFormError(r.form);
      setHoursError(r.hours ?? null);
    } finally {
      setBusy(false);
    }
  }

  const teamSelect = (testId: string, label: string) => (
    <Select
      data-testid={testId}
      aria-label={label}
      options={teamOptions}
      optionRender={(o) => <span data-testid={`${testId.replace(/-\d+$/, '')}-option-${String(o.data.key)}`}>{o.label}</span>}
    />
  );
  const tags = (testId: string, label: string, placeholder: string, options?: string[]) => (
    <Select
      mode="tags"
      suffixIcon={null}
      notFoundContent={null}
      tokenSeparators={[',', '，']}
      placeholder={placeholder}
      data-testid={testId}
      aria-label={label}
      options={options?.map((o) => ({ value: o, label: o }))}
    />
  );

  /** A customer-facing text: none (empty), the suggested one ("default") or the tenant's own. */
  const messageField = (o: {
    name: 'outside_hours_message' | 'leave_message';
    useDefaultName: 'use_default_outside_message' | 'use_default_leave_message';
    useDefault: boolean;
    testId: string;
    label: string;
    hint: string;
    defaultHint: string;
    placeholder: string;
  }) => (
    <>
      <Form.Item
        name={o.name}
        label={o.label}
        extra={o.useDefault ? o.defaultHint : o.hint}
        rules={[{ validator: (_r, v: string | undefined) => (!v || runeLength(v) <= MAX_MESSAGE ? Promise.resolve() : Promise.reject(new Error(t('routing.rules.errors.message', { max: MAX_MESSAGE })))) }]}
      >
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} disabled={o.useDefault} placeholder={o.useDefault ? t('routing.rules.suggested') : o.placeholder} data-testid={o.testId} />
      </Form.Item>
      <Form.Item name={o.useDefaultName} valuePropName="checked" style={{ marginTop: -8 }}>
        <Checkbox data-testid={`${o.testId}-default`}>{t('routing.rules.useSuggested')}</Checkbox>
      </Form.Item>
    </>
  );

  return (
    <Form<RulesValues>
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={initial}
      onFinish={(v) => void save(v)}
      onValuesChange={clearErrors}
      data-testid="routing-form"
    >
      {ruleError ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="routing-error"
          style={{ marginBottom: 16 }}
          message={t('routing.rules.ruleError', { n: ruleError.index + 1, name: ruleError.name || t('routing.rules.unnamed'), error: ruleError.text })}
          description={
            ruleError.requestId ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('common.requestId')}: {ruleError.requestId}
              </Typography.Text>
            ) : undefined
          }
        />
      ) : (
        <FormError error={formError} testId="routing-error" />
      )}
      <Typography.Paragraph type="secondary">{t('routing.rules.intro')}</Typography.Paragraph>
      {channels === null ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('routing.rules.channelsUnavailable')} /> : null}

      <Form.List name="rules">
        {(fields, { add, remove, move }) => (
          <>
            {fields.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('routing.rules.empty')} data-testid="rules-empty" /> : null}
            {fields.map((field, i) => (
              <Card
                key={field.key}
                size="small"
                style={{ marginBottom: 12 }}
                data-testid={`rule-${i}`}
                title={
                  <Form.Item noStyle shouldUpdate>
                    {() => {
                      const name = (form.getFieldValue(['rules', i, 'name']) as string | undefined)?.trim();
                      return t('routing.rules.ruleTitle', { n: i + 1, name: name || t('routing.rules.unnamed') });
                    }}
                  </Form.Item>
                }
                extra={
                  <Flex gap={4}>
                    <Tooltip title={t('routing.rules.moveUp')}>
                      <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t('routing.rules.moveUp')} data-testid={`rule-up-${i}`} />
                    </Tooltip>
                    <Tooltip title={t('routing.rules.moveDown')}>
                      <Button
                        size="small"
                        type="text"
                        icon={<ArrowDownOutlined />}
                        disabled={i === fields.length - 1}
                        onClick={() => move(i, i + 1)}
                        aria-label={t('routing.rules.moveDown')}
                        data-testid={`rule-down-${i}`}
                      />
                    </Tooltip>
                    <Tooltip title={t('routing.rules.remove')}>
                      <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => remove(i)} aria-label={t('routing.rules.remove')} data-testid={`rule-remove-${i}`} />
                    </Tooltip>
                  </Flex>
                }
              >
                <Row gutter={16}>
                  <Col xs={24} md={12}>
                    <Form.Item name={[field.name, 'name']} label={t('routing.rules.name')} rules={[vrules.required(t), vrules.maxLen(t, MAX_NAME)]}>
                      <Input data-testid={`rule-name-${i}`} autoComplete="off" placeholder={t('routing.rules.namePlaceholder')} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name={[field.name, 'channel_ids']} label={t('routing.rules.channels')} rules={[listRule(t, MAX_VALUES)]}>
                      <Select
                        mode="multiple"
                        allowClear
                        data-testid={`rule-channels-${i}`}
                        aria-label={t('routing.rules.channels')}
                        placeholder={t('routing.rules.anyValue')}
                        options={channelOptions}
                        optionFilterProp="search"
                        optionRender={(o) => <span data-testid={`rule-channel-option-${String(o.label)}`}>{o.label}</span>}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name={[field.name, 'departments']} label={t('routing.rules.departments')} extra={t('routing.rules.departmentsHint')} rules={[listRule(t, MAX_VALUES)]}>
                      {tags(`rule-departments-${i}`, t('routing.rules.departments'), t('routing.rules.anyValue'))}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name={[field.name, 'languages']} label={t('routing.rules.languages')} extra={t('routing.rules.languagesHint')} rules={[listRule(t, MAX_VALUES)]}>
                      {tags(`rule-languages-${i}`, t('routing.rules.languages'), t('routing.rules.anyValue'), LANGUAGE_SUGGESTIONS)}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name={[field.name, 'contact_tags']} label={t('routing.rules.contactTags')} extra={t('routing.rules.contactTagsHint')} rules={[listRule(t, MAX_VALUES)]}>
                      {tags(`rule-tags-${i}`, t('routing.rules.contactTags'), t('routing.rules.anyValue'))}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={12}>
                    <Form.Item name={[field.name, 'keywords']} label={t('routing.rules.keywords')} extra={t('routing.rules.keywordsHint')} rules={[listRule(t, MAX_VALUES)]}>
                      {tags(`rule-keywords-${i}`, t('routing.rules.keywords'), t('routing.rules.anyValue'))}
                    </Form.Item>
                  </Col>
                </Row>
                <Divider plain orientation="left" style={{ marginTop: 0 }}>
                  <Typography.Text type="secondary">{t('routing.rules.then')}</Typography.Text>
                </Divider>
                <Row gutter={16}>
                  <Col xs={24} md={10}>
                    <Form.Item name={[field.name, 'team_id']} label={t('routing.rules.team')}>
                      {teamSelect(`rule-team-${i}`, t('routing.rules.team'))}
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={4}>
                    <Form.Item
                      name={[field.name, 'priority']}
                      label={t('routing.rules.priority')}
                      tooltip={t('routing.rules.priorityHint')}
                      rules={[
                        { required: true, message: t('validation.required') },
                        { type: 'number', min: 0, max: MAX_PRIORITY, message: t('routing.rules.errors.priority', { max: MAX_PRIORITY }) },
                      ]}
                    >
                      <InputNumber min={0} max={MAX_PRIORITY} precision={0} style={{ width: '100%' }} data-testid={`rule-priority-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={10}>
                    <Form.Item name={[field.name, 'skills']} label={t('routing.rules.skills')} tooltip={t('routing.rules.skillsHint')} rules={[listRule(t, MAX_SKILLS)]}>
                      {tags(`rule-skills-${i}`, t('routing.rules.skills'), t('routing.rules.noSkills'))}
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            ))}
            <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add(newRule())} data-testid="rule-add" style={{ marginBottom: 24 }}>
              {t('routing.rules.add')}
            </Button>
          </>
        )}
      </Form.List>

      <Divider />
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="default_team_id" label={t('routing.rules.defaultTeam')} extra={t('routing.rules.defaultTeamHint')}>
            {teamSelect('routing-default-team', t('routing.rules.defaultTeam'))}
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        name="queue_message"
        label={t('routing.rules.queueMessage')}
        extra={useDefault ? t('routing.rules.queueMessageDefaultHint') : t('routing.rules.queueMessageHint')}
        rules={[{ validator: (_r, v: string | undefined) => (!v || runeLength(v) <= MAX_QUEUE_MESSAGE ? Promise.resolve() : Promise.reject(new Error(t('routing.rules.errors.queueMessage', { max: MAX_QUEUE_MESSAGE })))) }]}
      >
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 6 }}
          disabled={useDefault}
          placeholder={useDefault ? t('routing.rules.suggested') : t('routing.rules.queueMessagePlaceholder')}
          data-testid="routing-queue-message"
        />
      </Form.Item>
      <Form.Item name="use_default_message" valuePropName="checked" style={{ marginTop: -8 }}>
        <Checkbox data-testid="routing-queue-message-default">{t('routing.rules.useSuggested')}</Checkbox>
      </Form.Item>

      <div data-testid="routing-hours-section">
        <Divider orientation="left" plain>
          <Typography.Text type="secondary">{t('routing.rules.hoursTitle')}</Typography.Text>
        </Divider>
        <Typography.Paragraph type="secondary">{t('routing.rules.hoursIntro')}</Typography.Paragraph>
        <Form.Item name="hours" rules={[hoursRule(t)]}>
          <HoursEditor testId="routing-hours" kind="tenant" error={hoursError} defaultTimeZone={timeZone} />
        </Form.Item>
        <Form.Item name="outside_hours" label={t('routing.rules.outsideHours')} extra={t(`routing.rules.outsideModes.${outsideMode}.hint`)}>
          <Radio.Group>
            {OUTSIDE_HOURS.map((m) => (
              <Radio key={m} value={m} data-testid={`routing-outside-hours-${m}`}>
                {t(`routing.rules.outsideModes.${m}.label`)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        {messageField({
          name: 'outside_hours_message',
          useDefaultName: 'use_default_outside_message',
          useDefault: outsideDefault,
          testId: 'routing-outside-message',
          label: t('routing.rules.outsideMessage'),
          hint: t('routing.rules.outsideMessageHint'),
          defaultHint: t('routing.rules.outsideMessageDefaultHint'),
          placeholder: t('routing.rules.outsideMessagePlaceholder'),
        })}
      </div>

      <div data-testid="routing-overflow-section">
        <Divider orientation="left" plain>
          <Typography.Text type="secondary">{t('routing.rules.overflowTitle')}</Typography.Text>
        </Divider>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="overflow_after_minutes"
              label={t('routing.rules.overflowMinutes')}
              extra={t('routing.rules.overflowMinutesHint')}
              rules={[
                { required: true, message: t('validation.required') },
                { type: 'number', min: 0, max: MAX_OVERFLOW_MINUTES, message: t('routing.teams.overflowRange', { max: MAX_OVERFLOW_MINUTES }) },
              ]}
            >
              <InputNumber min={0} max={MAX_OVERFLOW_MINUTES} precision={0} style={{ width: '100%' }} suffix={t('routing.teams.minutes')} data-testid="routing-overflow-minutes" />
            </Form.Item>
          </Col>
        </Row>
        {messageField({
          name: 'leave_message',
          useDefaultName: 'use_default_leave_message',
          useDefault: leaveDefault,
          testId: 'routing-leave-message',
          label: t('routing.rules.leaveMessage'),
          hint: t('routing.rules.leaveMessageHint'),
          defaultHint: t('routing.rules.leaveMessageDefaultHint'),
          placeholder: t('routing.rules.leaveMessagePlaceholder'),
        })}
      </div>

      {settings.wrap_up ? (
        <div data-testid="routing-wrapup">
          <Divider orientation="left" plain>
            <Typography.Text type="secondary">{t('routing.wrapUp.title')}</Typography.Text>
          </Divider>
          <Typography.Paragraph type="secondary">{t('routing.wrapUp.intro')}</Typography.Paragraph>
          <Form.Item name="wrapup_mode" label={t('routing.wrapUp.mode')} extra={t(`routing.wrapUp.modes.${wrapUpMode}.hint`)}>
            <Radio.Group>
              {WRAPUP_MODES.map((m) => (
                <Radio key={m} value={m} data-testid={`routing-wrapup-mode-${m}`}>
                  {t(`routing.wrapUp.modes.${m}.label`)}
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item
            name="wrapup_categories"
            label={t('routing.wrapUp.categories')}
            extra={t('routing.wrapUp.categoriesHint')}
            rules={[
              {
                validator: (_r: unknown, v: string[] | undefined) => {
                  const list = cleanList(v);
                  if (list.length > MAX_WRAPUP_CATEGORIES || list.some((x) => runeLength(x) > MAX_WRAPUP_CATEGORY)) {
                    return Promise.reject(new Error(t('routing.wrapUp.categoriesInvalid', { max: MAX_WRAPUP_CATEGORIES, len: MAX_WRAPUP_CATEGORY })));
                  }
                  return Promise.resolve();
                },
              },
            ]}
          >
            {tags('routing-wrapup-categories', t('routing.wrapUp.categories'), t('routing.wrapUp.categoriesPlaceholder'))}
          </Form.Item>
        </div>
      ) : null}

      <Flex justify="end" gap={8}>
        <Button
          htmlType="button"
          onClick={() => {
            form.resetFields();
            clearErrors();
          }}
        >
          {t('common.reset')}
        </Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="routing-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
