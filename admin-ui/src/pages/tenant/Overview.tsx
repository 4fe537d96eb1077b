import { Card, Col, Descriptions, Empty, Flex, Row, Tag, Typography } from 'antd';
import { CheckCircleFilled, SafetyCertificateOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { TenantAvatar } from '../../components/TenantSwitcher';
import { formatDate } from '../../lib/format';
import { resourceLabel, roleLabel, splitPermission } from '../../lib/labels';
import { useTenant } from '../../tenant/TenantContext';
import { TENANT_PAGES } from '../../tenant/pages';

/** The tenant at a glance: who you are here and what you may do. */
export default function Overview() {
  const { t } = useTranslation();
  const { tenant, role, permissions, can } = useTenant();
  if (!tenant) return null;

  const byResource = new Map<string, string[]>();
  for (const p of permissions) {
    const { resource } = splitPermission(p);
    byResource.set(resource, [...(byResource.get(resource) ?? []), p]);
  }
  const shortcuts = TENANT_PAGES.filter((p) => p.key !== 'overview' && (!p.perm || can(p.perm)));

  return (
    <>
      <PageHeader title={t('nav.overview')} subtitle={t('overview.subtitle')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card>
            <Flex align="center" gap={16} style={{ marginBottom: 20 }}>
              <TenantAvatar id={tenant.id} name={tenant.name} size={48} />
              <div style={{ minWidth: 0 }}>
                <Typography.Title level={4} style={{ margin: 0 }} data-testid="overview-tenant-name" ellipsis>
                  {tenant.name}
                </Typography.Title>
                <Typography.Text type="secondary">{tenant.slug}</Typography.Text>
              </div>
            </Flex>
            <Descriptions
              column={1}
              size="small"
              items={[
                {
                  key: 'role',
                  label: t('overview.yourRole'),
                  children: (
                    <Tag color="blue" data-testid="overview-role">
                      {roleLabel(t, role)}
                    </Tag>
                  ),
                },
                {
                  key: 'status',
                  label: t('overview.status'),
                  children:
                    tenant.status === 'active' ? (
                      <Tag color="success">{t('tenantStatus.active')}</Tag>
                    ) : (
                      <Tag color="warning">{t('tenantStatus.suspended')}</Tag>
                    ),
                },
                { key: 'tz', label: t('settings.timezone'), children: tenant.timezone },
                { key: 'locale', label: t('settings.locale'), children: t(`lang.${tenant.locale}`, { defaultValue: tenant.locale }) },
                {
                  key: '2fa',
                  label: t('settings.require2fa'),
                  children: tenant.require_2fa ? t('common.on') : t('common.off'),
                },
                { key: 'created', label: t('overview.created'), children: formatDate(tenant.created_at) },
              ]}
            />
          </Card>
          {shortcuts.length ? (
            <Card title={t('overview.shortcuts')} style={{ marginTop: 16 }}>
              <Flex wrap gap={8}>
                {shortcuts.map((p) => (
                  <Link key={p.key} to={`/t/${tenant.id}/${p.path}`}>
                    <Tag icon={p.icon} style={{ padding: '4px 10px', fontSize: 13, cursor: 'pointer' }}>
                      {t(`nav.${p.key}`)}
                    </Tag>
                  </Link>
                ))}
              </Flex>
            </Card>
          ) : null}
        </Col>
        <Col xs={24} lg={14}>
          <Card
            title={
              <Flex align="center" gap={8}>
                <SafetyCertificateOutlined />
                {t('overview.yourPermissions')}
                <Tag>{permissions.length}</Tag>
              </Flex>
            }
            data-testid="overview-permissions"
          >
            {permissions.length === 0 ? (
              <Empty description={t('overview.noPermissions')} />
            ) : (
              <Flex vertical gap={12}>
                {[...byResource.entries()].map(([resource, perms]) => (
                  <Flex key={resource} gap={12} align="baseline">
                    <Typography.Text type="secondary" style={{ width: 96, flex: 'none' }}>
                      {resourceLabel(t, resource)}
                    </Typography.Text>
                    <Flex wrap gap={6}>
                      {perms.map((p) => (
                        <Tag key={p} icon={<CheckCircleFilled />} color="processing" data-testid={`overview-perm-${p}`}>
                          {t(`permissions.${p}.label`, { defaultValue: splitPermission(p).action })}
                        </Tag>
                      ))}
                    </Flex>
                  </Flex>
                ))}
              </Flex>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
