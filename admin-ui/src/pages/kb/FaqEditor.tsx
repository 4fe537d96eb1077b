// Create or edit an FAQ's working copy: the standard question, the other ways customers
// ask it (an editable list), the answer, answers for particular channel kinds, and the
// shared fields. Saving an edit sends the version it started from, so an edit made
// meanwhile by someone else is refused (kb.edit-conflict) rather than overwritten.
import { useMemo, useState } from 'react';
import { Alert, AutoComplete, Button, Divider, Flex, Form, Input, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { NamePath } from 'antd/es/form/interface';
import { useTranslation } from 'react-i18next';
import { kbApi } from '../../api/endpoints';
import type { KbCategory, KbFaq } from '../../api/types';
import { FormError } from '../../components/FormError';
import { hasCode } from '../../lib/errors';
import { runeLength } from '../../lib/rules';
import { applyFieldError, META_CODES, metaBody, MetaFields, metaInitial, resolveMetaField, type MetaValues } from './fields';
import { CHANNEL_KINDS, MAX_ANSWER_BYTES, MAX_QUESTION, utf8Length } from './parts';

export const MAX_SIMILAR = 200;
export const MAX_VARIANTS = 16;
const KIND_RE = /^[a-z0-9_-]{1,32}$/;

export interface FaqValues extends MetaValues {
  question: string;
  similar_questions: string[];
  answer: string;
  channel_answers: { kind: string; answer: string }[];
}

function initialValues(faq: KbFaq | undefined, defaultLocale: string): FaqValues {
  return {
    question: faq?.question ?? '',
    similar_questions: faq?.similar_questions ?? [],
    answer: faq?.answer ?? '',
    channel_answers: Object.entries(faq?.channel_answers ?? {}).map(([kind, answer]) => ({ kind, answer })),
    ...metaInitial(faq, defaultLocale),
  };
}

const norm = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean).join(' ');

