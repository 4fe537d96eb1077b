// /invitations/accept#token=… — look the invitation up, then join: a new account sets
// its name and password; an existing account logs in (as the invited address) first.
import { useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Skeleton, Space, Typography } from 'antd';
import { Result } from '../../components/Result';
import { Link, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { invitationApi } from '../../api/endpoints';
import type { InvitationPreview } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { AuthCard } from '../../components/AuthCard';
import { ErrorState } from '../../components/ErrorState';
import { FormError } from '../../components/FormError';
import { LoginForm } from '../../components/LoginForm';
import { tokenFromHash } from '../../lib/hashToken';
import { formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/labels';
import { rules } from '../../lib/rules';
import { setLastTenant } from '../../lib/storage';
import { useServerErrors } from '../../lib/useServerErrors';

interface NewAccount {
  name: string;
  password: string;
}

export default function AcceptInvitation() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const { status, me, signIn, signOut, reloadMe } = useAuth();
  const [token] = useState(() => tokenFromHash(location.hash));
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [loadError, setLoadError] = useState<unknown>(token ? null : 'invalid');
  const [loading, setLoading] = useState(!!token);
  const [busy, setBusy] = useState(false);
  const [acceptError, setAcceptError] = useState<unknown>(null);
  const [form] = Form.useForm<NewAccount>();
  const errors = useServerErrors(form, { fields: { name: 'name', password: 'password' } });

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    invitationApi.lookup(token).then(
      (p) => {
        if (cancelled) return;
        setPreview(p);
        setLoading(false);
      },
      (e: unknown) => {
        if (cancelled) return;
        setLoadError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [token]);

  async function joined(tenantId: string, userId?: string) {
    if (userId) setLastTenant(userId, tenantId);
    navigate(`/t/${tenantId}`, { replace: true });
  }

  async function acceptNew(v: NewAccount) {
    setBusy(true);
    try {
      const res = await invitationApi.accept({ token, name: v.name.trim(), password: v.password }, false);
      if (!res.access_token || !res.refresh_token) throw new Error(t('invite.noSession'));
      const m = await signIn({
        access_token: res.access_token,
        refresh_token: res.refresh_token,
        expires_in: res.expires_in ?? 0,
        token_type: 'Bearer',
      });
      await joined(res.membership.tenant_id, m.user.id);
    } catch (err) {
      if (isApiError(err) && err.code === 'invitation.not-found') setLoadError(err);
      else errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  async function acceptExisting() {
    setBusy(true);
    setAcceptError(null);
    try {
      const res = await invitationApi.accept({ token }, true);
      const m = await reloadMe();
      await joined(res.membership.tenant_id, m?.user.id);
    } catch (err) {
      if (isApiError(err) && err.code === 'invitation.not-found') setLoadError(err);
      else setAcceptError(err);
    } finally {
      setBusy(false);
    }
  }

  if (loading || status === 'loading') {
    return (
      <AuthCard title={t('invite.title')} testId="invitation-page">
        <Skeleton active paragraph={{ rows: 4 }} />
      </AuthCard>
    );
  }

  if (loadError) {
    const invalid = loadError === 'invalid' || (isApiError(loadError) && loadError.code === 'invitation.not-found');
    return (
      <AuthCard title={t('invite.title')} testId="invitation-page">
        {invalid ? (
          <Result
            status="warning"
            data-testid="invitation-invalid"
            title={t('invite.invalidTitle')}
            subTitle={t('invite.invalidBody')}
            style={{ padding: '8px 0' }}
            extra={
              <Link to="/">
                <Button type="primary">{t('common.backHome')}</Button>
              </Link>
            }
          />
        ) : (
          <ErrorState error={loadError} onRetry={() => window.location.reload()} />
        )}
      </AuthCard>
    );
  }

  if (!preview) return null;
  const signedInAs = status === 'authenticated' ? me?.user.email : undefined;
  const sameUser = !!signedInAs && signedInAs.toLowerCase() === preview.email.toLowerCase();

  const summary = (
    <Descriptions
      column={1}
      size="small"
      bordered
      style={{ marginBottom: 24 }}
      data-testid="invitation-summary"
      items={[
        { key: 'tenant', label: t('invite.tenant'), children: <Typography.Text strong data-testid="invitation-tenant">{preview.tenant_name}</Typography.Text> },
        { key: 'email', label: t('fields.email'), children: <span data-testid="invitation-email">{preview.email}</span> },
        { key: 'role', label: t('fields.role'), children: <span data-testid="invitation-role">{roleLabel(t, preview.role)}</span> },
        { key: 'expires', label: t('invite.expires'), children: formatDateTime(preview.expires_at) },
      ]}
    />
  );

  let body;
  if (!preview.account_exists) {
    body = (
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void acceptNew(v)} onValuesChange={errors.clear}>
        {signedInAs ? (
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('invite.newAccountWhileSignedIn', { email: signedInAs })} />
        ) : null}
        <FormError error={errors.formError} testId="invitation-error" />
        <Form.Item name="name" label={t('signup.name')} rules={[rules.required(t), rules.maxLen(t, 100)]}>
          <Input size="large" autoComplete="name" autoFocus data-testid="invitation-name" />
        </Form.Item>
        <Form.Item name="password" label={t('fields.password')} rules={rules.newPassword(t)} extra={t('password.hint')}>
          <Input.Password size="large" autoComplete="new-password" data-testid="invitation-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="invitation-accept">
          {t('invite.createAndJoin')}
        </Button>
      </Form>
    );
  } else if (sameUser) {
    body = (
      <Space direction="vertical" style={{ width: '100%' }} size={16}>
        <FormError error={acceptError} testId="invitation-error" />
        <Typography.Text type="secondary">{t('invite.signedInAs', { email: signedInAs })}</Typography.Text>
        <Button type="primary" size="large" block loading={busy} onClick={() => void acceptExisting()} data-testid="invitation-accept">
          {t('invite.join', { tenant: preview.tenant_name })}
        </Button>
      </Space>
    );
  } else if (signedInAs) {
    body = (
      <Space direction="vertical" style={{ width: '100%' }} size={16}>
        <Alert type="warning" showIcon data-testid="invitation-wrong-account" message={t('invite.wrongAccount', { current: signedInAs, invited: preview.email })} />
        <Button size="large" block onClick={() => void signOut()} data-testid="invitation-switch-account">
          {t('invite.switchAccount', { email: preview.email })}
        </Button>
      </Space>
    );
  } else {
    body = (
      <>
        <Typography.Paragraph type="secondary">{t('invite.loginFirst')}</Typography.Paragraph>
        <LoginForm
          fixedEmail={preview.email}
          submitLabel={t('invite.loginAndContinue')}
          onSuccess={() => void acceptExisting()}
        />
      </>
    );
  }

  return (
    <AuthCard
      testId="invitation-page"
      title={t('invite.title')}
      subtitle={t('invite.subtitle', { tenant: preview.tenant_name, role: roleLabel(t, preview.role) })}
    >
      {summary}
      {body}
    </AuthCard>
  );
}
