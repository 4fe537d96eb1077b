import { useState } from 'react';
import { Button, Form, Input, Typography } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi } from '../../api/endpoints';
import { useAuth } from '../../auth/AuthContext';
import { AuthCard } from '../../components/AuthCard';
import { FormError } from '../../components/FormError';
import { rules } from '../../lib/rules';
import { setLastTenant } from '../../lib/storage';
import { useServerErrors } from '../../lib/useServerErrors';

interface Values {
  tenant_name: string;
  name: string;
  email: string;
  password: string;
}

/** Creates a tenant and its owner, signs in and opens the new tenant. */
export default function Signup() {
  const { t } = useTranslation();
  const { signIn } = useAuth();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { tenant_name: 'tenant_name', name: 'name', email: 'email', password: 'password' },
  });

  async function submit(v: Values) {
    setBusy(true);
    try {
      const res = await authApi.signup({
        tenant_name: v.tenant_name.trim(),
        name: v.name.trim(),
        email: v.email.trim(),
        password: v.password,
      });
      // "/" opens the last tenant: make it the new one before the session appears.
      setLastTenant(res.user.id, res.tenant.id);
      await signIn(res);
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard
      testId="signup-page"
      title={t('signup.title')}
      subtitle={t('signup.subtitle')}
      footer={
        <Typography.Text type="secondary">
          {t('signup.haveAccount')} <Link to="/login" data-testid="signup-to-login">{t('signup.toLogin')}</Link>
        </Typography.Text>
      }
    >
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} onValuesChange={errors.clear}>
        <FormError error={errors.formError} testId="signup-error" />
        <Form.Item name="tenant_name" label={t('signup.tenantName')} rules={[rules.required(t), rules.maxLen(t, 100)]} extra={t('signup.tenantNameHint')}>
          <Input size="large" autoFocus autoComplete="organization" data-testid="signup-tenant-name" />
        </Form.Item>
        <Form.Item name="name" label={t('signup.name')} rules={[rules.required(t), rules.maxLen(t, 100)]}>
          <Input size="large" autoComplete="name" data-testid="signup-name" />
        </Form.Item>
        <Form.Item name="email" label={t('fields.email')} rules={rules.email(t)}>
          <Input size="large" type="email" autoComplete="email" data-testid="signup-email" />
        </Form.Item>
        <Form.Item name="password" label={t('fields.password')} rules={rules.newPassword(t)} extra={t('password.hint')}>
          <Input.Password size="large" autoComplete="new-password" data-testid="signup-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="signup-submit">
          {t('signup.submit')}
        </Button>
      </Form>
    </AuthCard>
  );
}
