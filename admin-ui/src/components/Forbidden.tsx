import { Button } from 'antd';
import { Result } from './Result';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useOptionalTenant } from '../tenant/TenantContext';

export function Forbidden({ detail }: { detail?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const tenant = useOptionalTenant();
  return (
    <Result
      status="403"
      data-testid="forbidden"
      title={t('forbidden.title')}
      subTitle={detail ?? t('forbidden.body')}
      extra={
        <Button type="primary" onClick={() => navigate(tenant ? `/t/${tenant.tenantId}` : '/')}>
          {tenant ? t('forbidden.toOverview') : t('common.backHome')}
        </Button>
      }
    />
  );
}
