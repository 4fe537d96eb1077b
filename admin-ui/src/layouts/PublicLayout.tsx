import { Suspense } from 'react';
import { CheckCircleFilled } from '@ant-design/icons';
import { Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Brand } from '../components/Brand';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PageSpin } from '../components/PageSpin';

const HIGHLIGHTS = ['channels', 'bot', 'tenants'] as const;

/** Login, sign-up, password and invitation pages: a product panel beside a form card. */
export default function PublicLayout() {
  const { t } = useTranslation();
  return (
    <div className="kefu-public">
      <aside className="kefu-public-aside" aria-hidden="true">
        <div className="kefu-public-aside-inner">
          <div className="kefu-public-aside-brand">
            <img src="/favicon.svg" alt="" />
            <span>{t('app.name')}</span>
          </div>
          <h2>{t('public.headline')}</h2>
          <p>{t('public.tagline')}</p>
          <ul>
            {HIGHLIGHTS.map((k) => (
              <li key={k}>
                <CheckCircleFilled />
                <span>{t(`public.highlights.${k}`)}</span>
              </li>
            ))}
          </ul>
        </div>
      </aside>
      <div className="kefu-public-body">
        <header className="kefu-public-top">
          <span className="kefu-public-top-brand">
            <Brand to="/login" />
          </span>
          <span />
          <LanguageSwitch />
        </header>
        <main className="kefu-public-main">
          <Suspense fallback={<PageSpin />}>
            <Outlet />
          </Suspense>
        </main>
        <footer className="kefu-public-foot">{t('app.footer')}</footer>
      </div>
    </div>
  );
}
