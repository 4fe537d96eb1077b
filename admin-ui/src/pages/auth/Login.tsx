import { Alert, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth/AuthContext';
import { AuthCard } from '../../components/AuthCard';
import { LoginForm } from '../../components/LoginForm';

export default function Login() {
  const { t } = useTranslation();
  const { ended } = useAuth();
  const [params] = useSearchParams();
  const reset = params.get('reset') === '1';
  return (
    <AuthCard
      testId="login-page"
      title={t('login.title')}
      subtitle={t('login.subtitle')}
      footer={
        <Typography.Text type="secondary">
          {t('login.noAccount')} <Link to="/signup" data-testid="login-to-signup">{t('login.toSignup')}</Link>
        </Typography.Text>
      }
    >
      {ended === 'expired' ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('login.sessionEnded')} data-testid="session-ended" />
      ) : null}
      {reset ? (
        <Alert type="success" showIcon style={{ marginBottom: 16 }} message={t('reset.doneLogin')} data-testid="reset-done" />
      ) : null}
      {/* Where to go next is GuestOnly's job: it sees the session appear. */}
      <LoginForm />
    </AuthCard>
  );
}
