import { describe, expect, it } from 'vitest';
import i18n from './index';

// Every source file except tests, locale files and test helpers, as text.
const all = import.meta.glob(['../**/*.ts', '../**/*.tsx', '!../**/*.test.*', '!../**/*.d.ts', '!./locales/**', '!../test/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;
const files = Object.keys(all);
const read = (f: string) => all[f]!;

describe('translations', () => {
  it('scans the sources', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it('has every literal key used in the code, in both languages', () => {
    const missing: string[] = [];
    for (const f of files) {
      const src = read(f);
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z][\w.:-]*)'/g)) {
        for (const lng of ['zh-CN', 'en']) {
          if (!i18n.exists(m[1]!, { lng })) missing.push(`${lng}: ${m[1]} (${f})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps user-facing text out of components (no CJK outside the locale files)', () => {
    const offenders = files.filter((f) => /[\u4e00-\u9fff]/.test(read(f).replace(/\/\/.*$/gm, '')));
    expect(offenders).toEqual([]);
  });

  it('has a text for every stable error code of the identity engine, in both languages', () => {
    const codes = [
      'auth.invalid-credentials', 'auth.totp-required', 'auth.invalid-totp', 'auth.invalid-token',
      'auth.invalid-refresh-token', 'auth.refresh-token-reused', 'auth.session-revoked', 'auth.throttled',
      'auth.wrong-password', 'auth.forbidden', 'user.email-taken', 'totp.already-enabled', 'totp.not-enrolled',
      'totp.not-enabled', 'tenant.not-found', 'tenant.suspended', 'tenant.2fa-required', 'member.not-found',
      'member.last-owner', 'member.owner-only', 'member.outranked', 'member.already-member', 'role.unknown',
      'role.not-found', 'role.name-taken', 'role.builtin', 'role.in-use', 'role.escalation', 'invitation.not-found',
      'invitation.login-required', 'invitation.wrong-account', 'apikey.not-found', 'apikey.owner-role',
      'password.too-short', 'password.too-long', 'password.too-common', 'password.contains-user-info',
      'password-reset.invalid-token', 'settings.enable-2fa-first',
    ];
    for (const lng of ['zh-CN', 'en']) {
      const t = i18n.getFixedT(lng, 'errors');
      const missing = codes.filter((c) => !t(c, { keySeparator: false, defaultValue: '' }));
      expect(missing, lng).toEqual([]);
    }
  });
});
