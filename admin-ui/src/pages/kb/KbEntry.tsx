// One FAQ or article: its working copy in an editor, the live copy customers see, the
// review workflow (submit, publish, reject with a note, archive, delete) by permission,
// and its history (versions, differences, restore).
import { useEffect, useState, type ReactElement } from 'react';
import { Alert, App, Button, Card, Descriptions, Empty, Flex, Form, Input, Popconfirm, Skeleton, Tabs, Tag, Tooltip, Typography } from 'antd';
import { ArrowLeftOutlined, CheckOutlined, CloseOutlined, DeleteOutlined, InboxOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { kbApi, type KbAction, type KbEntryOf, type KbKind } from '../../api/endpoints';
import type { KbArticle, KbContent, KbFaq } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { FormModal } from '../../components/FormModal';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDate, formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { ArticleEditor, ArticleHtml } from './ArticleEditor';
import { FaqEditor } from './FaqEditor';
import { History } from './History';
import { EntryState } from './parts';

const MAX_NOTE = 1000;

type Entry = KbFaq | KbArticle;

function heading(kind: KbKind, e: Entry | null | undefined): string {
  if (!e) return '';
  return kind === 'faqs' ? (e as KbFaq).question : (e as KbArticle).title;
}

/** What customers see, read-only. */
function LiveCopy({ kind, live, version, at }: { kind: KbKind; live: KbContent; version: number | null; at: string | null }) {
  const { t } = useTranslation();
  return (
    <div data-testid="kb-live">
      <Typography.Paragraph type="secondary">{t('kb.entry.liveIntro', { version, date: formatDateTime(at) })}</Typography.Paragraph>
      {kind === 'faqs' ? (
        <Descriptions
          column={1}
          bordered
          size="small"
          items={[
            { key: 'q', label: t('kb.fields.question'), children: live.question },
            {
              key: 's',
              label: t('kb.fields.similar'),
              children: live.similar_questions?.length ? (
                <ul className="kefu-plain-list">
                  {live.similar_questions.map((q) => (
                    <li key={q}>{q}</li>
                  ))}
                </ul>
              ) : (
                '—'
              ),
            },
            { key: 'a', label: t('kb.fields.answer'), children: <div style={{ whiteSpace: 'pre-wrap' }}>{live.answer}</div> },
            ...Object.entries(live.channel_answers ?? {}).map(([kind, a]) => ({
              key: `v-${kind}`,
              label: t('kb.history.variantField', { kind }),
              children: <div style={{ whiteSpace: 'pre-wrap' }}>{a}</div>,
            })),
          ]}
        />
      ) : (
        <>
          <Typography.Title level={4}>{live.title}</Typography.Title>
          <ArticleHtml html={live.html ?? ''} testId="kb-live-html" />
        </>
      )}
    </div>
  );
}

/** Says in words what customers see against the working copy. */
function StateNote({ e, rejectedNote }: { e: Entry; rejectedNote: string | null }) {
  const { t } = useTranslation();
  const live = e.live_version !== null;
  let text: string;
  if (e.status === 'archived') text = t('kb.entry.noteArchived');
  else if (e.status === 'published') text = t('kb.entry.notePublished', { date: formatDateTime(e.published_at) });
  else if (live) text = t('kb.entry.notePending', { version: e.live_version, date: formatDateTime(e.published_at) });
  else if (e.status === 'in_review') text = t('kb.entry.noteInReview');
  else text = t('kb.entry.noteDraft');
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      <Alert type={e.status === 'published' ? 'success' : live ? 'warning' : 'info'} showIcon message={text} data-testid="kb-state-note" />
      {e.stale ? <Alert type="error" showIcon message={t('kb.entry.noteStale', { date: formatDate(e.expires_at) })} data-testid="kb-stale-note" /> : null}
      {rejectedNote !== null && e.status === 'draft' ? (
        <Alert type="warning" showIcon message={t('kb.entry.rejected')} description={rejectedNote || undefined} data-testid="kb-rejected-note" />
      ) : null}
    </Flex>
  );
}

