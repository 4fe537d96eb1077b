import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { routes } from '../router';
import { AuthProvider } from '../auth/AuthContext';
import { __resetClientForTests } from '../api/client';
import { json, ME, mockApi, problem, sessionRoutes } from '../test/utils';

// The data router schedules its own updates; act() warnings would only be noise here.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

const tenant = {
  id: 't1',
  name: 'Acme',
  slug: 'acme',
  status: 'active',
  timezone: 'Asia/Shanghai',
  locale: 'zh-CN',
  require_2fa: false,
  created_at: '2026-01-01T00:00:00Z',
};

function renderAt(path: string) {
  const stored = localStorage.getItem('kefu.refresh');
  __resetClientForTests();
  if (stored) localStorage.setItem('kefu.refresh', stored);
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <ConfigProvider wave={{ disabled: true }} theme={{ token: { motion: false }, hashed: false }}>
      <AntApp>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>,
  );
  return router;
}

describe('console layout and permissions', () => {
  it('shows only the pages the role allows, and the tenant name', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1': () =>
        json(200, { tenant, role: 'agent', permissions: ['members:read', 'conversations:read'] }),
    });
    renderAt('/t/t1');
    // The first test pays for the layout's lazy import, which is slow on a busy machine.
    expect(await screen.findByTestId('nav-members', {}, { timeout: 15_000 })).toBeInTheDocument();
    expect(screen.getByTestId('nav-overview')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-roles')).toBeNull();
    expect(screen.queryByTestId('nav-api-keys')).toBeNull();
    expect(screen.queryByTestId('nav-settings')).toBeNull();
    expect(screen.queryByTestId('nav-audit-log')).toBeNull();
    expect(screen.queryByTestId('nav-platform')).toBeNull();
    expect(screen.getByTestId('nav-queue')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-routing')).toBeNull();
    expect(screen.getByTestId('current-tenant-name')).toHaveTextContent('Acme');
    expect(await screen.findByTestId('overview-role')).toHaveTextContent('客服');
  });

  it('shows routing with routing:manage, and the presence control in the header', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1': () => json(200, { tenant, role: 'supervisor', permissions: ['conversations:read', 'routing:manage'] }),
      'GET /api/v1/me/agent': () =>
        json(200, { user_id: 'u1', presence: 'online', presence_auto: false, capacity: 5, load: 2, last_assigned_at: null, updated_at: '2026-05-01T10:00:00Z' }),
    });
    renderAt('/t/t1');
    expect(await screen.findByTestId('nav-routing', {}, { timeout: 15_000 })).toHaveAttribute('href', '/t/t1/routing');
    expect(screen.getByTestId('nav-queue')).toHaveAttribute('href', '/t/t1/queue');
    expect(await screen.findByTestId('presence-switch')).toHaveAttribute('data-presence', 'online');
    expect(screen.getByTestId('presence-capacity')).toHaveTextContent('2/5');
  });

  it('answers a direct URL to a forbidden page with 403', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1': () => json(200, { tenant, role: 'agent', permissions: ['members:read'] }),
    });
    renderAt('/t/t1/api-keys');
    expect(await screen.findByTestId('forbidden')).toBeInTheDocument();
  });

  it.each([
    ['tenant.suspended', 403, 'tenant-suspended'],
    ['tenant.2fa-required', 403, 'tenant-2fa-required'],
    ['tenant.not-found', 404, 'tenant-not-found'],
  ])('shows a blocking page for %s and keeps the switcher', async (code, status, testId) => {
    mockApi({ ...sessionRoutes(), 'GET /api/v1/tenants/t1': () => problem(status, code) });
    renderAt('/t/t1/members');
    expect(await screen.findByTestId(testId)).toBeInTheDocument();
    expect(screen.getByTestId('tenant-switcher')).toBeInTheDocument();
    expect(screen.getByTestId('user-menu')).toBeInTheDocument();
  });

  it('opens the last-used tenant from /', async () => {
    const me = {
      ...ME,
      memberships: [
        ...ME.memberships,
        { tenant_id: 't2', tenant_name: 'Beta', tenant_slug: 'beta', tenant_status: 'active', role: 'viewer', joined_at: '2026-01-01T00:00:00Z' },
      ],
    };
    localStorage.setItem('kefu.lastTenant.u1', 't2');
    mockApi({
      ...sessionRoutes(me),
      'GET /api/v1/tenants/t2': () => json(200, { tenant: { ...tenant, id: 't2', name: 'Beta' }, role: 'viewer', permissions: [] }),
    });
    const router = renderAt('/');
    expect(await screen.findByTestId('overview-tenant-name')).toHaveTextContent('Beta');
    expect(router.state.location.pathname).toBe('/t/t2');
  });

  it('sends a visitor without a session to the login page, keeping where they were going', async () => {
    mockApi({});
    const router = renderAt('/t/t1/members');
    expect(await screen.findByTestId('login-page')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?next=%2Ft%2Ft1%2Fmembers');
  });
});
