import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Channels from './Channels';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { Channel, Connector } from '../../api/chat';
import type { PermissionName, Tenant } from '../../api/types';
import { fill, json, mockApi, renderApp, sessionRoutes } from '../../test/utils';

const tenant: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

const connectors: Connector[] = [
  {
    name: 'test',
    version: '1.0.0',
    kind: 'custom',
    capabilities: ['text'],
    state: 'running',
    config_schema: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', minLength: 8, writeOnly: true, description: 'Shared secret.' }, greeting: { type: 'string', maxLength: 200 } },
    },
  },
  { name: 'web', version: '1.0.0', kind: 'web', capabilities: ['text'], state: 'running', config_schema: { type: 'object', properties: { welcome_message: { type: 'string', title: 'Welcome message' } } } },
];

function channel(p: Partial<Channel> & { id: string; name: string; connector: string }): Channel {
  return { tenant_id: 't1', config: {}, enabled: true, created_at: '2026-05-01T10:00:00Z', updated_at: '2026-05-01T10:00:00Z', webhook_url: `https://kefu.example.com/hooks/${p.id}`, widget_snippet: null, ...p };
}

function renderChannels(perms: PermissionName[] = ['channels:read', 'channels:manage']) {
  return renderApp(
    <RequireAuth>
      <TenantContext.Provider value={{ tenantId: 't1', access: { tenant, role: 'owner', permissions: perms }, loading: false, error: null, reload: async () => {} }}>
        <Channels />
      </TenantContext.Provider>
    </RequireAuth>,
  );
}

describe('channels', () => {
  it('shows the embed snippet of a web channel and the webhook URL of others, with copy buttons', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: [channel({ id: 'ch-web', name: 'Website', connector: 'web' }), channel({ id: 'ch-t', name: 'Provider', connector: 'test', enabled: false })] }),
      'GET /api/v1/tenants/t1/connectors': () => json(200, { items: connectors }),
    });
    renderChannels();
    const user = userEvent.setup(); // installs a clipboard stub
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    await screen.findByTestId('channel-row-Website');
    expect(screen.getByTestId('channel-enabled-Provider')).not.toBeChecked();

    await user.click(screen.getByTestId('channel-install-Website'));
    const snippet = await screen.findByTestId('channel-snippet');
    expect(snippet).toHaveValue(`<script src="${window.location.origin}/widget.js" data-kefu-channel="ch-web" async></script>`);
    await user.click(screen.getByTestId('channel-snippet-copy'));
    expect(writeText).toHaveBeenCalledWith(`<script src="${window.location.origin}/widget.js" data-kefu-channel="ch-web" async></script>`);
    await user.click(screen.getByTestId('channel-install-done'));

    await user.click(screen.getByTestId('channel-install-Provider'));
    expect(await screen.findByTestId('channel-webhook')).toHaveValue('https://kefu.example.com/hooks/ch-t');
    expect(screen.queryByTestId('channel-snippet')).toBeNull();
  });

  it('creates a channel from the connector’s schema and then shows how to connect it', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: [] }),
      'GET /api/v1/tenants/t1/connectors': () => json(200, { items: connectors }),
      'POST /api/v1/tenants/t1/channels': (c) => json(201, channel({ id: 'ch-new', name: 'Provider', connector: 'test', config: { token: '********' }, ...(c.body as object) })),
    });
    renderChannels();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('channel-create'));
    const form = await screen.findByTestId('channel-form');
    fireEvent.mouseDown(within(form).getByTestId('channel-connector').querySelector('.ant-select-selector')!);
    fireEvent.click(await screen.findByTestId('channel-connector-option-test'));
    // The connector's settings appear, from its schema.
    const token = await screen.findByTestId('channel-config-token');
    expect(token).toHaveAttribute('type', 'password');
    expect(screen.getByText('Shared secret.', { exact: false })).toBeInTheDocument();
    await fill(user, screen.getByTestId('channel-name'), 'Provider');
    await fill(user, token, 'provider-secret');
    await user.click(screen.getByTestId('channel-save'));
    const isCreate = (c: { method: string; path: string }) => c.method === 'POST' && c.path === '/api/v1/tenants/t1/channels';
    await waitFor(() => expect(api.calls.some(isCreate)).toBe(true));
    expect(api.calls.find(isCreate)!.body).toEqual({ connector: 'test', name: 'Provider', enabled: true, config: { token: 'provider-secret' } });
    expect(await screen.findByTestId('channel-webhook')).toHaveValue('https://kefu.example.com/hooks/ch-new');
    expect(screen.getByTestId('channel-row-Provider')).toBeInTheDocument();
  });

  it('is read-only without channels:manage', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: [channel({ id: 'ch-web', name: 'Website', connector: 'web' })] }),
      'GET /api/v1/tenants/t1/connectors': () => json(200, { items: connectors }),
    });
    renderChannels(['channels:read']);
    await screen.findByTestId('channel-row-Website');
    expect(screen.queryByTestId('channel-create')).toBeNull();
    expect(screen.queryByTestId('channel-edit-Website')).toBeNull();
    expect(screen.queryByTestId('channel-delete-Website')).toBeNull();
    expect(screen.getByTestId('channel-install-Website')).toBeInTheDocument();
  });
});
