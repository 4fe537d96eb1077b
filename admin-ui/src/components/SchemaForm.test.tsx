// The channel settings form rendered from a connector's JSON Schema: the controls it
// picks, client-side checks of required fields and limits, secrets kept masked, and
// the server's field errors placed under the fields they name.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App as AntApp, Button, ConfigProvider, Form } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import type { Channel, Connector, JSONSchema } from '../api/chat';
import { ChannelForm } from '../pages/tenant/ChannelForm';
import { configToValues, valuesToConfig } from '../lib/schemaForm';
import zh from '../i18n/locales/zh-CN';
import { fill, findFieldError, json, mockApi, renderApp } from '../test/utils';
import { SchemaFields } from './SchemaForm';

// The web connector's schema (plugins/web) plus a required secret, a number and a
// required URL, as a third-party connector might declare.
const schema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'api_url'],
  properties: {
    allowed_origins: {
      type: 'array',
      maxItems: 50,
      title: 'Allowed websites',
      description: 'Origins (https://example.com) that may embed this chat. Empty allows any.',
      items: { type: 'string', pattern: '^https?://[^/\\s]+$', maxLength: 255 },
    },
    identity_secret: { type: 'string', writeOnly: true, minLength: 16, maxLength: 200, title: 'Identity secret', description: 'Signs logged-in users’ identities.' },
    require_identity: { type: 'boolean', default: false, title: 'Only signed-in users' },
    welcome_message: { type: 'string', maxLength: 500, title: 'Welcome message' },
    color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$', title: 'Colour' },
    locale: { type: 'string', enum: ['', 'zh-CN', 'en'], title: 'Language' },
    token: { type: 'string', writeOnly: true, minLength: 8, description: 'Shared secret the provider sends.' },
    api_url: { type: 'string', format: 'uri', title: 'API URL' },
    max_retries: { type: 'integer', minimum: 0, maximum: 10, title: 'Retries' },
  },
};

function Harness({ initial, stored = [], onSubmit }: { initial?: Record<string, unknown>; stored?: string[]; onSubmit: (c: Record<string, unknown>) => void }) {
  const [form] = Form.useForm();
  return (
    <ConfigProvider locale={zhCN} wave={{ disabled: true }} theme={{ token: { motion: false }, hashed: false }}>
      <AntApp>
        <Form form={form} layout="vertical" initialValues={{ config: configToValues(schema, initial) }} onFinish={(v) => onSubmit(valuesToConfig(schema, v.config))}>
          <SchemaFields schema={schema} prefix="config" testIdPrefix="cfg" storedSecrets={stored} />
          <Button htmlType="submit" data-testid="submit">
            go
          </Button>
        </Form>
      </AntApp>
    </ConfigProvider>
  );
}

const item = (testId: string) => screen.getByTestId(testId).closest('.ant-form-item') as HTMLElement;

describe('schema form', () => {
  it('renders one field per property with its title, help and control', () => {
    render(<Harness onSubmit={() => {}} />);
    // Titles label the fields; properties without one get their name humanized.
    for (const label of ['Allowed websites', 'Identity secret', 'Only signed-in users', 'Welcome message', 'Colour', 'Language', 'Token', 'API URL', 'Retries']) {
      expect(screen.getByText(label)).toBeInTheDocument();
    }
    // The description is the field's help.
    expect(within(item('cfg-allowed_origins')).getByText(/Empty allows any/)).toBeInTheDocument();
    expect(within(item('cfg-token')).getByText(/Shared secret the provider sends/)).toBeInTheDocument();
    // Controls by type.
    expect(screen.getByTestId('cfg-require_identity')).toHaveAttribute('role', 'switch');
    expect(screen.getByTestId('cfg-require_identity')).not.toBeChecked(); // the default
    expect(screen.getByTestId('cfg-identity_secret')).toHaveAttribute('type', 'password');
    expect(screen.getByTestId('cfg-token')).toHaveAttribute('type', 'password');
    expect(screen.getByTestId('cfg-welcome_message').tagName).toBe('TEXTAREA');
    expect(screen.getByTestId('cfg-api_url')).toHaveAttribute('type', 'url');
    expect(screen.getByTestId('cfg-max_retries')).toHaveAttribute('role', 'spinbutton');
    expect(item('cfg-locale').querySelector('.ant-select')).not.toBeNull();
    expect(item('cfg-allowed_origins').querySelector('.ant-select-multiple')).not.toBeNull();
    // Required fields are marked.
    expect(item('cfg-token').querySelector('.ant-form-item-required')).not.toBeNull();
    expect(item('cfg-color').querySelector('.ant-form-item-required')).toBeNull();
  });

  it('checks required fields and the schema’s limits before anything is sent', async () => {
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    render(<Harness onSubmit={onSubmit} />);
    await user.click(screen.getByTestId('submit'));
    await findFieldError('cfg-token', zh.validation.required);
    await findFieldError('cfg-api_url', zh.validation.required);

    await fill(user, screen.getByTestId('cfg-token'), 'short');
    await fill(user, screen.getByTestId('cfg-color'), 'red');
    await fill(user, screen.getByTestId('cfg-api_url'), 'https://api.example.com');
    const origins = screen.getByTestId('cfg-allowed_origins').querySelector('input')!;
    await user.type(origins, 'example.com,');
    await user.click(screen.getByTestId('submit'));
    await findFieldError('cfg-token', zh.schemaForm.minLength.replace('{{count}}', '8'));
    await findFieldError('cfg-color', zh.schemaForm.pattern);
    await findFieldError('cfg-allowed_origins', zh.schemaForm.itemInvalid.replace('{{value}}', 'example.com'));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends a clean configuration: optional blanks left out, tags as a list', async () => {
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    render(<Harness onSubmit={onSubmit} />);
    await fill(user, screen.getByTestId('cfg-token'), 'provider-token-1');
    await fill(user, screen.getByTestId('cfg-api_url'), 'https://api.example.com');
    const origins = screen.getByTestId('cfg-allowed_origins').querySelector('input')!;
    // Separators (comma, space, newline) turn what was typed or pasted into entries.
    await user.type(origins, 'https://a.example,https://b.example,');
    expect(Array.from(item('cfg-allowed_origins').querySelectorAll('.ant-select-selection-item')).map((e) => e.textContent)).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    await user.click(screen.getByTestId('cfg-require_identity'));
    await user.click(screen.getByTestId('submit'));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalled());
    expect(onSubmit.mock.calls[0]![0]).toEqual({
      allowed_origins: ['https://a.example', 'https://b.example'],
      require_identity: true,
      token: 'provider-token-1',
      api_url: 'https://api.example.com',
    });
  });

  it('shows a stored secret as the mask and sends the mask back unless it is replaced', async () => {
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    render(
      <Harness
        initial={{ token: '********', identity_secret: '********', api_url: 'https://api.example.com', allowed_origins: ['https://a.example'], color: '#112233', locale: '' }}
        stored={['token', 'identity_secret']}
        onSubmit={onSubmit}
      />,
    );
    const secret = screen.getByTestId('cfg-identity_secret') as HTMLInputElement;
    expect(secret.type).toBe('password');
    expect(secret.value).toBe('********');
    expect(within(item('cfg-identity_secret')).getByText(new RegExp(zh.schemaForm.secretKept.slice(0, 6)))).toBeInTheDocument();
    // The mask passes the secret's minLength (16): it stands for the stored value.
    await user.click(screen.getByTestId('submit'));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0]).toEqual({
      allowed_origins: ['https://a.example'],
      identity_secret: '********',
      require_identity: false,
      color: '#112233',
      locale: '',
      token: '********',
      api_url: 'https://api.example.com',
    });

    await fill(user, secret, 'a-brand-new-identity-secret');
    await user.click(screen.getByTestId('submit'));
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(onSubmit.mock.calls[1]![0]).toMatchObject({ identity_secret: 'a-brand-new-identity-secret', token: '********' });
  });
});

