import { useState } from 'react';
import { Button, Form, Input } from 'antd';
import { Result } from '../../components/Result';
import { MailOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi } from '../../api/endpoints';
import { AuthCard } from '../../components/AuthCard';
import { FormError } from '../../components/FormError';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';

/** Asks for a reset link. The answer never says whether the account exists. */
export default function ForgotPassword() {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ email: string }>();
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const errors = useServerErrors(form, { fields: { email: 'email' } });

  async function submit(v: { email: string }) {
    setBusy(true);
    try {
      await authApi.forgotPassword({ email: v.email.trim() });
      setSentTo(v.email.trim());
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthCard title={t('forgot.title')} testId="forgot-page">
        <Result
          status="success"
          icon={<MailOutlined style={{ color: '#1f6feb' }} />}
          title={t('forgot.sentTitle')}
          subTitle={t('forgot.sentBody', { email: sentTo })}
          data-testid="forgot-sent"
          style={{ padding: '8px 0' }}
          extra={
            <Link to="/login">
              <Button type="primary">{t('forgot.backToLogin')}</Button>
            </Link>
          }
        />
      </AuthCard>
    );
  }

  return (
    <AuthCard
      testId="forgot-page"
      title={t('forgot.title')}
      subtitle={t('forgot.subtitle')}
      footer={<Link to="/login">{t('forgot.backToLogin')}</Link>}
    >
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} onValuesChange={errors.clear}>
        <FormError error={errors.formError} testId="forgot-error" />
        <Form.Item name="email" label={t('fields.email')} rules={rules.email(t)}>
          <Input size="large" type="email" autoComplete="email" autoFocus prefix={<MailOutlined />} data-testid="forgot-email" />
        </Form.Item>
        <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="forgot-submit">
          {t('forgot.submit')}
        </Button>
      </Form>
    </AuthCard>
  );
}
