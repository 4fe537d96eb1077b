import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Flex, Form, Input, Row } from 'antd';
import { useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { setTokens } from '../../api/client';
import { meApi } from '../../api/endpoints';
import { useAuth, useMe } from '../../auth/AuthContext';
import { FormError } from '../../components/FormError';
import { NotifySettings } from '../../components/NotifySettings';
import { PageHeader } from '../../components/PageHeader';
import { formatDate } from '../../lib/format';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';
import { TwoFactorCard } from './TwoFactor';

export function ProfileForm() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const { reloadMe } = useAuth();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, { fields: { name: 'name' } });
  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ name: me.user.name }}
      onValuesChange={errors.clear}
      onFinish={async (v) => {
        setBusy(true);
        try {
          await meApi.update({ name: v.name.trim() });
          await reloadMe();
          message.success(t('account.profileSaved'));
        } catch (err) {
          errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <FormError error={errors.formError} testId="profile-error" />
      <Form.Item name="name" label={t('account.name')} rules={[rules.required(t), rules.maxLen(t, 100)]}>
        <Input autoComplete="name" data-testid="profile-name" />
      </Form.Item>
      <Flex justify="end">
        <Button type="primary" htmlType="submit" loading={busy} data-testid="profile-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}

interface PasswordValues {
  current_password: string;
  new_password: string;
  confirm: string;
}

/** Changing the password ends every other session; this one gets fresh tokens. */
export function ChangePasswordForm() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordValues>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { current_password: 'current_password', new_password: 'new_password' },
    codes: { 'auth.wrong-password': 'current_password' },
  });
  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      onValuesChange={errors.clear}
      data-testid="password-form"
      onFinish={async (v) => {
        setBusy(true);
        try {
          const pair = await meApi.changePassword({ current_password: v.current_password, new_password: v.new_password });
          setTokens(pair);
          form.resetFields();
          message.success(t('account.passwordChanged'));
        } catch (err) {
          errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <FormError error={errors.formError} testId="password-error" />
      <Form.Item name="current_password" label={t('account.currentPassword')} rules={rules.password(t)}>
        <Input.Password autoComplete="current-password" data-testid="password-current" />
      </Form.Item>
      <Form.Item name="new_password" label={t('fields.newPassword')} rules={rules.newPassword(t)} extra={t('password.hint')}>
        <Input.Password autoComplete="new-password" data-testid="password-new" />
      </Form.Item>
      <Form.Item name="confirm" label={t('fields.confirmPassword')} dependencies={['new_password']} rules={rules.confirm(t, 'new_password')}>
        <Input.Password autoComplete="new-password" data-testid="password-confirm" />
      </Form.Item>
      <Flex justify="end">
        <Button type="primary" htmlType="submit" loading={busy} data-testid="password-submit">
          {t('account.changePassword')}
        </Button>
      </Flex>
    </Form>
  );
}

export default function Account() {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();

  useEffect(() => {
    if (location.hash === '#two-factor') {
      document.getElementById('two-factor')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  }, [location.hash]);

  return (
    <>
      <PageHeader title={t('nav.account')} subtitle={t('account.subtitle')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('account.profile')} data-testid="account-profile">
            <Descriptions
              column={1}
              size="small"
              style={{ marginBottom: 16 }}
              items={[
                { key: 'email', label: t('fields.email'), children: <span data-testid="account-email">{me.user.email}</span> },
                { key: 'since', label: t('account.memberSince'), children: formatDate(me.user.created_at) },
              ]}
            />
            <ProfileForm />
          </Card>
          <Card title={t('account.password')} style={{ marginTop: 16 }} data-testid="account-password">
            <ChangePasswordForm />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <div id="two-factor">
            <TwoFactorCard />
          </div>
          <Card title={t('notify.title')} style={{ marginTop: 16 }} data-testid="account-notifications" id="notifications">
            <NotifySettings />
          </Card>
        </Col>
      </Row>
    </>
  );
}
