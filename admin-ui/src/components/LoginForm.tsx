// Email + password, then — when the account has 2FA — a second step for the
// authenticator code or a recovery code. Used by the login page and by invitations.
import { useState } from 'react';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { LockOutlined, MailOutlined, SafetyOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { authApi } from '../api/endpoints';
import type { Me } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { rules } from '../lib/rules';
import { useServerErrors } from '../lib/useServerErrors';
import { FormError } from './FormError';

interface Credentials {
  email: string;
  password: string;
}

export interface LoginFormProps {
  /** Locks the email (an invitation for a known address). */
  fixedEmail?: string;
  onSuccess?: (me: Me) => void;
  submitLabel?: string;
}

export function LoginForm({ fixedEmail, onSuccess, submitLabel }: LoginFormProps) {
  const { signIn } = useAuth();
  const [creds, setCreds] = useState<Credentials | null>(null);
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [restartError, setRestartError] = useState<unknown>(null);

  async function login(c: Credentials, totp?: string) {
    const pair = await authApi.login({ email: c.email.trim(), password: c.password, ...(totp ? { totp } : {}) });
    const me = await signIn(pair);
    onSuccess?.(me);
  }

  if (step === 'totp' && creds) {
    return (
      <TotpStep
        onSubmit={(code) => login(creds, code)}
        onBack={() => setStep('password')}
        onRestart={(err) => {
          // The password stopped working between the steps: start again.
          setRestartError(err);
          setStep('password');
        }}
      />
    );
  }
  return (
    <PasswordStep
      fixedEmail={fixedEmail}
      submitLabel={submitLabel}
      initialEmail={creds?.email}
      initialError={restartError}
      onSubmit={async (c) => {
        setRestartError(null);
        try {
          await login(c);
        } catch (err) {
          if (isApiError(err) && err.code === 'auth.totp-required') {
            setCreds(c);
            setStep('totp');
            return;
          }
          throw err;
        }
      }}
    />
  );
}

function PasswordStep({ fixedEmail, submitLabel, initialEmail, initialError, onSubmit }: {
  fixedEmail?: string;
  submitLabel?: string;
  initialEmail?: string;
  initialError: unknown;
  onSubmit: (c: Credentials) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Credentials>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, { fields: { email: 'email', password: 'password' } });
  const shown = errors.formError ?? initialError;

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ email: fixedEmail ?? initialEmail ?? '', password: '' }}
      onFinish={async (v) => {
        setBusy(true);
        try {
          await onSubmit({ email: fixedEmail ?? v.email, password: v.password });
        } catch (err) {
          errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
      onValuesChange={errors.clear}
      data-testid="login-form"
    >
      <FormError error={shown} testId="login-error" />
      {fixedEmail ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('login.asEmail', { email: fixedEmail })} />
      ) : null}
      <Form.Item name="email" label={t('fields.email')} rules={rules.email(t)} hidden={!!fixedEmail}>
        <Input
          size="large"
          prefix={<MailOutlined />}
          autoComplete="username"
          type="email"
          autoFocus={!fixedEmail}
          data-testid="login-email"
        />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('fields.password')}
        rules={rules.password(t)}
        extra={
          <span className="kefu-extra-right">
            <Link to="/forgot-password" data-testid="login-forgot">
              {t('login.forgot')}
            </Link>
          </span>
        }
      >
        <Input.Password
          size="large"
          prefix={<LockOutlined />}
          autoComplete="current-password"
          autoFocus={!!fixedEmail}
          data-testid="login-password"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="login-submit">
        {submitLabel ?? t('login.submit')}
      </Button>
    </Form>
  );
}

function TotpStep({ onSubmit, onBack, onRestart }: {
  onSubmit: (code: string) => Promise<void>;
  onBack: () => void;
  onRestart: (err: unknown) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ code: string }>();
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { totp: 'code' },
    codes: { 'auth.invalid-totp': 'code' },
  });

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      onFinish={async (v) => {
        setBusy(true);
        try {
          await onSubmit(v.code.trim());
        } catch (err) {
          if (isApiError(err) && err.code === 'auth.invalid-credentials') onRestart(err);
          else errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
      onValuesChange={errors.clear}
      data-testid="totp-form"
    >
      <Typography.Paragraph type="secondary">{recovery ? t('login.recoveryHint') : t('login.totpHint')}</Typography.Paragraph>
      <FormError error={errors.formError} testId="login-error" />
      <Form.Item
        name="code"
        label={recovery ? t('login.recoveryCode') : t('login.totpCode')}
        rules={recovery ? rules.recoveryCode(t) : rules.totp(t)}
      >
        <Input
          autoFocus
          size="large"
          prefix={<SafetyOutlined />}
          className={recovery ? undefined : 'kefu-otp-input'}
          inputMode={recovery ? 'text' : 'numeric'}
          autoComplete="one-time-code"
          maxLength={recovery ? 11 : 6}
          placeholder={recovery ? 'xxxxx-xxxxx' : '000000'}
          data-testid="totp-code"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="totp-submit">
        {t('login.verify')}
      </Button>
      <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 16 }}>
        <Button
          type="link"
          style={{ padding: 0 }}
          data-testid="totp-use-recovery"
          onClick={() => {
            setRecovery((r) => !r);
            form.resetFields();
            errors.clear();
          }}
        >
          {recovery ? t('login.useTotp') : t('login.useRecovery')}
        </Button>
        <Button type="link" style={{ padding: 0 }} data-testid="totp-back" onClick={onBack}>
          {t('login.back')}
        </Button>
      </div>
    </Form>
  );
}
