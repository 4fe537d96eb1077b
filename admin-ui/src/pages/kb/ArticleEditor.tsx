// Create or edit an article's working copy: a title and a Markdown body, with a preview
// of the saved draft as the server rendered it. The preview shows only the server's
// sanitised HTML (no scripts, event handlers or javascript: links), never the editor's
// own Markdown turned into HTML here.
import { useMemo, useState } from 'react';
import { Alert, Button, Empty, Flex, Form, Input, Tabs, Typography } from 'antd';
import type { NamePath } from 'antd/es/form/interface';
import { useTranslation } from 'react-i18next';
import { kbApi } from '../../api/endpoints';
import type { KbArticle, KbCategory } from '../../api/types';
import { FormError } from '../../components/FormError';
import { hasCode } from '../../lib/errors';
import { runeLength } from '../../lib/rules';
import { applyFieldError, META_CODES, metaBody, MetaFields, metaInitial, resolveMetaField, type MetaValues } from './fields';
import { utf8Length } from './parts';

export const MAX_TITLE = 200;
export const MAX_BODY_BYTES = 200 * 1024;

interface ArticleValues extends MetaValues {
  title: string;
  body: string;
}

/** The server's sanitised rendering of an article body. */
export function ArticleHtml({ html, testId }: { html: string; testId?: string }) {
  // The HTML comes from the server's Markdown renderer and sanitiser (knowledge.RenderMarkdown).
  return <div className="kefu-kb-article" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}

export function ArticleEditor({
  tenantId,
  article,
  categories,
  defaultLocale,
  readOnly,
  onSaved,
  onDirtyChange,
}: {
  tenantId: string;
  article?: KbArticle;
  categories: KbCategory[];
  defaultLocale: string;
  readOnly?: boolean;
  onSaved: (a: KbArticle, created: boolean) => void;
  onDirtyChange?: (dirty: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ArticleValues>();
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [tab, setTab] = useState('write');
  const [formError, setFormError] = useState<unknown>(null);
  const initial = useMemo<ArticleValues>(
    () => ({ title: article?.title ?? '', body: article?.body ?? '', ...metaInitial(article, defaultLocale) }),
    [article, defaultLocale],
  );

  function markDirty(d: boolean) {
    setDirty(d);
    onDirtyChange?.(d);
  }

  function resolve(field: string): NamePath | null {
    if (field === 'title' || field === 'body') return field;
    return resolveMetaField(field);
  }

  async function save(v: ArticleValues) {
    setFormError(null);
    const body = { title: v.title.split(/\s+/).filter(Boolean).join(' '), body: v.body.trim(), ...metaBody(v, article?.expires_at) };
    setBusy(true);
    try {
      const saved = article
        ? await kbApi.update(tenantId, 'articles', article.id, { ...body, version: article.version })
        : await kbApi.create(tenantId, 'articles', body);
      markDirty(false);
      onSaved(saved, !article);
    } catch (err) {
      if (!applyFieldError(err, form, t, resolve, META_CODES)) setFormError(err);
      setTab('write');
    } finally {
      setBusy(false);
    }
  }

  const preview = (
    <div data-testid="article-preview">
      {dirty ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('kb.editor.previewUnsaved')} /> : null}
      {article?.html ? (
        <ArticleHtml html={article.html} testId="article-preview-html" />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.editor.previewNothing')} />
      )}
    </div>
  );

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={initial}
      disabled={readOnly || busy}
      onFinish={(v) => void save(v)}
      onFinishFailed={() => setTab('write')}
      onValuesChange={() => {
        setFormError(null);
        markDirty(true);
      }}
      data-testid="article-form"
    >
      {hasCode(formError, 'kb.edit-conflict') ? (
        <Alert type="warning" showIcon role="alert" style={{ marginBottom: 16 }} data-testid="article-conflict" message={t('kb.editor.conflict')} />
      ) : (
        <FormError error={formError} testId="article-error" />
      )}
      <Form.Item
        name="title"
        label={t('kb.fields.title')}
        rules={[
          { required: true, whitespace: true, message: t('validation.required') },
          { validator: (_r, v: string | undefined) => (!v || runeLength(v.trim()) <= MAX_TITLE ? Promise.resolve() : Promise.reject(new Error(t('validation.maxLength', { count: MAX_TITLE })))) },
        ]}
      >
        <Input data-testid="article-title" autoComplete="off" />
      </Form.Item>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'write',
            label: <span data-testid="article-tab-write">{t('kb.editor.write')}</span>,
            forceRender: true,
            children: (
              <Form.Item
                name="body"
                label={<span className="sr-only">{t('kb.fields.body')}</span>}
                extra={t('kb.fields.bodyHint')}
                rules={[
                  { required: true, whitespace: true, message: t('validation.required') },
                  {
                    validator: (_r, v: string | undefined) =>
                      !v || utf8Length(v.trim()) <= MAX_BODY_BYTES ? Promise.resolve() : Promise.reject(new Error(t('kb.validation.bodyTooLong', { kb: 200 }))),
                  },
                ]}
              >
                <Input.TextArea data-testid="article-body" className="kefu-mono" autoSize={{ minRows: 12, maxRows: 32 }} aria-label={t('kb.fields.body')} />
              </Form.Item>
            ),
          },
          { key: 'preview', label: <span data-testid="article-tab-preview">{t('kb.editor.preview')}</span>, children: preview },
        ]}
      />
      <MetaFields categories={categories} prefix="article" disabled={readOnly} />
      {!readOnly ? (
        <Flex justify="end" gap={8}>
          <Button
            htmlType="button"
            onClick={() => {
              form.resetFields();
              setFormError(null);
              markDirty(false);
            }}
          >
            {t('common.reset')}
          </Button>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="article-save">
            {article ? t('kb.editor.saveDraft') : t('kb.editor.createDraft')}
          </Button>
        </Flex>
      ) : (
        <Typography.Text type="secondary">{t('kb.editor.readOnly')}</Typography.Text>
      )}
    </Form>
  );
}
