// Form fields rendered from a JSON Schema (a connector's config_schema), inside an
// antd Form: strings, numbers, booleans, enums, arrays of strings; writeOnly properties
// are secrets (a password input showing the server's mask); required and the string,
// number and array limits are checked on the client; each description is the field's
// help. Values live under `prefix` (["config", key]); see lib/schemaForm for the
// conversion to and from the configuration object.
import { Form, Input, InputNumber, Select, Switch } from 'antd';
import type { Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { JSONSchema } from '../api/chat';
import { humanize, schemaFields, SECRET_MASK, type SchemaField } from '../lib/schemaForm';
import { runeLength } from '../lib/rules';

function rulesFor(t: TFunction, f: SchemaField): Rule[] {
  const s = f.schema;
  const rules: Rule[] = [];
  switch (f.kind) {
    case 'text':
    case 'longtext':
    case 'secret': {
      if (f.required) rules.push({ required: true, whitespace: f.kind !== 'secret', message: t('validation.required') });
      rules.push({
        validator: (_r, v: unknown) => {
          if (typeof v !== 'string' || v === '' || (f.kind === 'secret' && v === SECRET_MASK)) return Promise.resolve();
          const n = runeLength(v);
          if (s.minLength !== undefined && n < s.minLength) return Promise.reject(new Error(t('schemaForm.minLength', { count: s.minLength })));
          if (s.maxLength !== undefined && n > s.maxLength) return Promise.reject(new Error(t('validation.maxLength', { count: s.maxLength })));
          if (s.pattern && !safeTest(s.pattern, v)) return Promise.reject(new Error(t('schemaForm.pattern')));
          return Promise.resolve();
        },
      });
      break;
    }
    case 'enum':
      if (f.required) rules.push({ required: true, message: t('validation.required') });
      break;
    case 'integer':
    case 'number':
      if (f.required) rules.push({ required: true, message: t('validation.required') });
      rules.push({
        validator: (_r, v: unknown) => {
          if (typeof v !== 'number') return Promise.resolve();
          if (s.minimum !== undefined && v < s.minimum) return Promise.reject(new Error(t('schemaForm.min', { min: s.minimum })));
          if (s.maximum !== undefined && v > s.maximum) return Promise.reject(new Error(t('schemaForm.max', { max: s.maximum })));
          return Promise.resolve();
        },
      });
      break;
    case 'tags':
    case 'multienum': {
      const item = s.items ?? {};
      rules.push({
        validator: (_r, v: unknown) => {
          const list = Array.isArray(v) ? (v as unknown[]).map(String) : [];
          const min = s.minItems ?? (f.required ? 1 : 0);
          if (list.length < min) return Promise.reject(new Error(f.required && min <= 1 ? t('validation.required') : t('schemaForm.minItems', { count: min })));
          if (s.maxItems !== undefined && list.length > s.maxItems) return Promise.reject(new Error(t('schemaForm.maxItems', { count: s.maxItems })));
          for (const x of list) {
            if ((item.pattern && !safeTest(item.pattern, x)) || (item.maxLength !== undefined && runeLength(x) > item.maxLength)) {
              return Promise.reject(new Error(t('schemaForm.itemInvalid', { value: x })));
            }
          }
          return Promise.resolve();
        },
      });
      break;
    }
    case 'json':
      if (f.required) rules.push({ required: true, whitespace: true, message: t('validation.required') });
      rules.push({
        validator: (_r, v: unknown) => {
          if (typeof v !== 'string' || !v.trim()) return Promise.resolve();
          try {
            JSON.parse(v);
            return Promise.resolve();
          } catch {
            return Promise.reject(new Error(t('schemaForm.json')));
          }
        },
      });
      break;
  }
  return rules;
}

/** A schema pattern (ECMA-262 per JSON Schema); one the browser cannot compile is left to the server. */
function safeTest(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return true;
  }
}

/**
 * The control for one property. Form.Item hands its child value/checked, onChange, id
 * and the like: they are passed through as `control`.
 */
