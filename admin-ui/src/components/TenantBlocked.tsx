// Full-page results for a tenant the caller cannot use right now. The header (tenant
// switcher, user menu) stays, so the user can move to another tenant or log out.
import { Button } from 'antd';
import { Result } from './Result';
import { LockOutlined, StopOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';
import { errorCode } from '../lib/errors';

export const TENANT_BLOCKING_CODES = ['tenant.suspended', 'tenant.2fa-required', 'tenant.not-found'];

export function TenantBlocked({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { signOut, reloadMe } = useAuth();
  const code = errorCode(error);
  if (code === 'tenant.suspended') {
    return (
      <Result
        data-testid="tenant-suspended"
        icon={<StopOutlined style={{ color: '#d97706' }} />}
        title={t('tenantBlocked.suspendedTitle')}
        subTitle={t('tenantBlocked.suspendedBody')}
        extra={[
          <Button key="home" type="primary" onClick={() => navigate('/account')}>
            {t('tenantBlocked.toAccount')}
          </Button>,
          <Button key="logout" onClick={() => void signOut()}>
            {t('user.logout')}
          </Button>,
        ]}
      />
    );
  }
  if (code === 'tenant.2fa-required') {
    return (
      <Result
        data-testid="tenant-2fa-required"
        icon={<LockOutlined style={{ color: '#1f6feb' }} />}
        title={t('tenantBlocked.twofaTitle')}
        subTitle={t('tenantBlocked.twofaBody')}
        extra={
          <Button type="primary" data-testid="tenant-2fa-setup" onClick={() => navigate('/account#two-factor')}>
            {t('tenantBlocked.twofaAction')}
          </Button>
        }
      />
    );
  }
  return (
    <Result
      data-testid="tenant-not-found"
      status="404"
      title={t('tenantBlocked.notFoundTitle')}
      subTitle={t('tenantBlocked.notFoundBody')}
      extra={
        <Button
          type="primary"
          onClick={() => {
            void reloadMe()
              .catch(() => null)
              .finally(() => navigate('/'));
          }}
        >
          {t('common.backHome')}
        </Button>
      }
    />
  );
}
