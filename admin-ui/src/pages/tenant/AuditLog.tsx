import { useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Empty, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { AuditEntry, Member } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useTenant } from '../../tenant/TenantContext';

const PAGE = 50;

export default function AuditLog() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { tenantId, can } = useTenant();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    tenantApi.auditLog(tenantId, { limit: PAGE }).then(
      (r) => {
        if (cancelled) return;
        setEntries(r.items);
        setHasMore(r.items.length === PAGE);
        setLoading(false);
      },
      (e: unknown) => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    // Names for actor ids, when the caller may see members (nice to have, not needed).
    if (can('members:read')) {
      tenantApi.members(tenantId).then(
        (r) => !cancelled && setMembers(r.items),
        () => undefined,
      );
    }
    return () => {
      cancelled = true;
    };
  }, [tenantId, nonce]);

  const names = useMemo(() => new Map(members.map((m) => [m.user_id, m.name])), [members]);

  async function loadMore() {
    const last = entries[entries.length - 1];
    if (!last) return;
    setMore(true);
    try {
      const r = await tenantApi.auditLog(tenantId, { limit: PAGE, before: last.id });
      setEntries((e) => [...e, ...r.items]);
      setHasMore(r.items.length === PAGE);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setMore(false);
    }
  }

  if (error) return <ErrorState error={error} onRetry={() => setNonce((n) => n + 1)} />;

  const actor = (e: AuditEntry) => {
    const kind = t(`audit.actor.${e.actor_type}`, { defaultValue: e.actor_type });
    if (!e.actor_id) return <Tag bordered={false}>{kind}</Tag>;
    const name = e.actor_type === 'user' ? names.get(e.actor_id) : undefined;
    return (
      <Tooltip title={e.actor_id}>
        <Flex vertical>
          <span>{name ?? <Typography.Text code>{e.actor_id.slice(0, 8)}</Typography.Text>}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {kind}
          </Typography.Text>
        </Flex>
      </Tooltip>
    );
  };

  return (
    <>
      <PageHeader
        title={t('nav.audit-log')}
        subtitle={t('audit.subtitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => setNonce((n) => n + 1)} data-testid="audit-refresh">
            {t('common.refresh')}
          </Button>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<AuditEntry>
          rowKey="id"
          data-testid="audit-log"
          loading={loading}
          dataSource={entries}
          pagination={false}
          scroll={{ x: 960 }}
          locale={{ emptyText: loading ? <div style={{ height: 120 }} /> : <Empty description={t('audit.empty')} /> }}
          expandable={{
            rowExpandable: (e) => !!e.data && Object.keys(e.data).length > 0,
            expandedRowRender: (e) => (
              <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>{JSON.stringify(e.data, null, 2)}</pre>
            ),
          }}
          columns={[
            {
              title: t('audit.time'),
              key: 'time',
              width: 180,
              render: (_, e) => (
                <Tooltip title={formatRelative(e.created_at)}>
                  <span>{formatDateTime(e.created_at)}</span>
                </Tooltip>
              ),
            },
            { title: t('audit.actor.title'), key: 'actor', width: 180, render: (_, e) => actor(e) },
            {
              title: t('audit.action'),
              key: 'action',
              render: (_, e) => (
                <Flex vertical>
                  <span>{t(`audit.actions.${e.action.replace(/\./g, '_')}`, { defaultValue: e.action })}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} code>
                    {e.action}
                  </Typography.Text>
                </Flex>
              ),
            },
            {
              title: t('audit.target'),
              key: 'target',
              width: 200,
              render: (_, e) =>
                e.target_type ? (
                  <Tooltip title={e.target_id}>
                    <span>
                      {t(`audit.targets.${e.target_type}`, { defaultValue: e.target_type })}{' '}
                      {e.target_id ? <Typography.Text code>{e.target_id.slice(0, 8)}</Typography.Text> : null}
                    </span>
                  </Tooltip>
                ) : (
                  '—'
                ),
            },
            { title: t('audit.ip'), dataIndex: 'ip', key: 'ip', width: 140, render: (v: string) => v || '—' },
          ]}
        />
        {hasMore ? (
          <Flex justify="center" style={{ padding: 16, borderTop: '1px solid #f0f0f0' }}>
            <Button onClick={() => void loadMore()} loading={more} data-testid="audit-load-more">
              {t('audit.loadMore')}
            </Button>
          </Flex>
        ) : entries.length > 0 ? (
          <Flex justify="center" style={{ padding: 12, borderTop: '1px solid #f0f0f0' }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="audit-end">
              {t('audit.end')}
            </Typography.Text>
          </Flex>
        ) : null}
      </Card>
    </>
  );
}
