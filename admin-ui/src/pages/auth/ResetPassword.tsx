import { useState } from 'react';
import { Button, Form, Input } from 'antd';
import { Result } from '../../components/Result';
import { Link, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { authApi } from '../../api/endpoints';
import { useAuth } from '../../auth/AuthContext';
import { AuthCard } from '../../components/AuthCard';
import { FormError } from '../../components/FormError';
import { tokenFromHash } from '../../lib/hashToken';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';

interface Values {
  new_password: string;
  confirm: string;
}

/**
 * /reset-password#token=… — choose a new password. The server revokes every session
 * and answers 204; the user then logs in with the new password (and 2FA if enrolled).
 */
export default function ResetPassword() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const { status, signOut } = useAuth();
  const [token] = useState(() => tokenFromHash(location.hash));
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(!token);
  const errors = useServerErrors(form, { fields: { new_password: 'new_password', password: 'new_password' } });

  async function submit(v: Values) {
    setBusy(true);
    try {
      await authApi.resetPassword({ token, new_password: v.new_password });
      // Every session was revoked, this browser's too; the user logs in again (with the
      // second factor, if enrolled: holding the mailbox must not be enough).
      if (status === 'authenticated') await signOut();
      navigate('/login?reset=1', { replace: true });
    } catch (err) {
      if (isApiError(err) && (err.code === 'password-reset.invalid-token' || (err.status === 400 && err.field === 'token'))) {
        setInvalid(true);
        return;
      }
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  if (invalid) {
    return (
      <AuthCard title={t('reset.title')} testId="reset-page">
        <Result
          status="warning"
          data-testid="reset-invalid"
          title={t('reset.invalidTitle')}
          subTitle={t('reset.invalidBody')}
          style={{ padding: '8px 0' }}
          extra={
            <Link to="/forgot-password" data-testid="reset-request-new">
              <Button type="primary">{t('reset.requestNew')}</Button>
            </Link>
          }
        />
      </AuthCard>
    );
  }

  return (
    <AuthCard testId="reset-page" title={t('reset.title')} subtitle={t('reset.subtitle')} footer={<Link to="/login">{t('forgot.backToLogin')}</Link>}>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} onValuesChange={errors.clear}>
        <FormError error={errors.formError} testId="reset-error" />
        <Form.Item name="new_password" label={t('fields.newPassword')} rules={rules.newPassword(t)} extra={t('password.hint')}>
          <Input.Password size="large" autoComplete="new-password" autoFocus data-testid="reset-password" />
        </Form.Item>
        <Form.Item name="confirm" label={t('fields.confirmPassword')} dependencies={['new_password']} rules={rules.confirm(t, 'new_password')}>
          <Input.Password size="large" autoComplete="new-password" data-testid="reset-confirm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="reset-submit">
          {t('reset.submit')}
        </Button>
      </Form>
    </AuthCard>
  );
}
