import { Avatar, Button, Dropdown, Flex, Typography } from 'antd';
import { CrownOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth, useMe } from '../auth/AuthContext';

export function UserMenu() {
  const { t } = useTranslation();
  const me = useMe();
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const items = [
    {
      key: 'who',
      disabled: true,
      label: (
        <Flex vertical style={{ padding: '2px 0' }}>
          <Typography.Text strong>{me.user.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {me.user.email}
          </Typography.Text>
        </Flex>
      ),
    },
    { type: 'divider' as const },
    { key: 'account', icon: <UserOutlined />, label: <span data-testid="user-menu-account">{t('nav.account')}</span> },
    ...(me.user.is_operator
      ? [{ key: 'platform', icon: <CrownOutlined />, label: <span data-testid="user-menu-platform">{t('nav.platform')}</span> }]
      : []),
    { type: 'divider' as const },
    { key: 'logout', icon: <LogoutOutlined />, danger: true, label: <span data-testid="logout">{t('user.logout')}</span> },
  ];
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items,
        onClick: ({ key }) => {
          if (key === 'account') navigate('/account');
          else if (key === 'platform') navigate('/platform');
          else if (key === 'logout') void signOut().then(() => navigate('/login'));
        },
      }}
    >
      <Button type="text" data-testid="user-menu" aria-label={t('user.menu')} style={{ height: 40 }}>
        <Flex align="center" gap={8}>
          <Avatar size={28} style={{ background: '#1f6feb' }}>
            {[...me.user.name.trim()][0]?.toUpperCase() ?? '?'}
          </Avatar>
          <span className="kefu-user-name">{me.user.name}</span>
        </Flex>
      </Button>
    </Dropdown>
  );
}
