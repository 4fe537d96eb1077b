// Turning a connector's JSON Schema into form fields and back: which control a
// property gets, the values a stored configuration fills in, the configuration a filled
// form sends, and which field a server error belongs to.
import type { JSONSchema } from '../api/chat';
import { SECRET_MASK } from '../api/chat';

export type FieldKind = 'boolean' | 'integer' | 'number' | 'enum' | 'secret' | 'text' | 'longtext' | 'tags' | 'multienum' | 'json';

export interface SchemaField {
  key: string;
  schema: JSONSchema;
  kind: FieldKind;
  required: boolean;
}

function primaryType(s: JSONSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  return s.type;
}

/** The control a property gets. Anything the form cannot express is edited as JSON. */
export function fieldKind(s: JSONSchema): FieldKind {
  const type = primaryType(s);
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every((v) => typeof v === 'string' || typeof v === 'number')) return 'enum';
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'string':
      if (s.writeOnly) return 'secret';
      return (s.maxLength ?? 0) > 255 || s.format === 'textarea' ? 'longtext' : 'text';
    case 'array': {
      const it = s.items ?? {};
      if (Array.isArray(it.enum) && it.enum.every((v) => typeof v === 'string')) return 'multienum';
      if (primaryType(it) === 'string' || !it.type) return 'tags';
      return 'json';
    }
    default:
      return 'json';
  }
}

/** The schema's top-level properties, in the schema's order. */
export function schemaFields(schema: JSONSchema | null | undefined): SchemaField[] {
  if (!schema || !schema.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties)
    .filter(([, s]) => !s.readOnly)
    .map(([key, s]) => ({ key, schema: s, kind: fieldKind(s), required: required.has(key) }));
}

/** "identity_secret" → "Identity secret", for properties without a title. */
export function humanize(key: string): string {
  const s = key.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return s ? s[0]!.toUpperCase() + s.slice(1) : key;
}

/**
 * Form values for a configuration: a stored one (secrets arrive masked and stay masked
 * in the form) or, for a new channel, the schema's defaults.
 */
export function configToValues(schema: JSONSchema | null | undefined, config?: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schemaFields(schema)) {
    const v = config ? config[f.key] : f.schema.default;
    switch (f.kind) {
      case 'boolean':
        out[f.key] = typeof v === 'boolean' ? v : typeof f.schema.default === 'boolean' ? f.schema.default : false;
        break;
      case 'tags':
      case 'multienum':
        out[f.key] = Array.isArray(v) ? v.map(String) : [];
        break;
      case 'json':
        out[f.key] = v === undefined ? '' : JSON.stringify(v, null, 2);
        break;
      default:
        if (v !== undefined && v !== null) out[f.key] = v;
    }
  }
  return out;
}

/**
 * The configuration a filled form sends. Optional fields left empty are left out (an
 * empty string would fail a pattern); a secret still showing the mask is sent as the
 * mask, which tells the server to keep the stored value.
 */
export function valuesToConfig(schema: JSONSchema | null | undefined, values: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const vals = values ?? {};
  for (const f of schemaFields(schema)) {
    const v = vals[f.key];
    switch (f.kind) {
      case 'boolean':
        out[f.key] = !!v;
        break;
      case 'integer':
      case 'number':
        if (typeof v === 'number' && !Number.isNaN(v)) out[f.key] = v;
        break;
      case 'enum': {
        const allowsEmpty = (f.schema.enum ?? []).includes('');
        if (v !== undefined && v !== null && (v !== '' || allowsEmpty)) out[f.key] = v;
        break;
      }
      case 'tags':
      case 'multienum': {
        const list = Array.isArray(v) ? v.map((x) => String(x).trim()).filter(Boolean) : [];
        if (list.length || f.required) out[f.key] = list;
        break;
      }
      case 'json': {
        const s = typeof v === 'string' ? v.trim() : '';
        if (s) out[f.key] = JSON.parse(s);
        break;
      }
      case 'secret':
        if (typeof v === 'string' && v !== '') out[f.key] = v;
        break;
      default:
        if (typeof v === 'string') {
          const s = v.trim();
          if (s || f.required) out[f.key] = s;
        } else if (v !== undefined && v !== null) out[f.key] = v;
    }
  }
  return out;
}

/**
 * The configuration property a server error names. Schema errors come as
 * "config.allowed_origins.1", a connector's own as "config.allowed_origins/1"; both
 * belong to the allowed_origins field. null: not a configuration property.
 */
export function configKeyOf(field: string | undefined, schema: JSONSchema | null | undefined): string | null {
  if (!field || !field.startsWith('config.')) return null;
  const key = field.slice('config.'.length).split(/[./]/)[0] ?? '';
  return key && schema?.properties && key in schema.properties ? key : null;
}

export { SECRET_MASK };