function SchemaInput({ f, testId, label, disabled, ...control }: { f: SchemaField; testId: string; label: string; disabled?: boolean; [prop: string]: unknown }) {
  const { t } = useTranslation();
  const s = f.schema;
  switch (f.kind) {
    case 'boolean':
      return <Switch {...control} data-testid={testId} aria-label={label} disabled={disabled} />;
    case 'integer':
    case 'number':
      return (
        <InputNumber
          {...control} data-testid={testId}
          aria-label={label}
          disabled={disabled}
          min={s.minimum}
          max={s.maximum}
          precision={f.kind === 'integer' ? 0 : undefined}
          style={{ width: '100%', maxWidth: 240 }}
        />
      );
    case 'enum':
      return (
        <Select
          {...control} data-testid={testId}
          aria-label={label}
          disabled={disabled}
          allowClear={!f.required}
          options={(s.enum ?? []).map((v) => ({ value: v as string | number, label: v === '' ? t('schemaForm.none') : String(v) }))}
          optionRender={(o) => <span data-testid={`${testId}-option-${String(o.value) || 'none'}`}>{o.label}</span>}
        />
      );
    case 'secret':
      return (
        <Input.Password
          {...control} data-testid={testId}
          aria-label={label}
          disabled={disabled}
          autoComplete="new-password"
          // The mask stands for the stored secret: typing replaces it as a whole.
          onFocus={(e) => {
            if (e.target.value === SECRET_MASK) e.target.select();
          }}
        />
      );
    case 'longtext':
      return <Input.TextArea {...control} data-testid={testId} aria-label={label} disabled={disabled} autoSize={{ minRows: 2, maxRows: 6 }} />;
    case 'tags':
      return (
        <Select
          mode="tags"
          {...control} data-testid={testId}
          aria-label={label}
          disabled={disabled}
          suffixIcon={null}
          notFoundContent={null}
          tokenSeparators={[',', ' ', '\n']}
          placeholder={t('schemaForm.tagsPlaceholder')}
        />
      );
    case 'multienum':
      return (
        <Select
          mode="multiple"
          {...control} data-testid={testId}
          aria-label={label}
          disabled={disabled}
          options={(s.items?.enum ?? []).map((v) => ({ value: String(v), label: String(v) }))}
        />
      );
    case 'json':
      return <Input.TextArea {...control} data-testid={testId} aria-label={label} disabled={disabled} autoSize={{ minRows: 3, maxRows: 10 }} className="kefu-secret" />;
    default:
      return <Input {...control} data-testid={testId} aria-label={label} disabled={disabled} autoComplete="off" type={s.format === 'uri' ? 'url' : s.format === 'email' ? 'email' : 'text'} />;
  }
}

export interface SchemaFieldsProps {
  schema: JSONSchema | null | undefined;
  /** Where the values live in the form. */
  prefix?: string;
  /** data-testid of a field: `${testIdPrefix}-${property}`. */
  testIdPrefix?: string;
  disabled?: boolean;
  /** Secrets currently stored (editing): their field says how to keep them. */
  storedSecrets?: string[];
  /**
   * Where translations of this schema's titles and descriptions live
   * (`${i18nPrefix}.${property}.title|description`); the schema's own text otherwise.
   */
  i18nPrefix?: string;
}

/** The form items of a JSON Schema's properties; render inside an antd Form. */
export function SchemaFields({ schema, prefix = 'config', testIdPrefix = 'schema', disabled, storedSecrets = [], i18nPrefix }: SchemaFieldsProps) {
  const { t } = useTranslation();
  const fields = schemaFields(schema);
  const text = (key: string, part: 'title' | 'description', fallback: string) =>
    i18nPrefix ? t(`${i18nPrefix}.${key}.${part}`, { defaultValue: fallback }) : fallback;
  return (
    <>
      {fields.map((f) => {
        const label = text(f.key, 'title', f.schema.title || humanize(f.key));
        const description = f.schema.description ? text(f.key, 'description', f.schema.description) : '';
        const help = [description, f.kind === 'secret' ? (storedSecrets.includes(f.key) ? t('schemaForm.secretKept') : t('schemaForm.secretNew')) : '']
          .filter(Boolean)
          .join(' ');
        return (
          <Form.Item
            key={f.key}
            name={[prefix, f.key]}
            label={label}
            required={f.required}
            rules={rulesFor(t, f)}
            extra={help || undefined}
            valuePropName={f.kind === 'boolean' ? 'checked' : 'value'}
          >
            <SchemaInput f={f} testId={`${testIdPrefix}-${f.key}`} label={label} disabled={disabled} />
          </Form.Item>
        );
      })}
    </>
  );
}
