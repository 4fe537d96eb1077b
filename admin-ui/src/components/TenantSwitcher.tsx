import { Avatar, Button, Dropdown, Flex, Tag, Typography } from 'antd';
import { CheckOutlined, DownOutlined, SwapOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Membership } from '../api/types';
import { useMe } from '../auth/AuthContext';
import { roleLabel } from '../lib/labels';

const PALETTE = ['#1f6feb', '#16a34a', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#4f46e5', '#ea580c'];

export function tenantColor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export function TenantAvatar({ id, name, size = 24 }: { id: string; name: string; size?: number }) {
  return (
    <Avatar shape="square" size={size} style={{ background: tenantColor(id), flex: 'none', fontSize: size * 0.5 }}>
      {[...name.trim()][0]?.toUpperCase() ?? '?'}
    </Avatar>
  );
}

/** Lists every membership; picking one opens that tenant's overview. */
export function TenantSwitcher({ currentId, currentName }: { currentId?: string; currentName?: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const current: Membership | undefined = me.memberships.find((m) => m.tenant_id === currentId);
  const name = currentName ?? current?.tenant_name;

  const items = me.memberships.map((m) => ({
    key: m.tenant_id,
    label: (
      <Flex align="center" gap={10} style={{ minWidth: 240, padding: '2px 0' }} data-testid={`tenant-option-${m.tenant_slug}`}>
        <TenantAvatar id={m.tenant_id} name={m.tenant_name} size={28} />
        <Flex vertical style={{ flex: 1, minWidth: 0 }}>
          <Typography.Text strong ellipsis style={{ maxWidth: 220 }}>
            {m.tenant_name}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {roleLabel(t, m.role)}
          </Typography.Text>
        </Flex>
        {m.tenant_status === 'suspended' ? <Tag color="warning">{t('tenantStatus.suspended')}</Tag> : null}
        {m.tenant_id === currentId ? <CheckOutlined style={{ color: '#1f6feb' }} aria-label={t('switcher.current')} /> : null}
      </Flex>
    ),
  }));

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: items.length
          ? [{ type: 'group' as const, label: t('switcher.title'), children: items }]
          : [{ key: 'none', disabled: true, label: t('switcher.empty') }],
        selectable: true,
        selectedKeys: currentId ? [currentId] : [],
        onClick: ({ key }) => {
          if (key !== 'none') navigate(`/t/${key}`);
        },
      }}
    >
      <Button data-testid="tenant-switcher" aria-label={t('switcher.label')} style={{ maxWidth: 320 }}>
        <Flex align="center" gap={8} style={{ minWidth: 0 }}>
          {currentId && name ? <TenantAvatar id={currentId} name={name} size={20} /> : <SwapOutlined />}
          <Typography.Text ellipsis style={{ maxWidth: 220 }} data-testid="current-tenant-name">
            {name ?? t('switcher.choose')}
          </Typography.Text>
          <DownOutlined style={{ fontSize: 10, color: 'rgba(0,0,0,0.45)' }} />
        </Flex>
      </Button>
    </Dropdown>
  );
}