describe('channel form and server errors', () => {
  const web: Connector = { name: 'web', version: '1.0.0', kind: 'web', capabilities: ['text'], config_schema: schema, state: 'running' };
  const channel: Channel = {
    id: 'ch-1',
    tenant_id: 't1',
    connector: 'web',
    name: 'Website',
    config: { token: '********', api_url: 'https://api.example.com', allowed_origins: ['https://a.example', 'https://b.example'] },
    enabled: true,
    created_at: '2026-05-01T10:00:00Z',
    updated_at: '2026-05-01T10:00:00Z',
    webhook_url: 'https://kefu.example.com/hooks/ch-1',
    widget_snippet: null,
  };

  function renderForm() {
    const onSaved = vi.fn();
    renderApp(<ChannelForm tenantId="t1" connectors={[web]} channel={channel} onSaved={onSaved} onCancel={() => {}} />);
    return onSaved;
  }

  it('puts each entry of the problem’s errors under the field it names', async () => {
    const api = mockApi({
      'PATCH /api/v1/tenants/t1/channels/ch-1': () =>
        json(422, {
          type: 'urn:kefu:problem:channel.invalid-config',
          status: 422,
          code: 'channel.invalid-config',
          detail: 'Does not match pattern',
          field: 'config.allowed_origins.1',
          request_id: 'req-1',
          errors: [
            // jsonschema paths use dots, the connector's own checks slashes: both land on the field.
            { field: 'config.allowed_origins.1', detail: 'Does not match pattern' },
            { field: 'config.identity_secret', detail: 'required when only signed-in users may chat' },
            { field: 'config.color', detail: 'This field is required.' },
          ],
        }),
    });
    const onSaved = renderForm();
    const user = userEvent.setup();
    expect(screen.getByTestId('channel-connector').closest('.ant-select')).toHaveClass('ant-select-disabled');
    await user.click(screen.getByTestId('channel-save'));
    await findFieldError('channel-config-allowed_origins', 'Does not match pattern');
    await findFieldError('channel-config-identity_secret', 'required when only signed-in users may chat');
    await findFieldError('channel-config-color', zh.validation.required);
    expect(screen.queryByTestId('channel-error')).toBeNull();
    expect(onSaved).not.toHaveBeenCalled();
    // What went to the server: the masked secret (kept), the lists as they were.
    expect(api.calls[0]!.body).toEqual({
      name: 'Website',
      enabled: true,
      config: { allowed_origins: ['https://a.example', 'https://b.example'], require_identity: false, token: '********', api_url: 'https://api.example.com' },
    });
  });

  it('maps a single field error by its code, and anything else to the form', async () => {
    mockApi({
      'PATCH /api/v1/tenants/t1/channels/ch-1': [
        () => json(409, { status: 409, code: 'channel.name-taken', field: 'name', detail: 'A channel with this name already exists.', request_id: 'r' }),
        () => json(422, { status: 422, code: 'channel.invalid-config', detail: 'bad', errors: [{ field: 'config.unknown_thing', detail: 'nope' }], request_id: 'r2' }),
      ],
    });
    renderForm();
    const user = userEvent.setup();
    await user.click(screen.getByTestId('channel-save'));
    await findFieldError('channel-name', /已有同名渠道/);
    await user.click(screen.getByTestId('channel-save'));
    expect(await screen.findByTestId('channel-error')).toHaveTextContent('r2');
  });
});
