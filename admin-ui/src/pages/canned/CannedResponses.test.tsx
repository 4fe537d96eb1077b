import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import CannedResponses from './CannedResponses';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { CannedResponse } from '../../api/workspace';
import type { PermissionName, Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp, sessionRoutes } from '../../test/utils';

const tenant: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

function canned(p: Partial<CannedResponse> & { id: string; shortcut: string }): CannedResponse {
  return { scope: 'shared', owner_id: null, title: p.shortcut, text: `Text of ${p.shortcut}`, created_at: '2026-05-01T10:00:00Z', updated_at: '2026-05-01T10:00:00Z', ...p };
}

const SHARED = canned({ id: 'k1', shortcut: 'hello', title: 'Greeting', text: 'Hello {{customer.name}}!' });
const MINE = canned({ id: 'k2', shortcut: 'mine', scope: 'personal', owner_id: 'u1' });

function renderPage(perms: PermissionName[]) {
  renderApp(
    <RequireAuth>
      <TenantContext.Provider value={{ tenantId: 't1', access: { tenant, role: 'agent', permissions: perms }, loading: false, error: null, reload: async () => {} }}>
        <CannedResponses />
      </TenantContext.Provider>
    </RequireAuth>,
    { route: '/t/t1/canned', path: '/t/:tenantId/canned' },
  );
  return userEvent.setup();
}

describe('canned responses page', { timeout: 60_000 }, () => {
  it('creates a personal response, showing canned.shortcut-taken under the shortcut', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/canned-responses': () => json(200, { items: [SHARED, MINE] }),
      'POST /api/v1/tenants/t1/canned-responses': [
        () => problem(409, 'canned.shortcut-taken', { field: 'shortcut' }),
        (c) => json(201, canned({ id: 'k3', ...(c.body as object), owner_id: 'u1' } as CannedResponse)),
      ],
      'DELETE /api/v1/tenants/t1/canned-responses/k2': () => json(204, null),
    });
    const user = renderPage(['conversations:read', 'conversations:reply']);
    const shared = await screen.findByTestId('canned-row-k1');
    expect(shared).toHaveTextContent('/hello');
    expect(shared).toHaveTextContent(zh.canned.scopes.shared);
    // A shared response needs kb:edit to change; my own I may.
    expect(within(shared).queryByTestId('canned-edit-k1')).toBeNull();
    expect(within(shared).queryByTestId('canned-delete-k1')).toBeNull();
    expect(within(screen.getByTestId('canned-row-k2')).getByTestId('canned-edit-k2')).toBeInTheDocument();

    await user.click(screen.getByTestId('canned-create'));
    const form = await screen.findByTestId('canned-form');
    // Without kb:edit only personal responses are offered.
    expect(within(form).queryByTestId('canned-scope-shared')).toBeNull();
    expect(within(form).getByTestId('canned-scope-personal')).toBeChecked();
    // The variables are explained.
    expect(within(form).getByTestId('canned-variables')).toHaveTextContent('{{customer.order_number}}');
    expect(within(form).getByTestId('canned-variables')).toHaveTextContent('{{agent.name}}');

    // Checked on the client first.
    await fill(user, within(form).getByTestId('canned-shortcut'), 'bad shortcut!');
    await user.click(within(form).getByTestId('canned-save'));
    await findFieldError('canned-shortcut', zh.canned.shortcutInvalid.replace('{{max}}', '32'));
    await findFieldError('canned-title', zh.validation.required);
    expect(api.calls.some((c) => c.method === 'POST' && c.path.endsWith('/canned-responses'))).toBe(false);

    await fill(user, within(form).getByTestId('canned-shortcut'), 'hello');
    await fill(user, within(form).getByTestId('canned-title'), 'My greeting');
    await fill(user, within(form).getByTestId('canned-text'), 'Hi {{customer.name}}, {{agent.name}} here.');
    await user.click(within(form).getByTestId('canned-save'));
    await findFieldError('canned-shortcut', zhErrors['canned.shortcut-taken']!);
    expect(screen.queryByTestId('canned-error')).toBeNull();
    expect(api.calls.find((c) => c.method === 'POST' && c.path.endsWith('/canned-responses'))!.body).toEqual({ scope: 'personal', shortcut: 'hello', title: 'My greeting', text: 'Hi {{customer.name}}, {{agent.name}} here.' });

    await fill(user, within(form).getByTestId('canned-shortcut'), 'greet');
    await user.click(within(form).getByTestId('canned-save'));
    expect(await screen.findByTestId('canned-row-k3')).toHaveTextContent('/greet');
    await waitFor(() => expect(screen.queryByTestId('canned-form')).toBeNull());

    // Delete with a confirmation.
    await user.click(screen.getByTestId('canned-delete-k2'));
    await user.click((await screen.findAllByTestId('confirm-ok')).at(-1)!);
    await waitFor(() => expect(screen.queryByTestId('canned-row-k2')).toBeNull());
    expect(api.calls.some((c) => c.method === 'DELETE' && c.path.endsWith('/k2'))).toBe(true);
  });

  it('offers shared responses with kb:edit, shows a 403 as a form error, and edits without the scope', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/canned-responses': () => json(200, { items: [SHARED] }),
      'POST /api/v1/tenants/t1/canned-responses': () => problem(403, 'auth.forbidden'),
      'PATCH /api/v1/tenants/t1/canned-responses/k1': (c) => json(200, { ...SHARED, ...(c.body as object) }),
    });
    const user = renderPage(['conversations:read', 'conversations:reply', 'kb:edit']);
    await screen.findByTestId('canned-row-k1');

    await user.click(screen.getByTestId('canned-create'));
    let form = await screen.findByTestId('canned-form');
    await user.click(within(form).getByTestId('canned-scope-shared'));
    await fill(user, within(form).getByTestId('canned-shortcut'), 'bye');
    await fill(user, within(form).getByTestId('canned-title'), 'Goodbye');
    await fill(user, within(form).getByTestId('canned-text'), 'Bye!');
    await user.click(within(form).getByTestId('canned-save'));
    expect(await screen.findByTestId('canned-error')).toHaveTextContent(zhErrors['auth.forbidden']!);
    expect(api.calls.find((c) => c.method === 'POST' && c.path.endsWith('/canned-responses'))!.body).toMatchObject({ scope: 'shared' });
    await user.click(document.querySelector<HTMLElement>('.ant-modal-close')!);
    await waitFor(() => expect(screen.queryByTestId('canned-form')).toBeNull());

    await user.click(screen.getByTestId('canned-edit-k1'));
    form = await screen.findByTestId('canned-form');
    expect(within(form).getByTestId('canned-scope-shared')).toBeDisabled();
    await fill(user, within(form).getByTestId('canned-title'), 'Hello there');
    await user.click(within(form).getByTestId('canned-save'));
    await waitFor(() => expect(screen.getByTestId('canned-row-k1')).toHaveTextContent('Hello there'));
    expect(api.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ shortcut: 'hello', title: 'Hello there', text: 'Hello {{customer.name}}!' });
  });
});