export function FaqEditor({
  tenantId,
  faq,
  categories,
  defaultLocale,
  readOnly,
  onSaved,
  onDirtyChange,
}: {
  tenantId: string;
  /** Editing this FAQ; creating when absent. */
  faq?: KbFaq;
  categories: KbCategory[];
  defaultLocale: string;
  readOnly?: boolean;
  onSaved: (faq: KbFaq, created: boolean) => void;
  onDirtyChange?: (dirty: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FaqValues>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<unknown>(null);
  const initial = useMemo(() => initialValues(faq, defaultLocale), [faq, defaultLocale]);

  function resolve(field: string): NamePath | null {
    if (field === 'question' || field === 'answer' || field === 'similar_questions' || field === 'channel_answers') return field;
    const sim = /^similar_questions\[(\d+)\]$/.exec(field);
    if (sim) {
      // The server numbers the non-blank questions sent, as the form holds them.
      return ['similar_questions', Number(sim[1])];
    }
    const variant = /^channel_answers\.(.+)$/.exec(field);
    if (variant) {
      const list: FaqValues['channel_answers'] = form.getFieldValue('channel_answers') ?? [];
      const i = list.findIndex((v) => v?.kind?.trim() === variant[1]);
      return i >= 0 ? ['channel_answers', i, 'answer'] : 'channel_answers';
    }
    return resolveMetaField(field);
  }

  async function save(v: FaqValues) {
    setFormError(null);
    const similar = (v.similar_questions ?? []).map(norm).filter(Boolean);
    const variants: Record<string, string> = {};
    for (const x of v.channel_answers ?? []) if (x?.kind?.trim()) variants[x.kind.trim()] = x.answer.trim();
    const body = {
      question: norm(v.question),
      similar_questions: similar,
      answer: v.answer.trim(),
      channel_answers: variants,
      ...metaBody(v, faq?.expires_at),
    };
    setBusy(true);
    try {
      const saved = faq
        ? await kbApi.update(tenantId, 'faqs', faq.id, { ...body, version: faq.version })
        : await kbApi.create(tenantId, 'faqs', body);
      onDirtyChange?.(false);
      onSaved(saved, !faq);
    } catch (err) {
      if (!applyFieldError(err, form, t, resolve, META_CODES)) setFormError(err);
    } finally {
      setBusy(false);
    }
  }

  const questionRules = [
    { required: true, whitespace: true, message: t('kb.validation.questionRequired') },
    {
      validator: (_r: unknown, v: string | undefined) =>
        !v || runeLength(norm(v)) <= MAX_QUESTION ? Promise.resolve() : Promise.reject(new Error(t('validation.maxLength', { count: MAX_QUESTION }))),
    },
  ];

  const answerRule = {
    validator: (_r: unknown, v: string | undefined) =>
      !v || utf8Length(v.trim()) <= MAX_ANSWER_BYTES ? Promise.resolve() : Promise.reject(new Error(t('kb.validation.answerTooLong', { kb: 20 }))),
  };

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={initial}
      disabled={readOnly || busy}
      onFinish={(v) => void save(v)}
      onValuesChange={() => {
        setFormError(null);
        onDirtyChange?.(true);
      }}
      data-testid="faq-form"
    >
      {hasCode(formError, 'kb.edit-conflict') ? (
        <Alert type="warning" showIcon role="alert" style={{ marginBottom: 16 }} data-testid="faq-conflict" message={t('kb.editor.conflict')} />
      ) : (
        <FormError error={formError} testId="faq-error" />
      )}
      <Form.Item name="question" label={t('kb.fields.question')} rules={questionRules} extra={t('kb.fields.questionHint')}>
        <Input data-testid="faq-question" maxLength={MAX_QUESTION + 50} autoComplete="off" />
      </Form.Item>

      <Form.List
        name="similar_questions"
        rules={[
          {
            validator: (_r, v: string[] | undefined) =>
              (v ?? []).length <= MAX_SIMILAR ? Promise.resolve() : Promise.reject(new Error(t('kb.validation.tooManySimilar', { count: MAX_SIMILAR }))),
          },
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <div className="kefu-kb-list" data-testid="faq-similar-list">
            <Typography.Text strong>{t('kb.fields.similar')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('kb.fields.similarHint')}
            </Typography.Paragraph>
            {fields.map((field, i) => (
              <Flex key={field.key} gap={8} align="start">
                <Form.Item
                  name={field.name}
                  style={{ flex: 1, marginBottom: 8 }}
                  validateTrigger={['onChange', 'onBlur']}
                  dependencies={['question', 'similar_questions']}
                  rules={[
                    { required: true, whitespace: true, message: t('kb.validation.similarEmpty') },
                    ({ getFieldValue }) => ({
                      validator: (_r, v: string | undefined) => {
                        const s = norm(v);
                        if (!s) return Promise.resolve();
                        if (runeLength(s) > MAX_QUESTION) return Promise.reject(new Error(t('validation.maxLength', { count: MAX_QUESTION })));
                        if (s === norm(getFieldValue('question'))) return Promise.reject(new Error(t('kb.validation.similarIsQuestion')));
                        const all: string[] = getFieldValue('similar_questions') ?? [];
                        if (all.slice(0, i).some((x) => norm(x) === s)) return Promise.reject(new Error(t('kb.validation.similarDuplicate')));
                        return Promise.resolve();
                      },
                    }),
                  ]}
                >
                  <Input data-testid={`faq-similar-${i}`} aria-label={t('kb.fields.similarN', { n: i + 1 })} autoComplete="off" />
                </Form.Item>
                {!readOnly ? (
                  <Button
                    icon={<DeleteOutlined />}
                    aria-label={t('kb.fields.similarRemove', { n: i + 1 })}
                    onClick={() => {
                      remove(field.name);
                      onDirtyChange?.(true);
                    }}
                    data-testid={`faq-similar-remove-${i}`}
                  />
                ) : null}
              </Flex>
            ))}
            <Form.ErrorList errors={errors} />
            {!readOnly ? (
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add('')}
                disabled={fields.length >= MAX_SIMILAR}
                data-testid="faq-similar-add"
                style={{ marginBottom: 16 }}
              >
                {t('kb.fields.similarAdd')}
              </Button>
            ) : null}
          </div>
        )}
      </Form.List>

      <Form.Item
        name="answer"
        label={t('kb.fields.answer')}
        rules={[{ required: true, whitespace: true, message: t('kb.validation.answerRequired') }, answerRule]}
        extra={t('kb.fields.answerHint')}
      >
        <Input.TextArea data-testid="faq-answer" autoSize={{ minRows: 4, maxRows: 16 }} />
      </Form.Item>

      <Divider orientation="left" plain style={{ marginTop: 0 }}>
        <Typography.Text type="secondary">{t('kb.fields.variants')}</Typography.Text>
      </Divider>
      <Typography.Paragraph type="secondary">{t('kb.fields.variantsHint')}</Typography.Paragraph>
      <Form.List name="channel_answers">
        {(fields, { add, remove }, { errors }) => (
          <div data-testid="faq-variants">
            {fields.map((field, i) => (
              <Flex key={field.key} gap={8} align="start" wrap>
                <Form.Item
                  name={[field.name, 'kind']}
                  style={{ width: 160, marginBottom: 8 }}
                  rules={[
                    { required: true, whitespace: true, message: t('kb.validation.kindRequired') },
                    ({ getFieldValue }) => ({
                      validator: (_r, v: string | undefined) => {
                        const k = (v ?? '').trim();
                        if (!k) return Promise.resolve();
                        if (!KIND_RE.test(k)) return Promise.reject(new Error(t('kb.validation.kind')));
                        const all: { kind?: string }[] = getFieldValue('channel_answers') ?? [];
                        if (all.slice(0, i).some((x) => x?.kind?.trim() === k)) return Promise.reject(new Error(t('kb.validation.kindDuplicate')));
                        return Promise.resolve();
                      },
                    }),
                  ]}
                >
                  <AutoComplete options={CHANNEL_KINDS.map((k) => ({ value: k, label: `${k} · ${t(`kb.kinds.${k}`)}` }))}>
                    <Input placeholder={t('kb.fields.kind')} aria-label={t('kb.fields.kind')} data-testid={`faq-variant-kind-${i}`} autoComplete="off" />
                  </AutoComplete>
                </Form.Item>
                <Form.Item
                  name={[field.name, 'answer']}
                  style={{ flex: 1, minWidth: 240, marginBottom: 8 }}
                  rules={[{ required: true, whitespace: true, message: t('kb.validation.answerRequired') }, answerRule]}
                >
                  <Input.TextArea autoSize={{ minRows: 2, maxRows: 10 }} aria-label={t('kb.fields.variantAnswer')} data-testid={`faq-variant-answer-${i}`} />
                </Form.Item>
                {!readOnly ? (
                  <Button
                    icon={<DeleteOutlined />}
                    aria-label={t('kb.fields.variantRemove')}
                    onClick={() => {
                      remove(field.name);
                      onDirtyChange?.(true);
                    }}
                    data-testid={`faq-variant-remove-${i}`}
                  />
                ) : null}
              </Flex>
            ))}
            <Form.ErrorList errors={errors} />
            {!readOnly ? (
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ kind: '', answer: '' })}
                disabled={fields.length >= MAX_VARIANTS}
                data-testid="faq-variant-add"
                style={{ marginBottom: 16 }}
              >
                {t('kb.fields.variantAdd')}
              </Button>
            ) : null}
          </div>
        )}
      </Form.List>

      <Divider style={{ marginTop: 8 }} />
      <MetaFields categories={categories} prefix="faq" disabled={readOnly} />

      {!readOnly ? (
        <Flex justify="end" gap={8}>
          <Button
            htmlType="button"
            onClick={() => {
              form.resetFields();
              setFormError(null);
              onDirtyChange?.(false);
            }}
          >
            {t('common.reset')}
          </Button>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="faq-save">
            {faq ? t('kb.editor.saveDraft') : t('kb.editor.createDraft')}
          </Button>
        </Flex>
      ) : null}
    </Form>
  );
}
