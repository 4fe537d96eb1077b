import { Button, Typography } from 'antd';
import { Result } from './Result';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { errorCode, errorMessage } from '../lib/errors';
import { TENANT_BLOCKING_CODES, TenantBlocked } from './TenantBlocked';
import { Forbidden } from './Forbidden';

/** What a page shows when loading its data failed. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const code = errorCode(error);
  if (code && TENANT_BLOCKING_CODES.includes(code)) return <TenantBlocked error={error} />;
  if (code === 'auth.forbidden') return <Forbidden detail={errorMessage(error, t)} />;
  const rid = isApiError(error) ? error.requestId : undefined;
  return (
    <Result
      status="error"
      data-testid="load-error"
      title={t('common.loadFailed')}
      subTitle={
        <>
          <div>{errorMessage(error, t)}</div>
          {rid ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('common.requestId')}: {rid}
            </Typography.Text>
          ) : null}
        </>
      }
      extra={
        onRetry ? (
          <Button type="primary" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : null
      }
    />
  );
}
