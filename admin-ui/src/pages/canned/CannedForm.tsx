// Create or edit a canned response: shared with the tenant (kb:edit) or personal, a
// shortcut typed after "/" in the reply box, a title, and the text with variables the
// server fills in per conversation. 409 canned.shortcut-taken shows under the shortcut.
import { useState } from 'react';
import { Button, Flex, Form, Input, Radio, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  CANNED_VARIABLES,
  MAX_CANNED_TEXT,
  MAX_CANNED_TITLE,
  MAX_SHORTCUT,
  SHORTCUT_RE,
  workspaceApi,
  type CannedResponse,
  type CannedScope,
} from '../../api/workspace';
import { FormError } from '../../components/FormError';
import { rules, runeLength } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';

interface Values {
  scope: CannedScope;
  shortcut: string;
  title: string;
  text: string;
}

/** The variables and what each becomes (shown under the text). */
export function CannedVariables() {
  const { t } = useTranslation();
  return (
    <div data-testid="canned-variables" className="kefu-canned-vars">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('canned.variablesIntro')}
      </Typography.Text>
      <ul>
        {CANNED_VARIABLES.map((v, i) => (
          <li key={v}>
            <Typography.Text code copyable={i < CANNED_VARIABLES.length - 1 ? { text: v } : false}>
              {v}
            </Typography.Text>{' '}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`canned.variables.${i}`, { example: '{{customer.order_number}}' })}
            </Typography.Text>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CannedForm({
  tenantId,
  item,
  canShare,
  onSaved,
  onCancel,
}: {
  tenantId: string;
  /** Editing this response; creating when absent. */
  item?: CannedResponse;
  /** kb:edit: shared responses may be created. */
  canShare: boolean;
  onSaved: (c: CannedResponse, created: boolean) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const editing = !!item;
  const errors = useServerErrors(form, {
    fields: { scope: 'scope', shortcut: 'shortcut', title: 'title', text: 'text' },
    codes: { 'canned.shortcut-taken': 'shortcut' },
    messages: {
      'request.invalid@shortcut': t('canned.shortcutInvalid', { max: MAX_SHORTCUT }),
      'request.invalid@title': t('validation.maxLength', { count: MAX_CANNED_TITLE }),
      'request.invalid@text': t('validation.maxLength', { count: MAX_CANNED_TEXT }),
    },
  });

  async function submit(v: Values) {
    setBusy(true);
    errors.clear();
    const body = { shortcut: v.shortcut.trim().replace(/^\//, ''), title: v.title.trim(), text: v.text.replace(/\s+$/, '') };
    try {
      const saved = editing ? await workspaceApi.updateCanned(tenantId, item!.id, body) : await workspaceApi.createCanned(tenantId, { scope: v.scope, ...body });
      onSaved(saved, !editing);
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="canned-form"
      initialValues={{ scope: item?.scope ?? 'personal', shortcut: item?.shortcut ?? '', title: item?.title ?? '', text: item?.text ?? '' }}
      onValuesChange={errors.clear}
      onFinish={(v) => void submit(v)}
    >
      <FormError error={errors.formError} testId="canned-error" />
      <Form.Item name="scope" label={t('canned.scope')} extra={editing ? t('canned.scopeFixed') : canShare ? t('canned.scopeHint') : t('canned.scopeSharedNeedsKb')}>
        <Radio.Group disabled={editing}>
          <Radio value="personal" data-testid="canned-scope-personal">
            {t('canned.scopes.personal')}
          </Radio>
          {canShare || item?.scope === 'shared' ? (
            <Radio value="shared" data-testid="canned-scope-shared">
              {t('canned.scopes.shared')}
            </Radio>
          ) : null}
        </Radio.Group>
      </Form.Item>
      <Form.Item
        name="shortcut"
        label={t('canned.shortcut')}
        extra={t('canned.shortcutHint')}
        rules={[
          rules.required(t),
          {
            validator: (_r, v: string | undefined) => {
              const s = (v ?? '').trim().replace(/^\//, '');
              if (!s) return Promise.resolve();
              return runeLength(s) <= MAX_SHORTCUT && SHORTCUT_RE.test(s) ? Promise.resolve() : Promise.reject(new Error(t('canned.shortcutInvalid', { max: MAX_SHORTCUT })));
            },
          },
        ]}
      >
        <Input prefix={<Typography.Text type="secondary">/</Typography.Text>} autoComplete="off" data-testid="canned-shortcut" placeholder={t('canned.shortcutPlaceholder')} />
      </Form.Item>
      <Form.Item name="title" label={t('canned.title')} rules={[rules.required(t), rules.maxLen(t, MAX_CANNED_TITLE)]}>
        <Input autoComplete="off" data-testid="canned-title" placeholder={t('canned.titlePlaceholder')} />
      </Form.Item>
      <Form.Item name="text" label={t('canned.text')} rules={[rules.required(t), rules.maxLen(t, MAX_CANNED_TEXT)]} extra={<CannedVariables />}>
        <Input.TextArea autoSize={{ minRows: 4, maxRows: 12 }} data-testid="canned-text" placeholder={t('canned.textPlaceholder', { variable: '{{customer.name}}' })} />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="canned-save">
          {editing ? t('common.save') : t('canned.create')}
        </Button>
      </Flex>
    </Form>
  );
}
