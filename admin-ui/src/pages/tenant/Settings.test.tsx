import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Settings from './Settings';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { PermissionName, Settings as SettingsT, Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp, sessionRoutes } from '../../test/utils';

const tenant: Tenant = {
  id: 't1',
  name: 'Acme',
  slug: 'acme',
  status: 'active',
  timezone: 'Asia/Shanghai',
  locale: 'zh-CN',
  require_2fa: false,
  created_at: '2026-01-01T00:00:00Z',
};
const settings: SettingsT = { name: 'Acme', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false };

function renderSettings(perms: PermissionName[] = ['settings:read', 'settings:manage']) {
  return renderApp(
    <RequireAuth>
      <TenantContext.Provider
        value={{ tenantId: 't1', access: { tenant, role: 'owner', permissions: perms }, loading: false, error: null, reload: async () => {} }}
      >
        <Settings />
      </TenantContext.Provider>
    </RequireAuth>,
  );
}

describe('tenant settings', () => {
  it('shows 422 settings.enable-2fa-first next to the require-2FA switch', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/settings': () => json(200, settings),
      'PATCH /api/v1/tenants/t1/settings': () =>
        problem(422, 'settings.enable-2fa-first', { field: 'require_2fa', detail: 'Enable two-factor authentication on your own account first.' }),
    });
    const user = userEvent.setup();
    renderSettings();
    await user.click(await screen.findByTestId('settings-require-2fa'));
    await user.click(screen.getByTestId('settings-save'));
    await findFieldError('settings-require-2fa', zhErrors['settings.enable-2fa-first']!);
    expect(screen.queryByTestId('settings-error')).toBeNull();
    // Only the changed field is sent.
    expect(api.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ require_2fa: true });
    // The way out is right there.
    expect(screen.getByTestId('settings-setup-2fa')).toHaveAttribute('href', '/account#two-factor');
  });

  it('validates the name and maps a server timezone error to its field', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/settings': () => json(200, settings),
      'PATCH /api/v1/tenants/t1/settings': () => problem(400, 'request.invalid', { field: 'timezone', detail: 'timezone must be an IANA name' }),
    });
    const user = userEvent.setup();
    renderSettings();
    const name = await screen.findByTestId('settings-name');
    await user.clear(name);
    await user.click(screen.getByTestId('settings-save'));
    await findFieldError('settings-name', zh.validation.required);
    await fill(user, name, 'Acme Support');
    await user.click(screen.getByTestId('settings-save'));
    // The name passed; the server's (simulated) complaint is about the time zone.
    await findFieldError('settings-timezone', zhErrors['request.invalid@timezone']!);
  });

  it('is read-only without settings:manage', async () => {
    mockApi({ ...sessionRoutes(), 'GET /api/v1/tenants/t1/settings': () => json(200, settings) });
    renderSettings(['settings:read']);
    expect(await screen.findByTestId('settings-name')).toBeDisabled();
    expect(screen.queryByTestId('settings-save')).toBeNull();
    expect(screen.getByText(zh.settings.readOnly)).toBeInTheDocument();
  });
});
