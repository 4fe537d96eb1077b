// Resolving with a wrap-up: a category from the tenant's list (required or optional, as
// the tenant set it in its routing settings) and a short summary. The server refuses a
// missing category when it is required (400 wrapup.required) and one not in the list
// (400 request.invalid), both under the category.
import { useState } from 'react';
import { Button, Flex, Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ConversationItem } from '../../api/chat';
import { MAX_WRAPUP_CATEGORY, MAX_WRAPUP_SUMMARY, workspaceApi, type ResolveRequest, type WrapUpSettings } from '../../api/workspace';
import { FormError } from '../../components/FormError';
import { FormModal } from '../../components/FormModal';
import { runeLength } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';

interface Values {
  category?: string;
  summary?: string;
}

function WrapUpForm({
  tenantId,
  conversationId,
  settings,
  onDone,
  onCancel,
}: {
  tenantId: string;
  conversationId: string;
  settings: WrapUpSettings;
  onDone: (c: ConversationItem) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const required = settings.mode === 'required';
  const errors = useServerErrors(form, {
    fields: { category: 'category', summary: 'summary' },
    codes: { 'wrapup.required': 'category' },
    messages: {
      'wrapup.required': t('wrapup.categoryRequired'),
      'request.invalid@category': t('wrapup.categoryUnknown'),
      'request.invalid@summary': t('wrapup.summaryTooLong', { max: MAX_WRAPUP_SUMMARY }),
    },
  });

  async function submit(v: Values) {
    setBusy(true);
    errors.clear();
    const body: ResolveRequest = {};
    const category = v.category?.trim();
    if (category) body.category = category;
    const summary = v.summary?.trim();
    if (summary) body.summary = summary;
    try {
      onDone(await workspaceApi.resolve(tenantId, conversationId, body));
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Values> form={form} layout="vertical" requiredMark={required ? undefined : false} onValuesChange={errors.clear} onFinish={(v) => void submit(v)} data-testid="wrapup-form">
      <FormError error={errors.formError} testId="wrapup-error" />
      <Form.Item
        name="category"
        label={t('wrapup.category')}
        extra={required ? t('wrapup.requiredHint') : t('wrapup.optionalHint')}
        rules={[
          ...(required ? [{ required: true, whitespace: true, message: t('wrapup.categoryRequired') }] : []),
          { max: MAX_WRAPUP_CATEGORY, message: t('wrapup.categoryTooLong', { max: MAX_WRAPUP_CATEGORY }) },
        ]}
      >
        {settings.categories.length === 0 ? (
          // No list: any category will do.
          <Input data-testid="wrapup-category" autoComplete="off" placeholder={t('wrapup.categoryFree')} aria-label={t('wrapup.category')} />
        ) : (
          <Select
            showSearch
            allowClear={!required}
            data-testid="wrapup-category"
            aria-label={t('wrapup.category')}
            placeholder={t('wrapup.categoryPlaceholder')}
            options={settings.categories.map((c) => ({ value: c, label: c }))}
            notFoundContent={t('wrapup.noCategories')}
            optionRender={(o) => <span data-testid={`wrapup-category-option-${String(o.value)}`}>{o.label}</span>}
          />
        )}
      </Form.Item>
      <Form.Item
        name="summary"
        label={t('wrapup.summary')}
        rules={[
          {
            validator: (_r, v: string | undefined) =>
              !v || runeLength(v.trim()) <= MAX_WRAPUP_SUMMARY ? Promise.resolve() : Promise.reject(new Error(t('wrapup.summaryTooLong', { max: MAX_WRAPUP_SUMMARY }))),
          },
        ]}
      >
        <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} showCount maxLength={MAX_WRAPUP_SUMMARY} placeholder={t('wrapup.summaryPlaceholder')} data-testid="wrapup-summary" />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="wrapup-submit">
          {t('wrapup.submit')}
        </Button>
      </Flex>
    </Form>
  );
}

export function WrapUpModal({
  tenantId,
  conversationId,
  settings,
  onDone,
  onClose,
}: {
  tenantId: string;
  conversationId: string;
  /** Open while set. */
  settings: WrapUpSettings | null;
  onDone: (c: ConversationItem) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <FormModal open={!!settings} title={t('wrapup.title')} onCancel={onClose} footer={null} destroyOnHidden width={520}>
      {settings ? <WrapUpForm tenantId={tenantId} conversationId={conversationId} settings={settings} onDone={onDone} onCancel={onClose} /> : null}
    </FormModal>
  );
}
