// Canned responses (conversations:reply): the tenant's shared ones and the agent's own,
// in shortcut order, with search; create and edit in a dialog, delete with a
// confirmation. Shared responses need kb:edit to create, change or delete; personal ones
// belong to their author. In the reply box, "/" and the shortcut insert one.
import { useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Flex, Input, Popconfirm, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useMe } from '../../auth/AuthContext';
import { workspaceApi, type CannedResponse } from '../../api/workspace';
import { ErrorState } from '../../components/ErrorState';
import { FormModal } from '../../components/FormModal';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { CannedForm } from './CannedForm';

const testId = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;

const byShortcut = (a: CannedResponse, b: CannedResponse) => a.shortcut.localeCompare(b.shortcut);

export default function CannedResponses() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const { tenantId, can } = useTenant();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const list = useLoad(() => workspaceApi.canned(tenantId, query || undefined).then((r) => r.items), [tenantId, query]);
  const [editing, setEditing] = useState<CannedResponse | 'new' | null>(null);
  const canShare = can('kb:edit');
  const mayChange = (c: CannedResponse) => (c.scope === 'shared' ? canShare : c.owner_id === me.user.id);

  async function remove(c: CannedResponse) {
    try {
      await workspaceApi.deleteCanned(tenantId, c.id);
      list.setData((l) => l?.filter((x) => x.id !== c.id));
      message.success(t('canned.deleted', { shortcut: c.shortcut }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  const createButton = (id: string) => (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid={id}>
      {t('canned.create')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('nav.canned')} subtitle={t('canned.subtitle')} extra={createButton('canned-create')} />
      {list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.reload()} />
      ) : (
        <Card styles={{ body: { padding: 0 } }}>
          <Flex style={{ padding: 16 }} gap={8}>
            <Input.Search
              allowClear
              value={q}
              onChange={(e) => {
                setQ(e.target.value);
                if (!e.target.value) setQuery('');
              }}
              onSearch={(v) => setQuery(v.trim())}
              placeholder={t('canned.search')}
              style={{ maxWidth: 360 }}
              data-testid="canned-search"
              aria-label={t('canned.search')}
            />
          </Flex>
          <Table<CannedResponse>
            rowKey="id"
            data-testid="canned-table"
            loading={list.loading}
            dataSource={list.data ?? []}
            pagination={false}
            scroll={{ x: 820 }}
            onRow={(c) => testId(`canned-row-${c.id}`)}
            locale={{
              emptyText: list.loading ? (
                <div style={{ height: 120 }} />
              ) : (
                <Empty image={<ThunderboltOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />} description={query ? t('canned.noMatch') : t('canned.empty')}>
                  {query ? null : createButton('canned-create-empty')}
                </Empty>
              ),
            }}
            columns={[
              {
                title: t('canned.shortcut'),
                key: 'shortcut',
                width: 160,
                render: (_, c) => <Typography.Text code>/{c.shortcut}</Typography.Text>,
              },
              {
                title: t('canned.title'),
                key: 'title',
                width: 220,
                render: (_, c) => <Typography.Text strong>{c.title}</Typography.Text>,
              },
              {
                title: t('canned.text'),
                key: 'text',
                render: (_, c) => (
                  <Typography.Paragraph type="secondary" ellipsis={{ rows: 2, tooltip: c.text }} style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                    {c.text}
                  </Typography.Paragraph>
                ),
              },
              {
                title: t('canned.scope'),
                key: 'scope',
                width: 110,
                render: (_, c) => <Tag color={c.scope === 'shared' ? 'blue' : undefined}>{t(`canned.scopes.${c.scope}`)}</Tag>,
              },
              {
                title: t('canned.updated'),
                key: 'updated',
                width: 160,
                render: (_, c) => <Typography.Text type="secondary">{formatDateTime(c.updated_at)}</Typography.Text>,
              },
              {
                title: <span className="sr-only">{t('common.actions')}</span>,
                key: 'actions',
                width: 150,
                align: 'right',
                render: (_, c) =>
                  mayChange(c) ? (
                    <Flex gap={4} justify="end">
                      <Button type="link" onClick={() => setEditing(c)} data-testid={`canned-edit-${c.id}`}>
                        {t('common.edit')}
                      </Button>
                      <Popconfirm
                        title={t('canned.deleteTitle', { shortcut: c.shortcut })}
                        description={c.scope === 'shared' ? t('canned.deleteShared') : undefined}
                        okText={t('common.delete')}
                        cancelText={t('common.cancel')}
                        okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                        onConfirm={() => remove(c)}
                      >
                        <Button type="link" danger data-testid={`canned-delete-${c.id}`}>
                          {t('common.delete')}
                        </Button>
                      </Popconfirm>
                    </Flex>
                  ) : null,
              },
            ]}
          />
        </Card>
      )}

      <FormModal
        open={editing !== null}
        title={editing === 'new' ? t('canned.createTitle') : t('canned.editTitle')}
        onCancel={() => setEditing(null)}
        footer={null}
        width={620}
        destroyOnHidden
      >
        {editing !== null ? (
          <CannedForm
            tenantId={tenantId}
            item={editing === 'new' ? undefined : editing}
            canShare={canShare}
            onCancel={() => setEditing(null)}
            onSaved={(c, created) => {
              setEditing(null);
              list.setData((l) => (created ? [...(l ?? []), c] : (l ?? []).map((x) => (x.id === c.id ? c : x))).sort(byShortcut));
              message.success(created ? t('canned.created', { shortcut: c.shortcut }) : t('canned.saved', { shortcut: c.shortcut }));
            }}
          />
        ) : null}
      </FormModal>
    </>
  );
}
