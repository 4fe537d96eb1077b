import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';

export function Brand({ to = '/' }: { to?: string }) {
  const { t } = useTranslation();
  return (
    <Link to={to} className="kefu-brand" aria-label={t('app.home')}>
      <img src="/favicon.svg" alt="" />
      <span>{t('app.name')}</span>
    </Link>
  );
}
