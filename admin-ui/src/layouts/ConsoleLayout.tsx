// The signed-in console: sider navigation, a header with the tenant switcher, the
// agent's presence and capacity, the language switch and the user menu. Under /t/:tenantId it loads the tenant (role and
// permissions) and shows only the pages those permissions allow.
import { Suspense, useEffect, useMemo, useState } from 'react';
import { Button, Grid, Layout, Menu, Tooltip } from 'antd';
import type { MenuProps } from 'antd';
import {
  CrownOutlined,
  HomeOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Link, Outlet, useLocation, useMatch } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth, useMe } from '../auth/AuthContext';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PresenceSwitch } from '../components/PresenceSwitch';
import { PageSpin } from '../components/PageSpin';
import { TenantBlocked, TENANT_BLOCKING_CODES } from '../components/TenantBlocked';
import { ErrorState } from '../components/ErrorState';
import { TenantSwitcher } from '../components/TenantSwitcher';
import { UserMenu } from '../components/UserMenu';
import { WorkspaceNotifier } from '../components/WorkspaceNotifier';
import { errorCode } from '../lib/errors';
import { setLastTenant } from '../lib/storage';
import { useRealtime } from '../lib/realtime';
import { TenantContext, useTenantAccess } from '../tenant/TenantContext';
import { TENANT_PAGES } from '../tenant/pages';

const { Sider, Header, Content } = Layout;

const ignore = () => {};

/**
 * Holds the realtime link while the console is open, whatever the page: it carries
 * the inbox's events, and the server counts an agent with a live link as online (the
 * chat widget offers its leave-a-message form when nobody is).
 */
function RealtimeLink() {
  useRealtime(ignore);
  return null;
}


export default function ConsoleLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const { reloadMe } = useAuth();
  const location = useLocation();
  const match = useMatch('/t/:tenantId/*');
  const tenantId = match?.params.tenantId;
  const tenant = useTenantAccess(tenantId);
  const screens = Grid.useBreakpoint();
  const [collapsed, setCollapsed] = useState(false);
  const narrow = screens.lg === false;

  // Remember the last tenant that opened; refresh the membership list when a tenant
  // turns out to be gone or suspended (the switcher should say so).
  const accessId = tenant?.access?.tenant.id;
  useEffect(() => {
    if (accessId) setLastTenant(me.user.id, accessId);
  }, [accessId, me.user.id]);
  const blockCode = errorCode(tenant?.error);
  useEffect(() => {
    if (blockCode && TENANT_BLOCKING_CODES.includes(blockCode)) void reloadMe().catch(() => null);
  }, [blockCode, tenantId, reloadMe]);

  const selected = useMemo(() => {
    if (location.pathname.startsWith('/account')) return 'account';
    if (location.pathname.startsWith('/platform')) return 'platform';
    if (match) {
      const rest = (match.params['*'] ?? '').split('/')[0] ?? '';
      return TENANT_PAGES.find((p) => p.path === rest)?.key ?? 'overview';
    }
    return '';
  }, [location.pathname, match]);

  const perms = tenant?.access?.permissions ?? [];
  const menuItems: MenuProps['items'] = [];
  if (tenantId && tenant?.access) {
    menuItems.push({
      type: 'group',
      key: 'g-tenant',
      label: t('nav.tenantGroup'),
      children: TENANT_PAGES.filter((p) => !p.perm || perms.includes(p.perm)).map((p) => ({
        key: p.key,
        icon: p.icon,
        label: (
          <Link to={`/t/${tenantId}${p.path ? `/${p.path}` : ''}`} data-testid={`nav-${p.key}`}>
            {t(`nav.${p.key}`)}
          </Link>
        ),
      })),
    });
  } else if (!tenantId && me.memberships.length > 0) {
    menuItems.push({
      key: 'home',
      icon: <HomeOutlined />,
      label: (
        <Link to="/" data-testid="nav-home">
          {t('nav.home')}
        </Link>
      ),
    });
  }
  menuItems.push({
    type: 'group',
    key: 'g-me',
    label: t('nav.personalGroup'),
    children: [
      {
        key: 'account',
        icon: <UserOutlined />,
        label: (
          <Link to="/account" data-testid="nav-account">
            {t('nav.account')}
          </Link>
        ),
      },
    ],
  });
  if (me.user.is_operator) {
    menuItems.push({
      type: 'group',
      key: 'g-platform',
      label: t('nav.platformGroup'),
      children: [
        {
          key: 'platform',
          icon: <CrownOutlined />,
          label: (
            <Link to="/platform" data-testid="nav-platform">
              {t('nav.platform')}
            </Link>
          ),
        },
      ],
    });
  }

  let content = (
    <Suspense fallback={<PageSpin />}>
      <Outlet />
    </Suspense>
  );
  if (tenant) {
    if (tenant.error) {
      const code = errorCode(tenant.error);
      content =
        code && TENANT_BLOCKING_CODES.includes(code) ? (
          <TenantBlocked error={tenant.error} />
        ) : (
          <ErrorState error={tenant.error} onRetry={() => void tenant.reload()} />
        );
    } else if (!tenant.access) {
      content = <PageSpin />;
    }
  }

  return (
    <TenantContext.Provider value={tenant}>
      {me.memberships.length > 0 ? (
        <>
          <RealtimeLink />
          <WorkspaceNotifier tenantId={tenantId} />
        </>
      ) : null}
      <Layout style={{ minHeight: '100vh' }}>
        <Sider
          className="kefu-sider"
          width={232}
          collapsedWidth={narrow ? 0 : 72}
          collapsed={collapsed}
          breakpoint="lg"
          onBreakpoint={(broken) => setCollapsed(broken)}
          trigger={null}
          theme="light"
          style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
          data-testid="sider"
        >
          <div className="kefu-sider-brand">
            <Brand />
          </div>
          <nav aria-label={t('nav.label')} style={{ flex: 1 }}>
            <Menu
              mode="inline"
              selectedKeys={[selected]}
              items={menuItems}
              style={{ borderInlineEnd: 'none', paddingTop: 8 }}
            />
          </nav>
        </Sider>
        <Layout>
          <Header className="kefu-header">
            <Tooltip title={collapsed ? t('nav.expand') : t('nav.collapse')}>
              <Button
                type="text"
                aria-label={collapsed ? t('nav.expand') : t('nav.collapse')}
                aria-expanded={!collapsed}
                data-testid="sider-toggle"
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={() => setCollapsed((c) => !c)}
              />
            </Tooltip>
            {me.memberships.length > 0 || tenantId ? (
              <TenantSwitcher currentId={tenantId} currentName={tenant?.access?.tenant.name} />
            ) : null}
            <div className="kefu-header-spacer" />
            {me.memberships.length > 0 ? <PresenceSwitch compact={narrow} /> : null}
            <LanguageSwitch compact={narrow} />
            <UserMenu />
          </Header>
          <Content>
            <main className="kefu-content" data-testid="page-content">
              {content}
            </main>
          </Content>
        </Layout>
      </Layout>
    </TenantContext.Provider>
  );
}
