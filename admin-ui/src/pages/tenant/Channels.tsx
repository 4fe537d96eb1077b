// The tenant's channels: list, create and edit (the connector's settings are a form
// rendered from its JSON Schema), turn on and off, delete, and how to connect each one:
// the embed snippet of a web chat channel, the webhook URL of any other.
import { useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Flex, Input, Modal, Popconfirm, Switch, Table, Tag, Typography } from 'antd';
import { CopyOutlined, DeploymentUnitOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { chatApi, type Channel, type Connector } from '../../api/chat';
import { ErrorState } from '../../components/ErrorState';
import { FormModal } from '../../components/FormModal';
import { PageHeader } from '../../components/PageHeader';
import { copyText } from '../../lib/clipboard';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { ChannelForm, connectorLabel } from './ChannelForm';

const testId = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;

/** The widget's script tag for a web channel, on this server's origin. */
export function widgetSnippet(channelId: string, origin = window.location.origin): string {
  return `<script src="${origin}/widget.js" data-kefu-channel="${channelId}" async></script>`;
}

/** The server answers an absolute URL when it knows its public URL, a path otherwise. */
function absolute(url: string): string {
  return url.startsWith('/') ? `${window.location.origin}${url}` : url;
}

function CopyField({ value, testId, label, multiline }: { value: string; testId: string; label: string; multiline?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Flex gap={8} align="start">
      {multiline ? (
        <Input.TextArea readOnly value={value} autoSize className="kefu-secret" data-testid={testId} aria-label={label} onFocus={(e) => e.target.select()} />
      ) : (
        <Input readOnly value={value} className="kefu-secret" data-testid={testId} aria-label={label} onFocus={(e) => e.target.select()} />
      )}
      <Button
        icon={<CopyOutlined />}
        data-testid={`${testId}-copy`}
        onClick={() =>
          void copyText(value).then(
            () => message.success(t('common.copied')),
            () => message.error(t('common.copyFailed')),
          )
        }
      >
        {t('common.copy')}
      </Button>
    </Flex>
  );
}

/** How to connect a channel: the widget snippet (web) or the provider's webhook URL. */
export function ChannelInstall({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  if (channel.connector === 'web') {
    return (
      <div data-testid="channel-install">
        <Typography.Paragraph>{t('channels.snippetHelp')}</Typography.Paragraph>
        <CopyField value={widgetSnippet(channel.id)} testId="channel-snippet" label={t('channels.snippet')} multiline />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('channels.snippetIdentity')}
        </Typography.Paragraph>
      </div>
    );
  }
  return (
    <div data-testid="channel-install">
      <Typography.Paragraph>{t('channels.webhookHelp')}</Typography.Paragraph>
      <CopyField value={absolute(channel.webhook_url)} testId="channel-webhook" label={t('channels.webhookUrl')} />
    </div>
  );
}

export default function Channels() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { tenantId, can } = useTenant();
  const manage = can('channels:manage');
  const channels = useLoad(() => chatApi.channels(tenantId).then((r) => r.items), [tenantId]);
  const connectors = useLoad(() => chatApi.connectors(tenantId).then((r) => r.items), [tenantId]);
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [install, setInstall] = useState<Channel | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function toggle(ch: Channel, enabled: boolean) {
    setBusy(ch.id);
    try {
      const next = await chatApi.updateChannel(tenantId, ch.id, { enabled });
      channels.setData((list) => list?.map((c) => (c.id === next.id ? next : c)));
      message.success(enabled ? t('channels.enabledDone', { name: ch.name }) : t('channels.disabledDone', { name: ch.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  async function remove(ch: Channel) {
    try {
      await chatApi.deleteChannel(tenantId, ch.id);
      channels.setData((list) => list?.filter((c) => c.id !== ch.id));
      message.success(t('channels.deleted', { name: ch.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  if (channels.error) return <ErrorState error={channels.error} onRetry={() => void channels.reload()} />;
  const connectorList: Connector[] = connectors.data ?? [];
  const createButton = (id: string) =>
    manage ? (
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} disabled={!connectors.data?.length} data-testid={id}>
        {t('channels.create')}
      </Button>
    ) : null;

  return (
    <>
      <PageHeader title={t('nav.channels')} subtitle={t('channels.subtitle')} extra={createButton('channel-create')} />
      {connectors.error ? <ErrorState error={connectors.error} onRetry={() => void connectors.reload()} /> : null}
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Channel>
          rowKey="id"
          data-testid="channels-table"
          loading={channels.loading}
          dataSource={channels.data ?? []}
          pagination={false}
          scroll={{ x: 820 }}
          onRow={(c) => testId(`channel-row-${c.name}`)}
          rowClassName={(c) => (c.enabled ? '' : 'kefu-row-muted')}
          locale={{
            emptyText: channels.loading ? (
              <div style={{ height: 120 }} />
            ) : (
              <Empty image={<DeploymentUnitOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />} description={t('channels.empty')}>
                {createButton('channel-create-empty')}
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('channels.name'),
              key: 'name',
              render: (_, c) => (
                <Flex vertical>
                  <Typography.Text strong>{c.name}</Typography.Text>
                  <Typography.Text type="secondary" copyable={{ text: c.id }} style={{ fontSize: 12 }}>
                    {c.id.slice(0, 8)}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('channels.connector'),
              key: 'connector',
              width: 160,
              render: (_, c) => <Tag data-testid={`channel-connector-${c.name}`}>{connectorLabel(t, c.connector)}</Tag>,
            },
            {
              title: t('channels.enabled'),
              key: 'enabled',
              width: 110,
              render: (_, c) =>
                manage ? (
                  <Switch
                    checked={c.enabled}
                    loading={busy === c.id}
                    aria-label={t('channels.enabledOf', { name: c.name })}
                    data-testid={`channel-enabled-${c.name}`}
                    onChange={(v) => void toggle(c, v)}
                  />
                ) : (
                  <Tag color={c.enabled ? 'success' : 'default'} data-testid={`channel-enabled-${c.name}`}>
                    {c.enabled ? t('channels.on') : t('channels.off')}
                  </Tag>
                ),
            },
            { title: t('channels.createdAt'), key: 'created', width: 160, render: (_, c) => formatDateTime(c.created_at) },
            {
              title: <span className="sr-only">{t('common.actions')}</span>,
              key: 'actions',
              width: 250,
              align: 'right',
              render: (_, c) => (
                <Flex gap={4} justify="end">
                  <Button type="link" onClick={() => setInstall(c)} data-testid={`channel-install-${c.name}`}>
                    {c.connector === 'web' ? t('channels.embed') : t('channels.webhook')}
                  </Button>
                  {manage ? (
                    <>
                      <Button type="link" onClick={() => setEditing(c)} disabled={!connectors.data} data-testid={`channel-edit-${c.name}`}>
                        {t('common.edit')}
                      </Button>
                      <Popconfirm
                        title={t('channels.deleteTitle', { name: c.name })}
                        description={t('channels.deleteBody')}
                        okText={t('common.delete')}
                        cancelText={t('common.cancel')}
                        okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                        onConfirm={() => remove(c)}
                      >
                        <Button type="link" danger data-testid={`channel-delete-${c.name}`}>
                          {t('common.delete')}
                        </Button>
                      </Popconfirm>
                    </>
                  ) : null}
                </Flex>
              ),
            },
          ]}
        />
      </Card>

      <FormModal
        open={editing !== null}
        title={editing === 'new' ? t('channels.createTitle') : t('channels.editTitle')}
        onCancel={() => setEditing(null)}
        footer={null}
        width={640}
        destroyOnHidden
      >
        {editing !== null ? (
          <ChannelForm
            tenantId={tenantId}
            connectors={connectorList}
            channel={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSaved={(ch, created) => {
              setEditing(null);
              channels.setData((list) => (created ? [...(list ?? []), ch] : (list ?? []).map((c) => (c.id === ch.id ? ch : c))));
              message.success(created ? t('channels.createdDone', { name: ch.name }) : t('channels.saved', { name: ch.name }));
              if (created) setInstall(ch);
            }}
          />
        ) : null}
      </FormModal>

      <Modal
        open={!!install}
        title={install ? t('channels.installTitle', { name: install.name }) : ''}
        onCancel={() => setInstall(null)}
        footer={
          <Button type="primary" onClick={() => setInstall(null)} data-testid="channel-install-done">
            {t('channels.done')}
          </Button>
        }
        width={640}
        destroyOnHidden
      >
        {install ? <ChannelInstall channel={install} /> : null}
      </Modal>
    </>
  );
}
