// Turning API errors into words the user can act on.
import i18n from 'i18next';
import type { TFunction } from 'i18next';
import { ApiError, isApiError } from '../api/client';

/** Looks a stable server code up in the "errors" namespace ('' when unknown). */
function codeMessage(key: string, vars?: Record<string, unknown>): string {
  return i18n.t(key, { ns: 'errors', keySeparator: false, defaultValue: '', ...vars }) as string;
}

/** A translated, user-facing message for any error an API call can throw. */
export function errorMessage(err: unknown, t?: TFunction): string {
  const tt = (t ?? i18n.t.bind(i18n)) as TFunction;
  if (isApiError(err)) {
    if (err.code === 'auth.throttled' && err.retryAfter) {
      return codeMessage('auth.throttled-seconds', { count: err.retryAfter });
    }
    if (err.field) {
      const byField = codeMessage(`${err.code}@${err.field}`);
      if (byField) return byField;
    }
    const known = codeMessage(err.code);
    if (known) return known;
    if (err.detail && err.status >= 400 && err.status < 500) return err.detail;
    if (err.status >= 500) return tt('common.serverError');
    return tt('common.requestFailed', { status: err.status });
  }
  if (err instanceof Error && err.message) return err.message;
  return tt('common.unknownError');
}

export function errorCode(err: unknown): string | undefined {
  return isApiError(err) ? err.code : undefined;
}

export function hasCode(err: unknown, ...codes: string[]): boolean {
  return isApiError(err) && codes.includes(err.code);
}

export { ApiError };
