// Platform operators: every tenant, with search, a status filter and suspend/resume.
import { useEffect, useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Flex, Input, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { PauseCircleOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { platformApi } from '../../api/endpoints';
import type { Tenant } from '../../api/types';
import { useMe } from '../../auth/AuthContext';
import { ErrorState } from '../../components/ErrorState';
import { Forbidden } from '../../components/Forbidden';
import { PageHeader } from '../../components/PageHeader';
import { TenantAvatar } from '../../components/TenantSwitcher';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';

const PAGE = 50;
const testId = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;

export default function Platform() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<string>('');
  const [items, setItems] = useState<Tenant[]>([]);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (!me.user.is_operator) return;
    let cancelled = false;
    setLoading(true);
    setError(null);
    platformApi.tenants({ q, status, limit: PAGE }).then(
      (r) => {
        if (cancelled) return;
        setItems(r.items);
        setHasMore(r.items.length === PAGE);
        setLoading(false);
      },
      (e: unknown) => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [q, status, nonce, me.user.is_operator]);

  if (!me.user.is_operator) return <Forbidden detail={t('platform.operatorOnly')} />;

  async function loadMore() {
    const last = items[items.length - 1];
    if (!last) return;
    setMore(true);
    try {
      const r = await platformApi.tenants({ q, status, limit: PAGE, after: last.id });
      setItems((x) => [...x, ...r.items]);
      setHasMore(r.items.length === PAGE);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setMore(false);
    }
  }

  async function setTenantStatus(tenant: Tenant, action: 'suspend' | 'resume') {
    setBusy(tenant.id);
    try {
      const updated = action === 'suspend' ? await platformApi.suspend(tenant.id) : await platformApi.resume(tenant.id);
      setItems((x) =>
        status && updated.status !== status ? x.filter((i) => i.id !== updated.id) : x.map((i) => (i.id === updated.id ? updated : i)),
      );
      message.success(t(action === 'suspend' ? 'platform.suspended' : 'platform.resumed', { name: tenant.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <PageHeader title={t('nav.platform')} subtitle={t('platform.subtitle')} />
      <Card styles={{ body: { padding: 0 } }}>
        <Flex gap={12} wrap style={{ padding: 16, borderBottom: '1px solid #f0f0f0' }}>
          <Input.Search
            allowClear
            placeholder={t('platform.search')}
            aria-label={t('platform.search')}
            style={{ maxWidth: 320 }}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              if (!e.target.value) setQ('');
            }}
            onSearch={(v) => setQ(v.trim())}
            data-testid="platform-search"
          />
          <Select
            value={status}
            onChange={setStatus}
            style={{ width: 160 }}
            aria-label={t('platform.statusFilter')}
            data-testid="platform-status"
            options={[
              { value: '', label: t('platform.allStatuses') },
              { value: 'active', label: t('tenantStatus.active') },
              { value: 'suspended', label: t('tenantStatus.suspended') },
            ]}
            optionRender={(o) => <span data-testid={`platform-status-option-${o.value || 'all'}`}>{o.label}</span>}
          />
        </Flex>
        {error ? (
          <div style={{ padding: 24 }}>
            <ErrorState error={error} onRetry={() => setNonce((n) => n + 1)} />
          </div>
        ) : (
          <Table<Tenant>
            rowKey="id"
            data-testid="platform-tenants"
            loading={loading}
            dataSource={items}
            pagination={false}
            scroll={{ x: 820 }}
            onRow={(r) => testId(`platform-row-${r.slug}`)}
            locale={{
              emptyText: loading ? <div style={{ height: 120 }} /> : (
                <Empty description={q || status ? t('platform.noMatch') : t('platform.empty')}>
                  {q || status ? (
                    <Button onClick={() => { setSearch(''); setQ(''); setStatus(''); }}>{t('platform.clearFilters')}</Button>
                  ) : null}
                </Empty>
              ),
            }}
            columns={[
              {
                title: t('platform.tenant'),
                key: 'name',
                render: (_, r) => (
                  <Flex align="center" gap={10}>
                    <TenantAvatar id={r.id} name={r.name} size={28} />
                    <Typography.Text strong>{r.name}</Typography.Text>
                  </Flex>
                ),
              },
              { title: t('platform.slug'), key: 'slug', width: 180, render: (_, r) => <Typography.Text code>{r.slug}</Typography.Text> },
              {
                title: t('platform.status'),
                key: 'status',
                width: 120,
                render: (_, r) =>
                  r.status === 'active' ? (
                    <Tag color="success">{t('tenantStatus.active')}</Tag>
                  ) : (
                    <Tag color="warning">{t('tenantStatus.suspended')}</Tag>
                  ),
              },
              { title: t('platform.created'), key: 'created', width: 170, render: (_, r) => formatDateTime(r.created_at) },
              {
                title: <span className="sr-only">{t('common.actions')}</span>,
                key: 'actions',
                width: 120,
                align: 'right',
                render: (_, r) =>
                  r.status === 'active' ? (
                    <Popconfirm
                      title={t('platform.suspendTitle', { name: r.name })}
                      description={t('platform.suspendBody')}
                      okText={t('platform.suspend')}
                      cancelText={t('common.cancel')}
                      okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                      onConfirm={() => setTenantStatus(r, 'suspend')}
                    >
                      <Button danger icon={<PauseCircleOutlined />} loading={busy === r.id} data-testid={`platform-suspend-${r.slug}`}>
                        {t('platform.suspend')}
                      </Button>
                    </Popconfirm>
                  ) : (
                    <Popconfirm
                      title={t('platform.resumeTitle', { name: r.name })}
                      description={t('platform.resumeBody')}
                      okText={t('platform.resume')}
                      cancelText={t('common.cancel')}
                      okButtonProps={{ 'data-testid': 'confirm-ok' }}
                      onConfirm={() => setTenantStatus(r, 'resume')}
                    >
                      <Button icon={<PlayCircleOutlined />} loading={busy === r.id} data-testid={`platform-resume-${r.slug}`}>
                        {t('platform.resume')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        )}
        {hasMore && !error ? (
          <Flex justify="center" style={{ padding: 16, borderTop: '1px solid #f0f0f0' }}>
            <Button onClick={() => void loadMore()} loading={more} data-testid="platform-load-more">
              {t('common.loadMore')}
            </Button>
          </Flex>
        ) : null}
      </Card>
    </>
  );
}
