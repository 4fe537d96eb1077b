import { useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Popconfirm, Select, Table, Tag, Tooltip, Typography } from 'antd';
import { FormModal } from '../../components/FormModal';
import { CopyOutlined, KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { ApiKey, ApiKeyCreated } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { FormError } from '../../components/FormError';
import { PageHeader } from '../../components/PageHeader';
import { copyText } from '../../lib/clipboard';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatRelative } from '../../lib/format';
import { roleLabel } from '../../lib/labels';
import { rules } from '../../lib/rules';
import { useLoad } from '../../lib/useLoad';
import { useServerErrors } from '../../lib/useServerErrors';
import { roleOptions, type RoleOption } from '../../tenant/roleOptions';
import { useTenant } from '../../tenant/TenantContext';

const testId = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;

function CreateKeyForm({ tenantId, roles, onCreated, onCancel }: {
  tenantId: string;
  roles: RoleOption[];
  onCreated: (k: ApiKeyCreated) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; role: string }>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { name: 'name', role: 'role' },
    codes: { 'role.escalation': 'role', 'member.owner-only': 'role' },
  });
  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ role: roles.find((r) => r.value === 'viewer' && !r.disabled)?.value }}
      onValuesChange={errors.clear}
      onFinish={async (v) => {
        setBusy(true);
        try {
          onCreated(await tenantApi.createApiKey(tenantId, { name: v.name.trim(), role: v.role }));
        } catch (err) {
          errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <FormError error={errors.formError} testId="apikey-error" />
      <Form.Item name="name" label={t('apikeys.name')} rules={[rules.required(t), rules.maxLen(t, 100)]} extra={t('apikeys.nameHint')}>
        <Input autoFocus autoComplete="off" data-testid="apikey-name" />
      </Form.Item>
      <Form.Item
        name="role"
        label={t('fields.role')}
        rules={[{ required: true, message: t('validation.roleRequired') }]}
        extra={t('apikeys.roleHint')}
      >
        <Select
          data-testid="apikey-role"
          aria-label={t('fields.role')}
          options={roles.map((r) => ({
            value: r.value,
            disabled: r.disabled,
            label: r.label,
            title: r.reason ?? r.label,
          }))}
          optionRender={(o) => <span data-testid={`apikey-role-option-${o.value}`}>{o.label}</span>}
        />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="apikey-submit">
          {t('apikeys.create')}
        </Button>
      </Flex>
    </Form>
  );
}

/** Shows a new key once, with a copy button; it cannot be shown again. */
function RevealKey({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <>
      <Alert type="warning" showIcon message={t('apikeys.onceTitle')} description={t('apikeys.onceBody')} style={{ marginBottom: 16 }} />
      <Typography.Text type="secondary">{t('apikeys.yourKey', { name: created.name })}</Typography.Text>
      <Flex gap={8} style={{ marginTop: 8, marginBottom: 24 }}>
        <Input readOnly value={created.key} className="kefu-secret" data-testid="apikey-secret" aria-label={t('apikeys.secretLabel')} onFocus={(e) => e.target.select()} />
        <Button
          icon={<CopyOutlined />}
          data-testid="apikey-copy"
          onClick={() =>
            void copyText(created.key).then(
              () => message.success(t('common.copied')),
              () => message.error(t('common.copyFailed')),
            )
          }
        >
          {t('common.copy')}
        </Button>
      </Flex>
      <Flex justify="end">
        <Button type="primary" onClick={onDone} data-testid="apikey-done">
          {t('apikeys.done')}
        </Button>
      </Flex>
    </>
  );
}

export default function ApiKeys() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { tenantId, role: myRole, permissions, can } = useTenant();
  const keys = useLoad(() => tenantApi.apiKeys(tenantId).then((r) => r.items), [tenantId]);
  const roles = useLoad(
    () => (can('roles:read') ? tenantApi.roles(tenantId).then((r) => r.items) : Promise.resolve(undefined)),
    [tenantId],
  );
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const options = roleOptions(t, roles.data, myRole, permissions, { excludeOwner: true });

  async function revoke(k: ApiKey) {
    try {
      await tenantApi.revokeApiKey(tenantId, k.id);
      await keys.reload();
      message.success(t('apikeys.revoked', { name: k.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  if (keys.error) return <ErrorState error={keys.error} onRetry={() => void keys.reload()} />;
  const createButton = (testId: string) => (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid={testId}>
      {t('apikeys.create')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('nav.api-keys')} subtitle={t('apikeys.subtitle')} extra={createButton('apikey-create')} />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<ApiKey>
          rowKey="id"
          data-testid="apikeys-table"
          loading={keys.loading}
          dataSource={keys.data ?? []}
          pagination={false}
          scroll={{ x: 860 }}
          onRow={(k) => testId(`apikey-row-${k.name}`)}
          rowClassName={(k) => (k.revoked_at ? 'kefu-row-muted' : '')}
          locale={{
            emptyText: keys.loading ? <div style={{ height: 120 }} /> : (
              <Empty image={<KeyOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />} description={t('apikeys.empty')}>
                {createButton('apikey-create-empty')}
              </Empty>
            ),
          }}
          columns={[
            { title: t('apikeys.name'), dataIndex: 'name', key: 'name', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
            {
              title: t('apikeys.prefix'),
              key: 'prefix',
              width: 170,
              render: (_, k) => <Typography.Text code>{k.prefix}…</Typography.Text>,
            },
            { title: t('fields.role'), key: 'role', width: 130, render: (_, k) => <Tag>{roleLabel(t, k.role)}</Tag> },
            { title: t('apikeys.created'), key: 'created', width: 160, render: (_, k) => formatDateTime(k.created_at) },
            {
              title: t('apikeys.lastUsed'),
              key: 'last',
              width: 140,
              render: (_, k) =>
                k.last_used_at ? (
                  <Tooltip title={formatDateTime(k.last_used_at)}>{formatRelative(k.last_used_at)}</Tooltip>
                ) : (
                  <Typography.Text type="secondary">{t('apikeys.never')}</Typography.Text>
                ),
            },
            {
              title: t('apikeys.status'),
              key: 'status',
              width: 150,
              render: (_, k) =>
                k.revoked_at ? (
                  <Tooltip title={formatDateTime(k.revoked_at)}>
                    <Tag color="default" data-testid={`apikey-status-${k.name}`}>
                      {t('apikeys.revokedAt', { date: formatRelative(k.revoked_at) })}
                    </Tag>
                  </Tooltip>
                ) : (
                  <Tag color="success" data-testid={`apikey-status-${k.name}`}>
                    {t('apikeys.active')}
                  </Tag>
                ),
            },
            {
              title: <span className="sr-only">{t('common.actions')}</span>,
              key: 'actions',
              width: 90,
              align: 'right',
              render: (_, k) =>
                k.revoked_at ? null : (
                  <Popconfirm
                    title={t('apikeys.revokeTitle', { name: k.name })}
                    description={t('apikeys.revokeBody')}
                    okText={t('apikeys.revoke')}
                    cancelText={t('common.cancel')}
                    okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                    onConfirm={() => revoke(k)}
                  >
                    <Button type="link" danger data-testid={`apikey-revoke-${k.name}`}>
                      {t('apikeys.revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>

      <FormModal open={creating} title={t('apikeys.createTitle')} onCancel={() => setCreating(false)} footer={null} destroyOnHidden>
        <CreateKeyForm
          tenantId={tenantId}
          roles={options}
          onCancel={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            void keys.reload();
          }}
        />
      </FormModal>
      <FormModal
        open={!!created}
        title={t('apikeys.createdTitle')}
        onCancel={() => setCreated(null)}
        footer={null}
        maskClosable={false}
        keyboard={false}
        destroyOnHidden
      >
        {created ? <RevealKey created={created} onDone={() => setCreated(null)} /> : null}
      </FormModal>
    </>
  );
}
