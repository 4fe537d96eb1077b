import type { ReactNode } from 'react';
import { Breadcrumb, Flex, Tag } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useOptionalTenant } from '../tenant/TenantContext';

/** The title block of a console page; tenant pages name their tenant first. */
export function PageHeader({ title, subtitle, extra }: { title: ReactNode; subtitle?: ReactNode; extra?: ReactNode }) {
  const { t } = useTranslation();
  const tenant = useOptionalTenant();
  const tenantInfo = tenant?.access?.tenant;
  return (
    <div className="kefu-page-head">
      {tenantInfo ? (
        <Breadcrumb
          items={[
            {
              title: (
                <Link to={`/t/${tenantInfo.id}`} data-testid="page-tenant-name">
                  {tenantInfo.name}
                </Link>
              ),
            },
            { title },
          ]}
        />
      ) : null}
      <Flex align="center" justify="space-between" gap={16} wrap>
        <div>
          <h1>
            {title}
            {tenantInfo?.status === 'suspended' ? (
              <Tag color="warning" style={{ marginLeft: 8, verticalAlign: 'middle' }}>
                {t('tenantStatus.suspended')}
              </Tag>
            ) : null}
          </h1>
          {subtitle ? <div className="kefu-page-sub">{subtitle}</div> : null}
        </div>
        {extra ? <Flex gap={8}>{extra}</Flex> : null}
      </Flex>
    </div>
  );
}
