import type { ReactNode } from 'react';
import { Button, Result } from 'antd';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from './AuthContext';
import { PageSpin } from '../components/PageSpin';
import { errorMessage } from '../lib/errors';
import { safeNext } from '../lib/storage';

/** Console pages: wait for the session, or send the visitor to log in and come back. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { status, bootError, retryBoot } = useAuth();
  const location = useLocation();
  if (status === 'loading') return <PageSpin full />;
  if (status === 'error') {
    return (
      <div className="kefu-full-center">
        <Result
          status="warning"
          title={t('boot.failedTitle')}
          subTitle={errorMessage(bootError, t)}
          extra={
            <Button type="primary" onClick={retryBoot}>
              {t('common.retry')}
            </Button>
          }
        />
      </div>
    );
  }
  if (status !== 'authenticated') {
    const next = location.pathname + location.search + location.hash;
    const to = next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
    return <Navigate to={to} replace />;
  }
  return <>{children}</>;
}

/** Login and sign-up: a signed-in visitor goes on to the console (or ?next=). */
export function GuestOnly({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const [params] = useSearchParams();
  if (status === 'loading') return <PageSpin />;
  if (status === 'authenticated') return <Navigate to={safeNext(params.get('next')) ?? '/'} replace />;
  return <>{children}</>;
}
