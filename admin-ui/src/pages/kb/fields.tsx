// The fields FAQs and articles share (tags, language, category, expiry date), and how
// the server's field errors find their place in an editor's form.
import { DatePicker, Form, Select, TreeSelect } from 'antd';
import type { FormInstance } from 'antd';
import type { NamePath } from 'antd/es/form/interface';
import type { TFunction } from 'i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import type { KbCategory, KbContent, KbLocale } from '../../api/types';
import { errorMessage } from '../../lib/errors';
import { runeLength } from '../../lib/rules';
import { categoryTree, KB_LOCALES } from './parts';

export const MAX_TAGS = 20;
export const MAX_TAG_LEN = 50;

export interface MetaValues {
  tags: string[];
  locale: KbLocale;
  category_id?: string | null;
  expires_at?: Dayjs | null;
}

export function metaInitial(c: Pick<KbContent, 'tags' | 'locale' | 'category_id' | 'expires_at'> | undefined, defaultLocale: string): MetaValues {
  return {
    tags: c?.tags ?? [],
    locale: c?.locale ?? (defaultLocale === 'en' ? 'en' : 'zh-CN'),
    category_id: c?.category_id ?? undefined,
    expires_at: c?.expires_at ? dayjs(c.expires_at) : null,
  };
}

/**
 * The shared part of a create or edit body. The expiry date is sent only when it
 * changed: the server insists a date it is given lies ahead, and an entry that expired
 * may still be edited.
 */
export function metaBody(v: MetaValues, original?: string | null) {
  const body: { tags: string[]; locale: KbLocale; category_id: string | null; expires_at?: string | null } = {
    tags: (v.tags ?? []).map((x) => x.trim()).filter(Boolean),
    locale: v.locale,
    category_id: v.category_id || null,
  };
  const next = v.expires_at ? v.expires_at.endOf('day').toISOString() : null;
  const same = original ? !!v.expires_at && dayjs(original).isSame(v.expires_at, 'day') : !next;
  if (!same) body.expires_at = next;
  return body;
}

export function MetaFields({ categories, prefix, disabled }: { categories: KbCategory[]; prefix: string; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <Form.Item
        name="tags"
        label={t('kb.fields.tags')}
        extra={t('kb.fields.tagsHint', { count: MAX_TAGS })}
        rules={[
          {
            validator: (_r, v: string[] | undefined) => {
              const list = v ?? [];
              if (list.length > MAX_TAGS) return Promise.reject(new Error(t('kb.validation.tooManyTags', { count: MAX_TAGS })));
              if (list.some((x) => runeLength(x.trim()) > MAX_TAG_LEN)) return Promise.reject(new Error(t('kb.validation.tagTooLong', { count: MAX_TAG_LEN })));
              return Promise.resolve();
            },
          },
        ]}
      >
        <Select mode="tags" tokenSeparators={[',', '，', '\n']} notFoundContent={null} suffixIcon={null} placeholder={t('schemaForm.tagsPlaceholder')} data-testid={`${prefix}-tags`} aria-label={t('kb.fields.tags')} disabled={disabled} />
      </Form.Item>
      <Form.Item name="locale" label={t('kb.fields.locale')} rules={[{ required: true, message: t('validation.required') }]}>
        <Select
          data-testid={`${prefix}-locale`}
          aria-label={t('kb.fields.locale')}
          disabled={disabled}
          options={KB_LOCALES.map((l) => ({ value: l, label: <span data-testid={`${prefix}-locale-option-${l}`}>{t(`lang.${l}`)}</span> }))}
        />
      </Form.Item>
      <Form.Item name="category_id" label={t('kb.fields.category')}>
        <TreeSelect
          allowClear
          treeDefaultExpandAll
          placeholder={t('kb.fields.noCategory')}
          treeData={categoryTree(categories, i18n.language)}
          data-testid={`${prefix}-category`}
          aria-label={t('kb.fields.category')}
          disabled={disabled}
        />
      </Form.Item>
      <Form.Item
        name="expires_at"
        label={t('kb.fields.expires')}
        extra={t('kb.fields.expiresHint')}
        rules={[
          {
            validator: (_r, v: Dayjs | null | undefined) =>
              !v || v.endOf('day').isAfter(dayjs()) ? Promise.resolve() : Promise.reject(new Error(t('kb.validation.expiresPast'))),
          },
        ]}
      >
        <DatePicker
          allowClear
          disabledDate={(d) => d.endOf('day').isBefore(dayjs())}
          placeholder={t('kb.fields.noExpiry')}
          data-testid={`${prefix}-expires`}
          aria-label={t('kb.fields.expires')}
          disabled={disabled}
        />
      </Form.Item>
    </>
  );
}

/**
 * Puts a problem+json error next to the form field it names. resolve maps the server's
 * field ("similar_questions[2]", "channel_answers.web") to a form path. Returns false
 * when the error belongs to no field (a form-level alert then shows it).
 */
export function applyFieldError(
  err: unknown,
  form: FormInstance,
  t: TFunction,
  resolve: (field: string) => NamePath | null,
  codes: Record<string, NamePath> = {},
): boolean {
  if (!isApiError(err)) return false;
  const name = (err.field ? resolve(err.field) : null) ?? codes[err.code] ?? null;
  if (name === null) return false;
  form.setFields([{ name, errors: [errorMessage(err, t)] }]);
  try {
    form.scrollToField(name, { block: 'center', focus: true });
  } catch {
    /* not rendered */
  }
  return true;
}

/** The shared fields' server names. */
export function resolveMetaField(field: string): NamePath | null {
  if (field === 'tags' || /^tags\[\d+\]$/.test(field)) return 'tags';
  if (field === 'locale' || field === 'category_id' || field === 'expires_at') return field;
  return null;
}

export const META_CODES: Record<string, NamePath> = { 'kb.unknown-category': 'category_id', 'kb.expired': 'expires_at' };
