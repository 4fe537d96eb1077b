import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RoleForm } from './RoleEditor';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import type { Permission } from '../../api/types';
import { fill, findFieldError, json, mockApi, problem, renderApp } from '../../test/utils';

const catalogue: Permission[] = [
  { name: 'members:read', resource: 'members', action: 'read', description: 'View members.' },
  { name: 'members:manage', resource: 'members', action: 'manage', description: 'Manage members.' },
  { name: 'tickets:read', resource: 'tickets', action: 'read', description: 'View tickets.' },
  { name: 'tickets:manage', resource: 'tickets', action: 'manage', description: 'Manage tickets.' },
];
/** The checkbox input carrying a test id (antd puts data-* on the input itself). */
function box(testId: string): HTMLInputElement {
  const el = screen.getByTestId(testId);
  return (el.tagName === 'INPUT' ? el : el.querySelector('input')!) as HTMLInputElement;
}

const grantable = ['members:read', 'tickets:read', 'tickets:manage'];

describe('role editor', () => {
  it('validates the role name on the client', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderApp(<RoleForm tenantId="t1" catalogue={catalogue} grantable={grantable} onSaved={vi.fn()} />);
    await user.click(await screen.findByTestId('role-save'));
    await findFieldError('role-name', zh.validation.required);
    await fill(user, screen.getByTestId('role-name'), 'Billing Team');
    await findFieldError('role-name', zh.validation.roleName);
    await fill(user, screen.getByTestId('role-name'), 'admin');
    await findFieldError('role-name', zh.validation.roleNameBuiltin);
    expect(api.calls).toHaveLength(0);
  });

  it('groups permissions by resource and disables the ones the editor lacks', async () => {
    mockApi({});
    const user = userEvent.setup();
    renderApp(<RoleForm tenantId="t1" catalogue={catalogue} grantable={grantable} onSaved={vi.fn()} />);
    expect(await screen.findByText(zh.resources.members)).toBeInTheDocument();
    expect(screen.getByText(zh.resources.tickets)).toBeInTheDocument();
    const manage = box('role-perm-members:manage');
    expect(manage).toBeDisabled();
    // "All tickets" ticks both ticket permissions.
    await user.click(box('role-group-tickets'));
    expect(box('role-perm-tickets:read')).toBeChecked();
    expect(box('role-perm-tickets:manage')).toBeChecked();
  });

  it('shows server errors next to the name and the permissions', async () => {
    mockApi({
      'POST /api/v1/tenants/t1/roles': [
        () => problem(409, 'role.name-taken', { field: 'name' }),
        () => problem(400, 'request.invalid', { field: 'name', detail: 'Role names are 2 to 40 characters…' }),
        () => problem(403, 'role.escalation'),
      ],
    });
    const user = userEvent.setup();
    renderApp(<RoleForm tenantId="t1" catalogue={catalogue} grantable={grantable} onSaved={vi.fn()} />);
    await fill(user, await screen.findByTestId('role-name'), 'billing');
    await user.click(screen.getByTestId('role-save'));
    await findFieldError('role-name', zhErrors['role.name-taken']!);

    await fill(user, screen.getByTestId('role-name'), 'billing2');
    await user.click(screen.getByTestId('role-save'));
    await findFieldError('role-name', zh.validation.roleName);

    await fill(user, screen.getByTestId('role-name'), 'billing3');
    await user.click(screen.getByTestId('role-save'));
    expect(await screen.findByText(zhErrors['role.escalation']!)).toBeInTheDocument();
    expect(screen.getByTestId('role-permissions').closest('.ant-form-item')).toHaveTextContent(zhErrors['role.escalation']!);
  });

  it('creates the role with the ticked permissions in catalogue order', async () => {
    const saved = vi.fn();
    const api = mockApi({
      'POST /api/v1/tenants/t1/roles': (c) =>
        json(201, { id: 'r1', builtin: false, created_at: null, ...(c.body as object) }),
    });
    const user = userEvent.setup();
    renderApp(<RoleForm tenantId="t1" catalogue={catalogue} grantable={grantable} onSaved={saved} />);
    await fill(user, await screen.findByTestId('role-name'), 'billing');
    await fill(user, screen.getByTestId('role-description'), ' Handles invoices ');
    await user.click(box('role-perm-tickets:manage'));
    await user.click(box('role-perm-members:read'));
    await user.click(screen.getByTestId('role-save'));
    await vi.waitFor(() => expect(saved).toHaveBeenCalledTimes(1));
    expect(api.calls[0]!.body).toEqual({
      name: 'billing',
      description: 'Handles invoices',
      permissions: ['members:read', 'tickets:manage'],
    });
  });

  it('edits an existing role without renaming it', async () => {
    const api = mockApi({
      'PATCH /api/v1/tenants/t1/roles/r1': (c) => json(200, { id: 'r1', name: 'billing', builtin: false, created_at: null, ...(c.body as object) }),
    });
    const saved = vi.fn();
    const user = userEvent.setup();
    renderApp(
      <RoleForm
        tenantId="t1"
        role={{ id: 'r1', name: 'billing', description: 'old', builtin: false, permissions: ['tickets:read'], created_at: null }}
        catalogue={catalogue}
        grantable={grantable}
        onSaved={saved}
      />,
    );
    expect(await screen.findByTestId('role-name')).toBeDisabled();
    await user.click(box('role-perm-tickets:read'));
    await user.click(screen.getByTestId('role-save'));
    await vi.waitFor(() => expect(saved).toHaveBeenCalled());
    expect(api.calls[0]!.body).toEqual({ description: 'old', permissions: [] });
  });
});
