// Client-side validation rules shared by every form. The server checks everything
// again; these exist so the user hears about a mistake before a round trip.
import type { Rule } from 'antd/es/form';
import type { TFunction } from 'i18next';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TOTP_RE = /^\d{6}$/;
const RECOVERY_RE = /^[a-z0-9]{5}-?[a-z0-9]{5}$/i;
export const ROLE_NAME_RE = /^[a-z][a-z0-9_-]{1,39}$/;
export const BUILTIN_ROLES = ['owner', 'admin', 'supervisor', 'agent', 'viewer'];

/** Counts code points, as the server does (a CJK password is judged by what was typed). */
export function runeLength(s: string): number {
  return [...s].length;
}

export const rules = {
  required: (t: TFunction): Rule => ({ required: true, whitespace: true, message: t('validation.required') }),
  email: (t: TFunction): Rule[] => [
    { required: true, whitespace: true, message: t('validation.emailRequired') },
    {
      validator: (_r, v: string | undefined) =>
        !v || EMAIL_RE.test(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t('validation.email'))),
    },
  ],
  /** A password being chosen: 8–128 characters. */
  newPassword: (t: TFunction): Rule[] => [
    { required: true, message: t('validation.passwordRequired') },
    {
      validator: (_r, v: string | undefined) => {
        if (!v) return Promise.resolve();
        const n = runeLength(v);
        if (n < PASSWORD_MIN) return Promise.reject(new Error(t('validation.passwordMin', { count: PASSWORD_MIN })));
        if (n > PASSWORD_MAX) return Promise.reject(new Error(t('validation.passwordMax', { count: PASSWORD_MAX })));
        return Promise.resolve();
      },
    },
  ],
  /** An existing password being entered: only required. */
  password: (t: TFunction): Rule[] => [{ required: true, message: t('validation.passwordRequired') }],
  confirm: (t: TFunction, field: string): Rule[] => [
    { required: true, message: t('validation.confirmRequired') },
    ({ getFieldValue }) => ({
      validator: (_r, v: string | undefined) =>
        !v || v === getFieldValue(field) ? Promise.resolve() : Promise.reject(new Error(t('validation.confirmMismatch'))),
    }),
  ],
  totp: (t: TFunction): Rule[] => [
    { required: true, message: t('validation.totpRequired') },
    {
      validator: (_r, v: string | undefined) =>
        !v || TOTP_RE.test(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t('validation.totp'))),
    },
  ],
  recoveryCode: (t: TFunction): Rule[] => [
    { required: true, message: t('validation.recoveryRequired') },
    {
      validator: (_r, v: string | undefined) =>
        !v || RECOVERY_RE.test(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t('validation.recovery'))),
    },
  ],
  /** A TOTP code or a recovery code (disabling 2FA accepts either). */
  secondFactor: (t: TFunction): Rule[] => [
    { required: true, message: t('validation.totpRequired') },
    {
      validator: (_r, v: string | undefined) =>
        !v || TOTP_RE.test(v.trim()) || RECOVERY_RE.test(v.trim())
          ? Promise.resolve()
          : Promise.reject(new Error(t('validation.secondFactor'))),
    },
  ],
  maxLen: (t: TFunction, max: number): Rule => ({ max, message: t('validation.maxLength', { count: max }) }),
  roleName: (t: TFunction): Rule[] => [
    { required: true, message: t('validation.required') },
    {
      validator: (_r, v: string | undefined) => {
        if (!v) return Promise.resolve();
        if (BUILTIN_ROLES.includes(v)) return Promise.reject(new Error(t('validation.roleNameBuiltin')));
        return ROLE_NAME_RE.test(v) ? Promise.resolve() : Promise.reject(new Error(t('validation.roleName')));
      },
    },
  ],
};
