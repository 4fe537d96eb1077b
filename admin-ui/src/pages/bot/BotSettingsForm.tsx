// The bot's settings: which channels start with the bot, how sure it must be to answer
// or to suggest, what it says, when it hands over to a person, and an optional
// LLM provider that words answers from the matched entries. Saving replaces the whole
// settings object; the provider's API key is write-only (kept unless replaced or
// removed).
import { useMemo, useState } from 'react';
import { Alert, App, Button, Checkbox, Col, Divider, Flex, Form, Input, InputNumber, Row, Select, Switch, Tag, Typography } from 'antd';
import { KeyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { botApi, type BotSettings, type BotSettingsInput } from '../../api/bot';
import type { Channel } from '../../api/chat';
import { FormError } from '../../components/FormError';
import { runeLength } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';
import { connectorLabel } from '../tenant/ChannelForm';

const MAX_TEXT = 1000;
const MAX_KEYWORDS = 50;
const MAX_KEYWORD_LEN = 50;

interface Values {
  channels: string[];
  answer_threshold: number;
  clarify_threshold: number;
  greeting: string;
  fallback_text: string;
  clarify_text: string;
  handoff_text: string;
  business_hours_text: string;
  max_fallbacks: number;
  handoff_on_negative: boolean;
  handoff_keywords: string[];
  llm_enabled: boolean;
  llm_base_url: string;
  llm_model: string;
  llm_timeout_ms: number;
  llm_api_key: string;
  llm_remove_key: boolean;
}

function toValues(s: BotSettings): Values {
  return {
    channels: s.channels ?? [],
    answer_threshold: s.answer_threshold,
    clarify_threshold: s.clarify_threshold,
    greeting: s.greeting,
    fallback_text: s.fallback_text,
    clarify_text: s.clarify_text,
    handoff_text: s.handoff_text,
    business_hours_text: s.business_hours_text,
    max_fallbacks: s.max_fallbacks,
    handoff_on_negative: s.handoff_on_negative,
    handoff_keywords: s.handoff_keywords ?? [],
    llm_enabled: s.llm.enabled,
    llm_base_url: s.llm.base_url,
    llm_model: s.llm.model,
    llm_timeout_ms: s.llm.timeout_ms || 3000,
    llm_api_key: '',
    llm_remove_key: false,
  };
}

export function toInput(v: Values): BotSettingsInput {
  const body: BotSettingsInput = {
    channels: v.channels ?? [],
    answer_threshold: v.answer_threshold,
    clarify_threshold: v.clarify_threshold,
    greeting: v.greeting ?? '',
    fallback_text: v.fallback_text ?? '',
    clarify_text: v.clarify_text ?? '',
    handoff_text: v.handoff_text ?? '',
    business_hours_text: v.business_hours_text ?? '',
    max_fallbacks: v.max_fallbacks,
    handoff_on_negative: !!v.handoff_on_negative,
    handoff_keywords: (v.handoff_keywords ?? []).map((k) => k.trim()).filter(Boolean),
    llm: { enabled: !!v.llm_enabled, base_url: (v.llm_base_url ?? '').trim(), model: (v.llm_model ?? '').trim(), timeout_ms: v.llm_timeout_ms },
  };
  // Absent keeps the stored key; "" removes it.
  if (v.llm_remove_key) body.llm_api_key = '';
  else if (v.llm_api_key?.trim()) body.llm_api_key = v.llm_api_key.trim();
  return body;
}

const FIELDS: Record<string, string> = {
  channels: 'channels',
  answer_threshold: 'answer_threshold',
  clarify_threshold: 'clarify_threshold',
  greeting: 'greeting',
  fallback_text: 'fallback_text',
  clarify_text: 'clarify_text',
  handoff_text: 'handoff_text',
  business_hours_text: 'business_hours_text',
  max_fallbacks: 'max_fallbacks',
  handoff_keywords: 'handoff_keywords',
  'llm.base_url': 'llm_base_url',
  'llm.model': 'llm_model',
  'llm.timeout_ms': 'llm_timeout_ms',
  'llm.api_key': 'llm_api_key',
};

export function BotSettingsForm({
  tenantId,
  settings,
  channels,
  onSaved,
}: {
  tenantId: string;
  settings: BotSettings;
  /** The tenant's channels; null when they cannot be listed (channels:read). */
  channels: Channel[] | null;
  onSaved: (s: BotSettings) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, { fields: FIELDS });
  const initial = useMemo(() => toValues(settings), [settings]);
  const llmOn = Form.useWatch('llm_enabled', form) ?? initial.llm_enabled;
  const removeKey = Form.useWatch('llm_remove_key', form) ?? false;

  const channelOptions = useMemo(() => {
    const known = new Map((channels ?? []).map((c) => [c.id, c]));
    const opts = (channels ?? []).map((c) => ({
      value: c.id,
      label: (
        <span data-testid={`bot-channel-option-${c.name}`}>
          {c.name} <Typography.Text type="secondary">· {connectorLabel(t, c.connector)}</Typography.Text>
        </span>
      ),
      search: c.name,
    }));
    // A channel the bot is on that the list lacks (deleted, or no channels:read).
    for (const id of settings.channels ?? []) if (!known.has(id)) opts.push({ value: id, label: <span>{id.slice(0, 8)}</span>, search: id });
    return opts;
  }, [channels, settings.channels, t]);

  async function save(v: Values) {
    setBusy(true);
    try {
      const saved = await botApi.saveSettings(tenantId, toInput(v));
      form.setFieldsValue(toValues(saved));
      message.success(t('bot.settings.saved'));
      onSaved(saved);
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  const textRule = { validator: (_r: unknown, v: string | undefined) => (!v || runeLength(v) <= MAX_TEXT ? Promise.resolve() : Promise.reject(new Error(t('validation.maxLength', { count: MAX_TEXT })))) };
  const text = (name: keyof Values, label: string, hint: string, required = false) => (
    <Form.Item name={name} label={label} extra={hint} rules={[...(required ? [{ required: true, whitespace: true, message: t('validation.required') }] : []), textRule]}>
      <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} data-testid={`bot-${name.replace(/_/g, '-')}`} />
    </Form.Item>
  );

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={initial}
      onFinish={(v) => void save(v)}
      onValuesChange={errors.clear}
      data-testid="bot-settings-form"
    >
      <FormError error={errors.formError} testId="bot-settings-error" />
      <Typography.Title level={5}>{t('bot.settings.where')}</Typography.Title>
      <Form.Item name="channels" label={t('bot.settings.channels')} extra={t('bot.settings.channelsHint')}>
        <Select
          mode="multiple"
          allowClear
          options={channelOptions}
          optionFilterProp="search"
          placeholder={t('bot.settings.noChannels')}
          data-testid="bot-channels"
          aria-label={t('bot.settings.channels')}
          notFoundContent={t('bot.settings.noChannelsYet')}
        />
      </Form.Item>
      {channels === null ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('bot.settings.channelsUnavailable')} /> : null}

      <Divider />
      <Typography.Title level={5}>{t('bot.settings.confidence')}</Typography.Title>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item
            name="answer_threshold"
            label={t('bot.settings.answerThreshold')}
            extra={t('bot.settings.answerThresholdHint')}
            rules={[{ required: true, message: t('validation.required') }]}
          >
            <InputNumber min={0} max={1} step={0.05} style={{ width: '100%' }} data-testid="bot-answer-threshold" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name="clarify_threshold"
            label={t('bot.settings.clarifyThreshold')}
            extra={t('bot.settings.clarifyThresholdHint')}
            dependencies={['answer_threshold']}
            rules={[
              { required: true, message: t('validation.required') },
              ({ getFieldValue }) => ({
                validator: (_r, v: number | null) =>
                  v === null || v === undefined || v <= (getFieldValue('answer_threshold') ?? 1)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('bot.settings.clarifyAboveAnswer'))),
              }),
            ]}
          >
            <InputNumber min={0} max={1} step={0.05} style={{ width: '100%' }} data-testid="bot-clarify-threshold" />
          </Form.Item>
        </Col>
      </Row>

      <Divider />
      <Typography.Title level={5}>{t('bot.settings.texts')}</Typography.Title>
      {text('greeting', t('bot.settings.greeting'), t('bot.settings.greetingHint'))}
      {text('fallback_text', t('bot.settings.fallback'), t('bot.settings.fallbackHint'), true)}
      {text('clarify_text', t('bot.settings.clarify'), t('bot.settings.clarifyHint'))}
      {text('handoff_text', t('bot.settings.handoff'), t('bot.settings.handoffHint'))}
      {text('business_hours_text', t('bot.settings.businessHours'), t('bot.settings.businessHoursHint'))}

      <Divider />
      <Typography.Title level={5}>{t('bot.settings.handoffTitle')}</Typography.Title>
      <Form.Item
        name="handoff_keywords"
        label={t('bot.settings.keywords')}
        extra={t('bot.settings.keywordsHint')}
        rules={[
          {
            validator: (_r, v: string[] | undefined) => {
              const list = v ?? [];
              if (list.length > MAX_KEYWORDS) return Promise.reject(new Error(t('bot.settings.tooManyKeywords', { count: MAX_KEYWORDS })));
              if (list.some((k) => runeLength(k.trim()) > MAX_KEYWORD_LEN)) return Promise.reject(new Error(t('bot.settings.keywordTooLong', { count: MAX_KEYWORD_LEN })));
              return Promise.resolve();
            },
          },
        ]}
      >
        <Select mode="tags" suffixIcon={null} notFoundContent={null} tokenSeparators={[',', '\n']} placeholder={t('schemaForm.tagsPlaceholder')} data-testid="bot-keywords" aria-label={t('bot.settings.keywords')} />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="max_fallbacks" label={t('bot.settings.maxFallbacks')} extra={t('bot.settings.maxFallbacksHint')} rules={[{ required: true, message: t('validation.required') }]}>
            <InputNumber min={0} max={20} precision={0} style={{ width: '100%' }} data-testid="bot-max-fallbacks" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="handoff_on_negative" label={t('bot.settings.negative')} extra={t('bot.settings.negativeHint')} valuePropName="checked">
            <Switch data-testid="bot-negative" aria-label={t('bot.settings.negative')} />
          </Form.Item>
        </Col>
      </Row>

      <Divider />
      <Typography.Title level={5}>{t('bot.settings.llm')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('bot.settings.llmHint')}</Typography.Paragraph>
      <Form.Item name="llm_enabled" label={t('bot.settings.llmEnabled')} valuePropName="checked">
        <Switch data-testid="bot-llm-enabled" aria-label={t('bot.settings.llmEnabled')} />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item
            name="llm_base_url"
            label={t('bot.settings.llmBaseUrl')}
            extra={t('bot.settings.llmBaseUrlHint')}
            rules={[
              { required: llmOn, whitespace: true, message: t('validation.required') },
              { validator: (_r, v: string | undefined) => (!v || /^https?:\/\/\S+$/.test(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t('bot.settings.llmBaseUrlInvalid')))) },
            ]}
          >
            <Input placeholder="https://api.openai.com/v1" data-testid="bot-llm-base-url" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="llm_model" label={t('bot.settings.llmModel')} rules={[{ required: llmOn, whitespace: true, message: t('validation.required') }, { max: 200, message: t('validation.maxLength', { count: 200 }) }]}>
            <Input placeholder="gpt-4o-mini" data-testid="bot-llm-model" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="llm_timeout_ms" label={t('bot.settings.llmTimeout')} extra={t('bot.settings.llmTimeoutHint')} rules={[{ required: true, message: t('validation.required') }]}>
            <InputNumber min={100} max={60000} step={500} precision={0} addonAfter="ms" style={{ width: '100%' }} data-testid="bot-llm-timeout" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item
            name="llm_api_key"
            label={
              <Flex gap={8} align="center">
                {t('bot.settings.llmKey')}
                {settings.llm.has_key ? (
                  <Tag color="success" icon={<KeyOutlined />} data-testid="bot-llm-key-stored">
                    {t('bot.settings.keyStored')}
                  </Tag>
                ) : null}
              </Flex>
            }
            extra={settings.llm.has_key ? t('bot.settings.keyKeep') : t('bot.settings.keyNew')}
            rules={[{ max: 500, message: t('validation.maxLength', { count: 500 }) }]}
          >
            <Input.Password
              autoComplete="new-password"
              disabled={removeKey}
              placeholder={settings.llm.has_key ? t('bot.settings.keyPlaceholderStored') : ''}
              data-testid="bot-llm-key"
            />
          </Form.Item>
          {settings.llm.has_key ? (
            <Form.Item name="llm_remove_key" valuePropName="checked" style={{ marginTop: -8 }}>
              <Checkbox data-testid="bot-llm-key-remove">{t('bot.settings.keyRemove')}</Checkbox>
            </Form.Item>
          ) : null}
        </Col>
      </Row>
      <Flex justify="end" gap={8}>
        <Button
          htmlType="button"
          onClick={() => {
            form.resetFields();
            errors.clear();
          }}
        >
          {t('common.reset')}
        </Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="bot-settings-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
