// Puts a problem+json error next to the field the server named, or returns it for a
// form-level alert when no field of this form matches.
import { useCallback, useRef, useState } from 'react';
import type { FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { errorMessage } from './errors';

export interface FieldMapping {
  /** Server field name → form field name (identity for fields listed as such). */
  fields?: Record<string, string>;
  /** Error code → form field name, for errors the server reports without a field. */
  codes?: Record<string, string>;
  /** Texts that suit this form better than the generic ones, by "code@field" or "code". */
  messages?: Record<string, string>;
}

function messageFor(err: unknown, m: FieldMapping, fallback: string): string {
  if (!isApiError(err) || !m.messages) return fallback;
  return (err.field ? m.messages[`${err.code}@${err.field}`] : undefined) ?? m.messages[err.code] ?? fallback;
}

/** The form field an error belongs to, or null when it is form-level. */
export function fieldForError(err: unknown, m: FieldMapping): string | null {
  if (!isApiError(err)) return null;
  if (err.field && m.fields && err.field in m.fields) return m.fields[err.field] ?? null;
  if (m.codes && err.code in m.codes) return m.codes[err.code] ?? null;
  return null;
}

export function useServerErrors(form: FormInstance, mapping: FieldMapping) {
  const { t } = useTranslation();
  const [formError, setFormError] = useState<unknown>(null);
  const mappingRef = useRef(mapping);
  mappingRef.current = mapping;
  const handle = useCallback(
    (err: unknown) => {
      const field = fieldForError(err, mappingRef.current);
      if (field) {
        setFormError(null);
        form.setFields([{ name: field, errors: [messageFor(err, mappingRef.current, errorMessage(err, t))] }]);
        try {
          form.scrollToField(field, { block: 'center', focus: true });
        } catch {
          /* the field may not be rendered (a step changed); the message still shows */
        }
        return;
      }
      setFormError(err);
    },
    [form, t],
  );
  const clear = useCallback(() => setFormError(null), []);
  return { formError, setFormError, handle, clear };
}
