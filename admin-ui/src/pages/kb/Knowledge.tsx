// The knowledge base: the category tree beside the FAQs and articles (filtered by
// status, expiry, language, category and a search), the review queue of entries
// waiting for a publisher, and a search of the published entries. Entries can be
// imported from and exported to files. The filters live in the URL, so a view can be shared.
import { useState, type HTMLAttributes } from 'react';
import { App, Badge, Button, Card, Col, Empty, Flex, Form, Input, Row, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { BookOutlined, CheckOutlined, CloseOutlined, DislikeOutlined, LikeOutlined, PlusOutlined, QuestionCircleOutlined, SearchOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { kbApi, type KbKind, type KbListQuery } from '../../api/endpoints';
import type { KbArticleSummary, KbCategory, KbFaqSummary } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { FormModal } from '../../components/FormModal';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { CategoryTree } from './CategoryTree';
import { LiveSearch, type LiveSearchParams } from './LiveSearch';
import { ExportMenu, ImportButton, ImportModal } from './Transfer';
import { categoryName, EntryState, KB_LOCALES, KB_STATUSES, statusLabel } from './parts';

const testId = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;
const PAGE = 50;

type Summary = KbFaqSummary | KbArticleSummary;
type Tab = KbKind | 'review' | 'search';
const TABS: Tab[] = ['faqs', 'articles', 'review', 'search'];

function headingOf(e: Summary): string {
  return 'question' in e ? e.question : e.title;
}

interface Filters {
  status: string;
  stale: string;
  locale: string;
  q: string;
  category: string;
}

/** One kind's entries under the filters, newest first, a page at a time. */
function EntryList({ tenantId, kind, f, categories, refresh }: { tenantId: string; kind: KbKind; f: Filters; categories: KbCategory[]; refresh: number }) {
  const { t, i18n } = useTranslation();
  const [more, setMore] = useState(false);
  const query: KbListQuery = {
    status: f.status || undefined,
    stale: f.stale === 'true' || f.stale === 'false' ? f.stale : undefined,
    locale: f.locale || undefined,
    q: f.q || undefined,
    category_id: f.category || undefined,
    limit: PAGE,
  };
  const list = useLoad(() => kbApi.list(tenantId, kind, query), [tenantId, kind, f.status, f.stale, f.locale, f.q, f.category, refresh]);

  async function loadMore() {
    const cursor = list.data?.next_cursor;
    if (!cursor) return;
    setMore(true);
    try {
      const page = await kbApi.list(tenantId, kind, { ...query, cursor });
      list.setData((cur) => ({ items: [...(cur?.items ?? []), ...page.items] as typeof page.items, next_cursor: page.next_cursor }));
    } finally {
      setMore(false);
    }
  }

  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.reload()} />;
  const items: Summary[] = list.data?.items ?? [];
  const filtered = !!(f.status || f.stale || f.locale || f.q || f.category);
  return (
    <>
      <Table<Summary>
        rowKey="id"
        data-testid={`kb-list-${kind}`}
        loading={list.loading}
        dataSource={items}
        pagination={false}
        scroll={{ x: 880 }}
        onRow={(e) => testId(`kb-row-${headingOf(e)}`)}
        locale={{
          emptyText: list.loading ? (
            <div style={{ height: 120 }} />
          ) : (
            <Empty
              image={kind === 'faqs' ? <QuestionCircleOutlined style={{ fontSize: 48, color: '#cbd5e1' }} /> : <BookOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />}
              description={filtered ? t('kb.list.noMatch') : kind === 'faqs' ? t('kb.list.noFaqs') : t('kb.list.noArticles')}
              data-testid="kb-list-empty"
            />
          ),
        }}
        columns={[
          {
            title: kind === 'faqs' ? t('kb.fields.question') : t('kb.fields.title'),
            key: 'heading',
            render: (_, e) => (
              <Flex vertical gap={2}>
                <Link to={`/t/${tenantId}/kb/${kind}/${e.id}`} data-testid={`kb-open-${headingOf(e)}`}>
                  {headingOf(e)}
                </Link>
                {'similar_questions' in e && e.similar_questions.length ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('kb.list.similarCount', { count: e.similar_questions.length })}
                  </Typography.Text>
                ) : null}
              </Flex>
            ),
          },
          { title: t('kb.list.state'), key: 'state', width: 260, render: (_, e) => <EntryState e={e} testId={`kb-state-${headingOf(e)}`} /> },
          {
            title: t('kb.fields.category'),
            key: 'category',
            width: 140,
            render: (_, e) => {
              const c = categories.find((x) => x.id === e.category_id);
              return c ? categoryName(c, i18n.language) : <Typography.Text type="secondary">—</Typography.Text>;
            },
          },
          {
            title: t('kb.list.tagsLocale'),
            key: 'tags',
            width: 180,
            render: (_, e) => (
              <Flex gap={4} wrap>
                <Tag color="geekblue" style={{ marginInlineEnd: 0 }}>
                  {e.locale}
                </Tag>
                {e.tags.map((x) => (
                  <Tag key={x} style={{ marginInlineEnd: 0 }}>
                    {x}
                  </Tag>
                ))}
              </Flex>
            ),
          },
          {
            title: t('kb.list.feedback'),
            key: 'feedback',
            width: 110,
            render: (_, e) =>
              e.helpful || e.not_helpful ? (
                <Tooltip title={t('kb.list.feedbackHint', { helpful: e.helpful, notHelpful: e.not_helpful })}>
                  <Flex gap={8} data-testid={`kb-feedback-${headingOf(e)}`}>
                    <span>
                      <LikeOutlined /> {e.helpful}
                    </span>
                    <span>
                      <DislikeOutlined /> {e.not_helpful}
                    </span>
                  </Flex>
                </Tooltip>
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
          { title: t('kb.list.updated'), key: 'updated', width: 160, render: (_, e) => formatDateTime(e.updated_at) },
        ]}
      />
      {list.data?.next_cursor ? (
        <Flex justify="center" style={{ padding: 12 }}>
          <Button onClick={() => void loadMore()} loading={more} data-testid="kb-load-more">
            {t('common.loadMore')}
          </Button>
        </Flex>
      ) : null}
    </>
  );
}

type Queued = Summary & { kind: KbKind };

/** Entries in review, both kinds, for a publisher to approve or send back. */
function ReviewQueue({ tenantId, canPublish, onChanged }: { tenantId: string; canPublish: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queue = useLoad(async () => {
    const [faqs, articles] = await Promise.all([
      kbApi.list(tenantId, 'faqs', { status: 'in_review', limit: 100 }),
      kbApi.list(tenantId, 'articles', { status: 'in_review', limit: 100 }),
    ]);
    const all: Queued[] = [...faqs.items.map((e) => ({ ...e, kind: 'faqs' as const })), ...articles.items.map((e) => ({ ...e, kind: 'articles' as const }))];
    return all.sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
  }, [tenantId]);
  const [busy, setBusy] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<Queued | null>(null);
  const [noteForm] = Form.useForm<{ note: string }>();

  async function act(e: Queued, action: 'publish' | 'reject', note?: string) {
    setBusy(`${action}:${e.id}`);
    try {
      await kbApi.transition(tenantId, e.kind, e.id, action, note);
      queue.setData((list) => list?.filter((x) => x.id !== e.id));
      message.success(t(`kb.entry.done.${action}`));
      setRejecting(null);
      onChanged();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  if (queue.error) return <ErrorState error={queue.error} onRetry={() => void queue.reload()} />;
  return (
    <>
      <Table<Queued>
        rowKey="id"
        data-testid="kb-review"
        loading={queue.loading}
        dataSource={queue.data ?? []}
        pagination={false}
        scroll={{ x: 720 }}
        onRow={(e) => testId(`kb-review-row-${headingOf(e)}`)}
        locale={{ emptyText: queue.loading ? <div style={{ height: 120 }} /> : <Empty description={t('kb.review.empty')} data-testid="kb-review-empty" /> }}
        columns={[
          {
            title: t('kb.review.entry'),
            key: 'heading',
            render: (_, e) => (
              <Space>
                <Tag>{e.kind === 'faqs' ? t('kb.faq') : t('kb.article')}</Tag>
                <Link to={`/t/${tenantId}/kb/${e.kind}/${e.id}`}>{headingOf(e)}</Link>
              </Space>
            ),
          },
          { title: t('kb.list.state'), key: 'state', width: 260, render: (_, e) => <EntryState e={e} /> },
          { title: t('kb.review.since'), key: 'since', width: 160, render: (_, e) => formatDateTime(e.updated_at) },
          {
            title: <span className="sr-only">{t('common.actions')}</span>,
            key: 'actions',
            width: 220,
            align: 'right',
            render: (_, e) =>
              canPublish ? (
                <Flex gap={4} justify="end">
                  <Button size="small" danger icon={<CloseOutlined />} onClick={() => setRejecting(e)} data-testid={`kb-review-reject-${headingOf(e)}`}>
                    {t('kb.entry.reject')}
                  </Button>
                  <Button
                    size="small"
                    type="primary"
                    icon={<CheckOutlined />}
                    loading={busy === `publish:${e.id}`}
                    onClick={() => void act(e, 'publish')}
                    data-testid={`kb-review-publish-${headingOf(e)}`}
                  >
                    {t('kb.entry.publish')}
                  </Button>
                </Flex>
              ) : null,
          },
        ]}
      />
      <FormModal
        open={!!rejecting}
        title={t('kb.entry.rejectTitle')}
        onCancel={() => setRejecting(null)}
        okText={t('kb.entry.reject')}
        okButtonProps={{ danger: true, loading: !!rejecting && busy === `reject:${rejecting.id}`, 'data-testid': 'kb-reject-submit' }}
        onOk={() => void noteForm.validateFields().then((v) => rejecting && act(rejecting, 'reject', v.note?.trim() || undefined))}
        destroyOnHidden
      >
        <Form form={noteForm} layout="vertical" requiredMark={false}>
          <Form.Item name="note" label={t('kb.entry.rejectNote')} extra={t('kb.entry.rejectNoteHint')} rules={[{ max: 1000, message: t('validation.maxLength', { count: 1000 }) }]}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} data-testid="kb-reject-note" />
          </Form.Item>
        </Form>
      </FormModal>
    </>
  );
}

export default function Knowledge() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { tenantId, can } = useTenant();
  const canEdit = can('kb:edit');
  const canPublish = can('kb:publish');
  const canRead = can('kb:read');
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find((x) => x === params.get('tab')) ?? 'faqs';
  const live: LiveSearchParams = { q: params.get('sq') ?? '', kind: params.get('skind') ?? '', locale: params.get('slocale') ?? '' };
  const [importing, setImporting] = useState(false);
  const [listKey, setListKey] = useState(0);
  const f: Filters = {
    status: params.get('status') ?? '',
    stale: params.get('stale') ?? '',
    locale: params.get('locale') ?? '',
    q: params.get('q') ?? '',
    category: params.get('category') ?? '',
  };
  const [search, setSearch] = useState(f.q);
  const categories = useLoad(() => kbApi.categories(tenantId).then((r) => r.items), [tenantId]);
  const [reviewKey, setReviewKey] = useState(0);
  const reviewCount = useLoad(async () => {
    const [a, b] = await Promise.all([
      kbApi.list(tenantId, 'faqs', { status: 'in_review', limit: 100 }),
      kbApi.list(tenantId, 'articles', { status: 'in_review', limit: 100 }),
    ]);
    return a.items.length + b.items.length;
  }, [tenantId, reviewKey]);

  function set(patch: Partial<Filters & { tab: Tab; sq: string; skind: string; slocale: string }>) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  }

  const filterBar = (
    <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="kb-filters">
      <Input.Search
        allowClear
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onSearch={(v) => set({ q: v.trim() })}
        placeholder={t('kb.list.search')}
        aria-label={t('kb.list.search')}
        style={{ width: 260 }}
        data-testid="kb-search"
        maxLength={200}
      />
      <Select
        style={{ width: 150 }}
        value={f.status}
        onChange={(v) => set({ status: v })}
        aria-label={t('kb.list.status')}
        data-testid="kb-filter-status"
        options={[
          { value: '', label: <span data-testid="kb-status-option-all">{t('kb.list.allStatuses')}</span> },
          ...KB_STATUSES.map((s) => ({ value: s, label: <span data-testid={`kb-status-option-${s}`}>{statusLabel(t, s)}</span> })),
        ]}
      />
      <Select
        style={{ width: 150 }}
        value={f.stale}
        onChange={(v) => set({ stale: v })}
        aria-label={t('kb.list.expiry')}
        data-testid="kb-filter-stale"
        options={[
          { value: '', label: <span data-testid="kb-stale-option-all">{t('kb.list.anyExpiry')}</span> },
          { value: 'true', label: <span data-testid="kb-stale-option-true">{t('kb.list.staleOnly')}</span> },
          { value: 'false', label: <span data-testid="kb-stale-option-false">{t('kb.list.freshOnly')}</span> },
        ]}
      />
      <Select
        style={{ width: 140 }}
        value={f.locale}
        onChange={(v) => set({ locale: v })}
        aria-label={t('kb.fields.locale')}
        data-testid="kb-filter-locale"
        options={[
          { value: '', label: <span data-testid="kb-locale-option-all">{t('kb.list.allLocales')}</span> },
          ...KB_LOCALES.map((l) => ({ value: l, label: <span data-testid={`kb-locale-option-${l}`}>{t(`lang.${l}`)}</span> })),
        ]}
      />
    </Flex>
  );

  return (
    <>
      <PageHeader
        title={t('nav.kb')}
        subtitle={t('kb.subtitle')}
        extra={
          canEdit || canRead ? (
            <>
              {canRead ? <ExportMenu tenantId={tenantId} /> : null}
              {canEdit ? <ImportButton onClick={() => setImporting(true)} /> : null}
              {canEdit ? (
                <>
                      <Button icon={<PlusOutlined />} onClick={() => navigate(`/t/${tenantId}/kb/articles/new`)} data-testid="kb-new-article">
                    {t('kb.newArticle')}
                  </Button>
                  <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`/t/${tenantId}/kb/faqs/new`)} data-testid="kb-new-faq">
                    {t('kb.newFaq')}
                  </Button>
                </>
              ) : null}
            </>
          ) : null
        }
      />
      {canEdit ? (
        <ImportModal
          tenantId={tenantId}
          open={importing}
          onClose={() => setImporting(false)}
          onImported={(kind) => {
            setListKey((k) => k + 1);
            set({ tab: kind === 'faq' ? 'faqs' : 'articles' });
          }}
        />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={7} xl={6}>
          {categories.error ? (
            <ErrorState error={categories.error} onRetry={() => void categories.reload()} />
          ) : (
            <CategoryTree
              tenantId={tenantId}
              categories={categories.data ?? []}
              loading={categories.loading}
              selected={f.category}
              onSelect={(id) => set({ category: id, tab: tab === 'review' || tab === 'search' ? 'faqs' : tab })}
              canEdit={canEdit}
              onChanged={() => void categories.reload()}
            />
          )}
        </Col>
        <Col xs={24} lg={17} xl={18}>
          <Card styles={{ body: { paddingTop: 4 } }}>
            <Tabs
              activeKey={tab}
              onChange={(k) => set({ tab: k as Tab })}
              items={[
                {
                  key: 'faqs',
                  label: <span data-testid="kb-tab-faqs">{t('kb.faqs')}</span>,
                  children: tab === 'faqs' ? (
                    <>
                      {filterBar}
                      <EntryList tenantId={tenantId} kind="faqs" f={f} categories={categories.data ?? []} refresh={listKey} />
                    </>
                  ) : null,
                },
                {
                  key: 'articles',
                  label: <span data-testid="kb-tab-articles">{t('kb.articles')}</span>,
                  children: tab === 'articles' ? (
                    <>
                      {filterBar}
                      <EntryList tenantId={tenantId} kind="articles" f={f} categories={categories.data ?? []} refresh={listKey} />
                    </>
                  ) : null,
                },
                {
                  key: 'review',
                  label: (
                    <span data-testid="kb-tab-review">
                      {t('kb.review.title')} <Badge count={reviewCount.data ?? 0} size="small" data-testid="kb-review-count" />
                    </span>
                  ),
                  children: tab === 'review' ? <ReviewQueue tenantId={tenantId} canPublish={canPublish} onChanged={() => setReviewKey((k) => k + 1)} /> : null,
                },
                {
                  key: 'search',
                  label: (
                    <span data-testid="kb-tab-search">
                      <SearchOutlined /> {t('kb.search.tab')}
                    </span>
                  ),
                  children:
                    tab === 'search' ? (
                      <LiveSearch tenantId={tenantId} p={live} onChange={(p) => set({ ...(p.q !== undefined ? { sq: p.q } : {}), ...(p.kind !== undefined ? { skind: p.kind } : {}), ...(p.locale !== undefined ? { slocale: p.locale } : {}) })} />
                    ) : null,
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
