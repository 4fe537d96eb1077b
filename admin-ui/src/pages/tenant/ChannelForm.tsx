// Create or edit a channel: the connector, a name, on/off, and the connector's own
// settings rendered from its JSON Schema. The server validates the configuration
// against the schema and with the connector; its problem+json lists every invalid
// field ("config.allowed_origins.1", "config.token", "name"), and each message is shown
// under the field it names.
import { useMemo, useState } from 'react';
import { Alert, Button, Divider, Flex, Form, Input, Select, Switch, Tag, Typography } from 'antd';
import type { FormInstance } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { chatApi, type Channel, type Connector, SECRET_MASK } from '../../api/chat';
import { isApiError } from '../../api/client';
import { FormError } from '../../components/FormError';
import { SchemaFields } from '../../components/SchemaForm';
import { errorMessage } from '../../lib/errors';
import { rules } from '../../lib/rules';
import { configKeyOf, configToValues, valuesToConfig } from '../../lib/schemaForm';

interface Values {
  connector: string;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
}

const TOP_FIELDS = ['name', 'connector', 'enabled'] as const;

/** The jsonschema library's English for "required": say it in the user's language. */
function fieldText(t: TFunction, message: string): string {
  return message === 'This field is required.' ? t('validation.required') : message;
}

/**
 * Puts the server's field errors on the form. Returns false when some error names no
 * field of this form (it is then shown as a form-level alert).
 */
export function applyServerErrors(err: unknown, form: FormInstance, schema: Connector['config_schema'], t: TFunction): boolean {
  if (!isApiError(err)) return false;
  const list = err.errors.length ? err.errors : err.field ? [{ field: err.field, message: '' }] : [];
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  let unmatched = list.length === 0;
  for (const e of list) {
    const key = configKeyOf(e.field, schema);
    const top = (TOP_FIELDS as readonly string[]).includes(e.field) ? e.field : null;
    if (!key && !top) {
      unmatched = true;
      continue;
    }
    const name = key ? ['config', key] : [top!];
    // A single field error may have a text of ours for its code (channel.name-taken@name).
    const text = err.errors.length ? fieldText(t, e.message) || errorMessage(err, t) : errorMessage(err, t);
    const id = name.join('.');
    const cur = byField.get(id) ?? { name, errors: [] };
    if (!cur.errors.includes(text)) cur.errors.push(text);
    byField.set(id, cur);
  }
  const fields = [...byField.values()];
  if (fields.length) {
    form.setFields(fields);
    try {
      form.scrollToField(fields[0]!.name, { block: 'center', focus: true });
    } catch {
      /* not rendered */
    }
  }
  return !unmatched;
}

export function ChannelForm({
  tenantId,
  connectors,
  channel,
  onSaved,
  onCancel,
}: {
  tenantId: string;
  connectors: Connector[];
  /** Editing this channel; creating when absent. */
  channel?: Channel;
  onSaved: (ch: Channel, created: boolean) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<unknown>(null);
  const editing = !!channel;
  const [connectorName, setConnectorName] = useState<string | undefined>(channel?.connector ?? (connectors.length === 1 ? connectors[0]!.name : undefined));
  const connector = connectors.find((c) => c.name === connectorName);
  const schema = connector?.config_schema ?? null;
  const storedSecrets = useMemo(
    () => Object.entries(channel?.config ?? {}).filter(([, v]) => v === SECRET_MASK).map(([k]) => k),
    [channel],
  );
  const initialValues = useMemo<Partial<Values>>(
    () =>
      channel
        ? { connector: channel.connector, name: channel.name, enabled: channel.enabled, config: configToValues(schema, channel.config) }
        : { connector: connectorName, name: '', enabled: true, config: configToValues(schema) },
    // Only on mount: later changes come from the user.
    [],
  );

  async function submit(v: Values) {
    setBusy(true);
    setFormError(null);
    try {
      const config = valuesToConfig(schema, v.config);
      const ch = editing
        ? await chatApi.updateChannel(tenantId, channel!.id, { name: v.name.trim(), enabled: v.enabled, config })
        : await chatApi.createChannel(tenantId, { connector: v.connector, name: v.name.trim(), enabled: v.enabled, config });
      onSaved(ch, !editing);
    } catch (err) {
      if (!applyServerErrors(err, form, schema, t)) setFormError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      data-testid="channel-form"
      initialValues={initialValues}
      onValuesChange={() => setFormError(null)}
      onFinish={submit}
      scrollToFirstError
    >
      <FormError error={formError} testId="channel-error" />
      <Form.Item name="connector" label={t('channels.connector')} rules={[{ required: true, message: t('channels.connectorRequired') }]}>
        <Select
          data-testid="channel-connector"
          aria-label={t('channels.connector')}
          disabled={editing}
          placeholder={t('channels.chooseConnector')}
          onChange={(name: string) => {
            setConnectorName(name);
            const next = connectors.find((c) => c.name === name);
            form.setFieldValue('config', configToValues(next?.config_schema));
          }}
          options={connectors.map((c) => ({ value: c.name, label: connectorLabel(t, c.name), disabled: false }))}
          optionRender={(o) => {
            const c = connectors.find((x) => x.name === o.value);
            return (
              <Flex justify="space-between" gap={8} data-testid={`channel-connector-option-${String(o.value)}`}>
                <span>{o.label}</span>
                {c && c.state && c.state !== 'running' ? <Tag color="warning">{connectorState(t, c.state)}</Tag> : null}
              </Flex>
            );
          }}
        />
      </Form.Item>
      {connector && connector.state && connector.state !== 'running' ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('channels.connectorDown', { state: connectorState(t, connector.state) })} />
      ) : null}
      <Form.Item name="name" label={t('channels.name')} rules={[rules.required(t), rules.maxLen(t, 80)]} extra={t('channels.nameHint')}>
        <Input data-testid="channel-name" autoComplete="off" />
      </Form.Item>
      <Form.Item name="enabled" label={t('channels.enabled')} valuePropName="checked">
        <Switch data-testid="channel-enabled" aria-label={t('channels.enabled')} />
      </Form.Item>
      {connector ? (
        <>
          <Divider orientation="left" plain style={{ marginTop: 0 }}>
            <Typography.Text type="secondary">{t('channels.settings', { connector: connectorLabel(t, connector.name) })}</Typography.Text>
          </Divider>
          {schema?.properties && Object.keys(schema.properties).length ? (
            <SchemaFields
              schema={schema}
              prefix="config"
              testIdPrefix="channel-config"
              storedSecrets={storedSecrets}
              i18nPrefix={`channels.fields.${connector.name}`}
            />
          ) : (
            <Typography.Paragraph type="secondary" data-testid="channel-no-settings">
              {t('channels.noSettings')}
            </Typography.Paragraph>
          )}
        </>
      ) : null}
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="channel-save">
          {editing ? t('common.save') : t('channels.create')}
        </Button>
      </Flex>
    </Form>
  );
}

/** Built-in connectors by their name; a third party's by its own. */
export function connectorLabel(t: TFunction, name: string): string {
  return t(`channels.connectors.${name}`, { defaultValue: name });
}

export function connectorState(t: TFunction, state: string): string {
  return t(`channels.states.${state}`, { defaultValue: state });
}