export default function KbEntry() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const params = useParams();
  const kind: KbKind = params.kind === 'articles' ? 'articles' : 'faqs';
  const entryId = params.entryId ?? 'new';
  const isNew = entryId === 'new';
  const { tenantId, tenant, can } = useTenant();
  const canEdit = can('kb:edit');
  const canPublish = can('kb:publish');
  const categories = useLoad(() => kbApi.categories(tenantId).then((r) => r.items), [tenantId]);
  const loaded = useLoad<Entry | null>(() => (isNew ? Promise.resolve(null) : kbApi.get(tenantId, kind, entryId)), [tenantId, kind, entryId]);
  const entry = loaded.data ?? null;
  const [dirty, setDirty] = useState(false);
  const [tab, setTab] = useState('edit');
  const [busy, setBusy] = useState<KbAction | 'delete' | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [rejectedNote, setRejectedNote] = useState<string | null>(null);
  const [noteForm] = Form.useForm<{ note: string }>();
  const listPath = `/t/${tenantId}/kb?tab=${kind}`;

  // A draft sent back by a reviewer shows the reviewer's note.
  const version = entry?.version;
  const status = entry?.status;
  useEffect(() => {
    setRejectedNote(null);
    if (isNew || status !== 'draft') return;
    let cancelled = false;
    kbApi.versions(tenantId, kind, entryId, { limit: 1 }).then(
      (p) => {
        const v = p.items[0];
        if (!cancelled && v?.action === 'rejected') setRejectedNote(v.note);
      },
      () => null,
    );
    return () => {
      cancelled = true;
    };
  }, [tenantId, kind, entryId, isNew, version, status]);

  function update(e: Entry) {
    loaded.setData(e);
    setDirty(false);
  }

  async function step(action: KbAction, note?: string) {
    if (!entry) return;
    setBusy(action);
    try {
      const e = await kbApi.transition(tenantId, kind, entry.id, action, note);
      update(e);
      message.success(t(`kb.entry.done.${action}`));
      setRejecting(false);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    if (!entry) return;
    setBusy('delete');
    try {
      await kbApi.remove(tenantId, kind, entry.id);
      message.success(t('kb.entry.deleted'));
      navigate(listPath);
    } catch (err) {
      message.error(errorMessage(err, t));
      setBusy(null);
    }
  }

  if (loaded.error) return <ErrorState error={loaded.error} onRetry={() => void loaded.reload()} />;
  if (categories.error) return <ErrorState error={categories.error} onRetry={() => void categories.reload()} />;
  const ready = !loaded.loading && categories.data && (isNew || entry);
  const defaultLocale = tenant?.locale ?? 'zh-CN';
  const kindLabel = kind === 'faqs' ? t('kb.faq') : t('kb.article');
  const title = isNew ? (kind === 'faqs' ? t('kb.newFaq') : t('kb.newArticle')) : heading(kind, entry) || kindLabel;

  const saveFirst = (node: ReactElement) => (dirty ? <Tooltip title={t('kb.entry.saveFirst')}>{node}</Tooltip> : node);
  const actions =
    entry && !isNew ? (
      <Flex gap={8} wrap>
        {canEdit && entry.status === 'draft'
          ? saveFirst(
              <Button icon={<SendOutlined />} disabled={dirty} loading={busy === 'submit'} onClick={() => void step('submit')} data-testid="kb-submit">
                {t('kb.entry.submit')}
              </Button>,
            )
          : null}
        {canPublish && entry.status === 'in_review' ? (
          <Button danger icon={<CloseOutlined />} disabled={dirty} onClick={() => setRejecting(true)} data-testid="kb-reject">
            {t('kb.entry.reject')}
          </Button>
        ) : null}
        {canPublish && (entry.status === 'draft' || entry.status === 'in_review')
          ? saveFirst(
              <Button type="primary" icon={<CheckOutlined />} disabled={dirty} loading={busy === 'publish'} onClick={() => void step('publish')} data-testid="kb-publish">
                {t('kb.entry.publish')}
              </Button>,
            )
          : null}
        {canPublish && entry.status !== 'archived' ? (
          <Popconfirm
            title={t('kb.entry.archiveTitle')}
            description={t('kb.entry.archiveBody')}
            okText={t('kb.entry.archive')}
            cancelText={t('common.cancel')}
            okButtonProps={{ 'data-testid': 'confirm-ok' }}
            onConfirm={() => step('archive')}
          >
            <Button icon={<InboxOutlined />} loading={busy === 'archive'} data-testid="kb-archive">
              {t('kb.entry.archive')}
            </Button>
          </Popconfirm>
        ) : null}
        {canPublish ? (
          <Popconfirm
            title={t('kb.entry.deleteTitle')}
            description={t('kb.entry.deleteBody')}
            okText={t('common.delete')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
            onConfirm={() => remove()}
          >
            <Button danger type="text" icon={<DeleteOutlined />} loading={busy === 'delete'} aria-label={t('common.delete')} data-testid="kb-delete" />
          </Popconfirm>
        ) : null}
      </Flex>
    ) : null;

  const editor = !ready ? (
    <Skeleton active paragraph={{ rows: 8 }} />
  ) : kind === 'faqs' ? (
    <FaqEditor
      key={entry ? `${entry.id}:${entry.version}` : 'new'}
      tenantId={tenantId}
      faq={(entry as KbFaq | null) ?? undefined}
      categories={categories.data ?? []}
      defaultLocale={defaultLocale}
      readOnly={!canEdit}
      onDirtyChange={setDirty}
      onSaved={(e, created) => {
        update(e);
        message.success(created ? t('kb.entry.created') : t('kb.entry.saved'));
        if (created) navigate(`/t/${tenantId}/kb/faqs/${e.id}`, { replace: true });
      }}
    />
  ) : (
    <ArticleEditor
      key={entry ? `${entry.id}:${entry.version}` : 'new'}
      tenantId={tenantId}
      article={(entry as KbArticle | null) ?? undefined}
      categories={categories.data ?? []}
      defaultLocale={defaultLocale}
      readOnly={!canEdit}
      onDirtyChange={setDirty}
      onSaved={(e, created) => {
        update(e);
        message.success(created ? t('kb.entry.created') : t('kb.entry.saved'));
        if (created) navigate(`/t/${tenantId}/kb/articles/${e.id}`, { replace: true });
      }}
    />
  );

  const back = (
    <Link to={listPath} data-testid="kb-back">
      <ArrowLeftOutlined /> {t('kb.entry.back')}
    </Link>
  );

  return (
    <>
      <PageHeader
        title={title}
        subtitle={
          entry ? (
            <Flex gap={8} align="center" wrap>
              {back}
              <Tag style={{ marginInlineEnd: 0 }}>{kindLabel}</Tag>
              <EntryState e={entry} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('kb.entry.meta', { version: entry.version, date: formatDateTime(entry.updated_at) })}
              </Typography.Text>
            </Flex>
          ) : (
            <Flex gap={8} align="center" wrap>
              {back}
              {t('kb.entry.newHint')}
            </Flex>
          )
        }
        extra={actions}
      />
      <Card data-testid="kb-entry" data-entry={entry?.id} data-version={entry?.version}>
        {entry ? <StateNote e={entry} rejectedNote={rejectedNote} /> : null}
        {!canEdit && !isNew ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('kb.editor.readOnly')} /> : null}
        {isNew || !entry ? (
          editor
        ) : (
          <Tabs
            activeKey={tab}
            onChange={setTab}
            items={[
              { key: 'edit', label: <span data-testid="kb-tab-edit">{t('kb.entry.working')}</span>, children: editor },
              {
                key: 'live',
                label: <span data-testid="kb-tab-live">{t('kb.entry.live')}</span>,
                children: entry.live ? (
                  <LiveCopy kind={kind} live={entry.live} version={entry.live_version} at={entry.published_at} />
                ) : (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.entry.notLive')} />
                ),
              },
              {
                key: 'history',
                label: <span data-testid="kb-tab-history">{t('kb.entry.history')}</span>,
                children: (
                  <History
                    tenantId={tenantId}
                    kind={kind}
                    entry={entry as KbEntryOf<typeof kind>}
                    canEdit={canEdit}
                    onRestored={(e) => {
                      update(e);
                      setTab('edit');
                    }}
                  />
                ),
              },
            ]}
          />
        )}
      </Card>

      <FormModal
        open={rejecting}
        title={t('kb.entry.rejectTitle')}
        onCancel={() => setRejecting(false)}
        okText={t('kb.entry.reject')}
        okButtonProps={{ danger: true, loading: busy === 'reject', 'data-testid': 'kb-reject-submit' }}
        onOk={() => void noteForm.validateFields().then((v) => step('reject', v.note?.trim() || undefined))}
        destroyOnHidden
      >
        <Form form={noteForm} layout="vertical" requiredMark={false}>
          <Form.Item name="note" label={t('kb.entry.rejectNote')} extra={t('kb.entry.rejectNoteHint')} rules={[{ max: MAX_NOTE, message: t('validation.maxLength', { count: MAX_NOTE }) }]}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} data-testid="kb-reject-note" />
          </Form.Item>
        </Form>
      </FormModal>
    </>
  );
}
