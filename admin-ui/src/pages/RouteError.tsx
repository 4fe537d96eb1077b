import { Button, Result } from 'antd';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { useTranslation } from 'react-i18next';

/** Something broke while rendering a route (most often: a new deploy replaced a chunk). */
export function RouteError() {
  const { t } = useTranslation();
  const err = useRouteError();
  const notFound = isRouteErrorResponse(err) && err.status === 404;
  return (
    <div className="kefu-full-center">
      <Result
        status={notFound ? '404' : 'error'}
        title={notFound ? t('notFound.title') : t('routeError.title')}
        subTitle={notFound ? t('notFound.body') : t('routeError.body')}
        extra={
          <Button type="primary" onClick={() => window.location.reload()}>
            {t('routeError.reload')}
          </Button>
        }
      />
    </div>
  );
}
