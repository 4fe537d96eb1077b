import { Button } from 'antd';
import { Result } from '../components/Result';
import { TeamOutlined } from '@ant-design/icons';
import { Navigate, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useMe } from '../auth/AuthContext';
import { getLastTenant } from '../lib/storage';

/** "/" opens the last-used tenant, else the first active one, else explains. */
export default function HomeRedirect() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const last = getLastTenant(me.user.id);
  const target =
    me.memberships.find((m) => m.tenant_id === last) ??
    me.memberships.find((m) => m.tenant_status === 'active') ??
    me.memberships[0];
  if (target) return <Navigate to={`/t/${target.tenant_id}`} replace />;
  if (me.user.is_operator) return <Navigate to="/platform" replace />;
  return (
    <Result
      data-testid="no-tenants"
      icon={<TeamOutlined style={{ color: '#1f6feb' }} />}
      title={t('home.noTenantsTitle')}
      subTitle={t('home.noTenantsBody')}
      extra={
        <Button type="primary" onClick={() => navigate('/account')}>
          {t('nav.account')}
        </Button>
      }
    />
  );
}
