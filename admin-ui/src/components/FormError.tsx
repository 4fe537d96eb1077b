import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { errorMessage } from '../lib/errors';
import { useCountdown } from '../lib/useCountdown';

/** A form-level error: the translated message, and the request id for support. */
export function FormError({ error, testId = 'form-error' }: { error: unknown; testId?: string }) {
  const { t } = useTranslation();
  const throttled = isApiError(error) && error.code === 'auth.throttled' && error.retryAfter ? error : null;
  const left = useCountdown(throttled?.retryAfter ?? 0, throttled);
  if (!error) return null;
  const message = throttled
    ? left > 0
      ? t('auth.throttledCountdown', { count: left })
      : t('auth.throttledDone')
    : errorMessage(error, t);
  const rid = isApiError(error) ? error.requestId : undefined;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid={testId}
      style={{ marginBottom: 16 }}
      message={message}
      description={
        rid ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('common.requestId')}: {rid}
          </Typography.Text>
        ) : undefined
      }
    />
  );
}
