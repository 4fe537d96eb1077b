import { useMemo, useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Flex, Popconfirm, Table, Tag, Tooltip, Typography } from 'antd';
import { CheckOutlined, DeleteOutlined, EditOutlined, LockOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { Permission, Role } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { groupByResource, permissionDescription, permissionLabel, resourceLabel, roleDescription, roleLabel } from '../../lib/labels';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { RoleEditorModal } from './RoleEditor';

const testId = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;

interface MatrixRow extends Permission {
  span: number;
}

export default function Roles() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { tenantId, can, permissions: mine } = useTenant();
  const manage = can('roles:manage');
  const data = useLoad(async () => {
    const [roles, perms] = await Promise.all([tenantApi.roles(tenantId), tenantApi.permissions(tenantId)]);
    return { roles: roles.items, catalogue: perms.items };
  }, [tenantId]);
  const [editing, setEditing] = useState<Role | 'new' | null>(null);

  const rows = useMemo<MatrixRow[]>(
    () =>
      groupByResource(data.data?.catalogue ?? []).flatMap((g) =>
        g.items.map((p, i) => ({ ...p, span: i === 0 ? g.items.length : 0 })),
      ),
    [data.data],
  );

  async function remove(r: Role) {
    try {
      await tenantApi.deleteRole(tenantId, r.id);
      data.setData((d) => (d ? { ...d, roles: d.roles.filter((x) => x.id !== r.id) } : d));
      message.success(t('roles.deleted', { name: r.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  if (data.error) return <ErrorState error={data.error} onRetry={() => void data.reload()} />;
  const roles = data.data?.roles ?? [];
  const catalogue = data.data?.catalogue ?? [];
  const custom = roles.filter((r) => !r.builtin);

  const createButton = (testId: string) =>
    manage ? (
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid={testId}>
        {t('roles.create')}
      </Button>
    ) : null;

  return (
    <>
      <PageHeader title={t('nav.roles')} subtitle={t('roles.subtitle')} extra={createButton('role-create')} />
      <Card title={t('roles.listTitle')} styles={{ body: { padding: 0 } }}>
        <Table<Role>
          rowKey="id"
          loading={data.loading}
          dataSource={roles}
          pagination={false}
          data-testid="roles-table"
          onRow={(r) => testId(`role-row-${r.name}`)}
          scroll={{ x: 720 }}
          columns={[
            {
              title: t('roles.name'),
              key: 'name',
              width: 200,
              render: (_, r) => (
                <Flex gap={8} align="center">
                  <Typography.Text strong>{roleLabel(t, r.name)}</Typography.Text>
                  {r.builtin ? (
                    <Tag icon={<LockOutlined />} bordered={false}>
                      {t('roles.builtinTag')}
                    </Tag>
                  ) : (
                    <Tag color="purple" bordered={false}>
                      {t('roles.customTag')}
                    </Tag>
                  )}
                </Flex>
              ),
            },
            {
              title: t('roles.description'),
              key: 'description',
              render: (_, r) => roleDescription(t, r) || <Typography.Text type="secondary">—</Typography.Text>,
            },
            {
              title: t('roles.permissionCount'),
              key: 'count',
              width: 120,
              render: (_, r) => `${r.permissions.length} / ${catalogue.length}`,
            },
            ...(manage
              ? [
                  {
                    title: <span className="sr-only">{t('common.actions')}</span>,
                    key: 'actions',
                    width: 120,
                    align: 'right' as const,
                    render: (_: unknown, r: Role) =>
                      r.builtin ? (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t('roles.readOnly')}
                        </Typography.Text>
                      ) : (
                        <Flex justify="end" gap={4}>
                          <Tooltip title={t('common.edit')}>
                            <Button
                              type="text"
                              icon={<EditOutlined />}
                              aria-label={t('roles.editLabel', { name: r.name })}
                              onClick={() => setEditing(r)}
                              data-testid={`role-edit-${r.name}`}
                            />
                          </Tooltip>
                          <Popconfirm
                            title={t('roles.deleteTitle', { name: r.name })}
                            description={t('roles.deleteBody')}
                            okText={t('common.delete')}
                            cancelText={t('common.cancel')}
                            okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                            onConfirm={() => remove(r)}
                          >
                            <Button
                              type="text"
                              danger
                              icon={<DeleteOutlined />}
                              aria-label={t('roles.deleteLabel', { name: r.name })}
                              data-testid={`role-delete-${r.name}`}
                            />
                          </Popconfirm>
                        </Flex>
                      ),
                  },
                ]
              : []),
          ]}
          footer={
            !data.loading && custom.length === 0
              ? () => (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('roles.noCustom')} style={{ margin: '8px 0' }}>
                    {createButton('role-create-empty')}
                  </Empty>
                )
              : undefined
          }
        />
      </Card>

      <Card title={t('roles.matrixTitle')} style={{ marginTop: 16 }} styles={{ body: { padding: 0 } }}>
        <Table<MatrixRow>
          className="kefu-matrix"
          data-testid="role-matrix"
          rowKey="name"
          size="small"
          bordered
          loading={data.loading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: t('roles.resource'),
              key: 'resource',
              fixed: 'left',
              width: 120,
              onCell: (p) => ({ rowSpan: p.span, className: 'kefu-group-cell' }),
              render: (_, p) => resourceLabel(t, p.resource),
            },
            {
              title: t('roles.permission'),
              key: 'permission',
              fixed: 'left',
              width: 220,
              render: (_, p) => (
                <Tooltip title={permissionDescription(t, p)} placement="right">
                  <Flex vertical>
                    <span>{permissionLabel(t, p)}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {p.name}
                    </Typography.Text>
                  </Flex>
                </Tooltip>
              ),
            },
            ...roles.map((r) => ({
              title: (
                <Flex vertical align="center" gap={2}>
                  <span>{roleLabel(t, r.name)}</span>
                  {r.builtin ? null : (
                    <Tag color="purple" bordered={false} style={{ marginInlineEnd: 0, fontSize: 11 }}>
                      {t('roles.customTag')}
                    </Tag>
                  )}
                </Flex>
              ),
              key: `role-${r.id}`,
              width: 104,
              align: 'center' as const,
              onCell: (p: MatrixRow) =>
                ({
                  className: 'kefu-matrix-cell',
                  'data-testid': `matrix-${r.name}-${p.name}`,
                  'data-granted': r.permissions.includes(p.name) ? 'true' : 'false',
                }) as HTMLAttributes<HTMLElement>,
              render: (_: unknown, p: MatrixRow) =>
                r.permissions.includes(p.name) ? (
                  <CheckOutlined style={{ color: '#16a34a' }} aria-label={t('roles.granted')} />
                ) : (
                  <span style={{ color: '#cbd5e1' }} aria-label={t('roles.notGranted')}>
                    –
                  </span>
                ),
            })),
          ]}
        />
      </Card>

      {manage ? (
        <RoleEditorModal
          open={editing !== null}
          onClose={() => setEditing(null)}
          tenantId={tenantId}
          role={editing && editing !== 'new' ? editing : undefined}
          catalogue={catalogue}
          grantable={mine}
          onSaved={(saved) => {
            const isNew = editing === 'new';
            setEditing(null);
            data.setData((d) =>
              d
                ? {
                    ...d,
                    roles: isNew ? [...d.roles, saved] : d.roles.map((x) => (x.id === saved.id ? saved : x)),
                  }
                : d,
            );
            message.success(isNew ? t('roles.created', { name: saved.name }) : t('roles.saved', { name: saved.name }));
          }}
        />
      ) : null}
    </>
  );
}
