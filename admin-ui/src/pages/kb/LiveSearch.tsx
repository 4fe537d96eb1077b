// "Search published": the full-text search customers' questions go through (the bot's
// and the help centre's corpus: published, unexpired entries), with the matches marked.
import { useState } from 'react';
import { Alert, Button, Empty, Flex, Input, List, Select, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { kbApi, type KbFileKind } from '../../api/endpoints';
import type { KbSearchHit } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { onlyMarkTags } from '../../lib/markHtml';
import { useLoad } from '../../lib/useLoad';
import { KB_LOCALES } from './parts';

const PAGE = 20;

/** Server HTML with <mark> around the matches, guarded to <mark> only. */
function Marked({ html, testId }: { html: string; testId: string }) {
  return <span className="kb-hit-html" data-testid={testId} dangerouslySetInnerHTML={{ __html: onlyMarkTags(html) }} />;
}

export interface LiveSearchParams {
  q: string;
  kind: string;
  locale: string;
}

export function LiveSearch({ tenantId, p, onChange }: { tenantId: string; p: LiveSearchParams; onChange: (patch: Partial<LiveSearchParams>) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(p.q);
  const [more, setMore] = useState(false);
  const kind = p.kind === 'faq' || p.kind === 'article' ? (p.kind as KbFileKind) : undefined;
  const query = { q: p.q, kind, locale: p.locale || undefined, limit: PAGE };
  const hits = useLoad(async () => (p.q ? kbApi.search(tenantId, query) : null), [tenantId, p.q, p.kind, p.locale]);

  async function loadMore() {
    const cur = hits.data;
    if (!cur) return;
    setMore(true);
    try {
      const page = await kbApi.search(tenantId, { ...query, offset: cur.items.length });
      hits.setData((c) => (c ? { ...page, items: [...c.items, ...page.items] } : page));
    } finally {
      setMore(false);
    }
  }

  const data = hits.data;
  return (
    <div data-testid="kb-live-search">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t('kb.search.hint')}
      </Typography.Paragraph>
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={(v) => onChange({ q: v.trim() })}
          placeholder={t('kb.search.placeholder')}
          aria-label={t('kb.search.placeholder')}
          style={{ width: 320 }}
          data-testid="kb-live-q"
          maxLength={256}
        />
        <Select
          style={{ width: 160 }}
          value={p.kind === 'faq' || p.kind === 'article' ? p.kind : ''}
          onChange={(v) => onChange({ kind: v })}
          aria-label={t('kb.search.kind')}
          data-testid="kb-live-kind"
          options={[
            { value: '', label: <span data-testid="kb-live-kind-option-all">{t('kb.search.allKinds')}</span> },
            { value: 'faq', label: <span data-testid="kb-live-kind-option-faq">{t('kb.faqs')}</span> },
            { value: 'article', label: <span data-testid="kb-live-kind-option-article">{t('kb.articles')}</span> },
          ]}
        />
        <Select
          style={{ width: 140 }}
          value={p.locale}
          onChange={(v) => onChange({ locale: v })}
          aria-label={t('kb.fields.locale')}
          data-testid="kb-live-locale"
          options={[
            { value: '', label: <span data-testid="kb-live-locale-option-all">{t('kb.list.allLocales')}</span> },
            ...KB_LOCALES.map((l) => ({ value: l, label: <span data-testid={`kb-live-locale-option-${l}`}>{t(`lang.${l}`)}</span> })),
          ]}
        />
      </Flex>
      {hits.error ? (
        <ErrorState error={hits.error} onRetry={() => void hits.reload()} />
      ) : !p.q ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.search.prompt')} />
      ) : (
        <>
          {data ? (
            <Alert type="info" showIcon={false} style={{ marginBottom: 8, padding: '4px 12px' }} message={<span data-testid="kb-live-total">{t('kb.search.total', { count: data.total })}</span>} />
          ) : null}
          <List<KbSearchHit>
            loading={hits.loading}
            dataSource={data?.items ?? []}
            data-testid="kb-live-hits"
            locale={{ emptyText: hits.loading ? <div style={{ height: 80 }} /> : <Empty description={t('kb.search.none')} data-testid="kb-live-empty" /> }}
            renderItem={(h) => (
              <List.Item data-testid={`kb-hit-${h.id}`} data-kind={h.kind}>
                <Flex vertical gap={4} style={{ minWidth: 0 }}>
                  <Flex gap={8} align="center" wrap>
                    <Tag style={{ marginInlineEnd: 0 }}>{h.kind === 'faq' ? t('kb.faq') : t('kb.article')}</Tag>
                    <Tag color="geekblue" style={{ marginInlineEnd: 0 }}>
                      {h.locale}
                    </Tag>
                    <Link to={`/t/${tenantId}/kb/${h.kind === 'faq' ? 'faqs' : 'articles'}/${h.id}`} data-testid={`kb-hit-open-${h.id}`} style={{ fontWeight: 500 }}>
                      <Marked html={h.title_html} testId="kb-hit-title" />
                    </Link>
                  </Flex>
                  {h.snippet_html ? (
                    <Typography.Text type="secondary">
                      <Marked html={h.snippet_html} testId="kb-hit-snippet" />
                    </Typography.Text>
                  ) : null}
                </Flex>
              </List.Item>
            )}
          />
          {data && data.items.length < data.total ? (
            <Flex justify="center" style={{ padding: 12 }}>
              <Button onClick={() => void loadMore()} loading={more} data-testid="kb-live-more">
                {t('common.loadMore')}
              </Button>
            </Flex>
          ) : null}
        </>
      )}
    </div>
  );
}
