import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Flex, Form, Input, Select, Skeleton, Switch } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { Settings as SettingsT } from '../../api/types';
import { useAuth, useMe } from '../../auth/AuthContext';
import { ErrorState } from '../../components/ErrorState';
import { FormError } from '../../components/FormError';
import { PageHeader } from '../../components/PageHeader';
import { rules } from '../../lib/rules';
import { useLoad } from '../../lib/useLoad';
import { useServerErrors } from '../../lib/useServerErrors';
import { useTenant } from '../../tenant/TenantContext';
import { timeZoneOptions } from '../../lib/timezones';

export default function Settings() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const { reloadMe } = useAuth();
  const { tenantId, can, reload: reloadTenant } = useTenant();
  const manage = can('settings:manage');
  const settings = useLoad(() => tenantApi.settings(tenantId), [tenantId]);
  const [form] = Form.useForm<SettingsT>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { name: 'name', timezone: 'timezone', locale: 'locale', require_2fa: 'require_2fa' },
    codes: { 'settings.enable-2fa-first': 'require_2fa' },
  });
  const zones = useMemo(() => timeZoneOptions(settings.data?.timezone), [settings.data?.timezone]);

  async function save(v: SettingsT) {
    const cur = settings.data;
    if (!cur) return;
    const patch: Partial<SettingsT> = {};
    if (v.name.trim() !== cur.name) patch.name = v.name.trim();
    if (v.timezone !== cur.timezone) patch.timezone = v.timezone;
    if (v.locale !== cur.locale) patch.locale = v.locale;
    if (v.require_2fa !== cur.require_2fa) patch.require_2fa = v.require_2fa;
    if (Object.keys(patch).length === 0) {
      message.info(t('settings.noChanges'));
      return;
    }
    setBusy(true);
    try {
      const saved = await tenantApi.updateSettings(tenantId, patch);
      settings.setData(saved);
      form.setFieldsValue(saved);
      message.success(t('settings.saved'));
      if (patch.name) await Promise.all([reloadTenant(), reloadMe()]);
      else await reloadTenant();
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  if (settings.error) return <ErrorState error={settings.error} onRetry={() => void settings.reload()} />;

  return (
    <>
      <PageHeader title={t('nav.settings')} subtitle={t('settings.subtitle')} />
      <Card style={{ maxWidth: 760 }}>
        {!settings.data ? (
          <Skeleton active paragraph={{ rows: 6 }} />
        ) : (
          <Form
            form={form}
            layout="vertical"
            requiredMark={false}
            disabled={!manage}
            initialValues={settings.data}
            onFinish={(v) => void save(v)}
            onValuesChange={errors.clear}
            data-testid="settings-form"
          >
            {!manage ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('settings.readOnly')} /> : null}
            <FormError error={errors.formError} testId="settings-error" />
            <Form.Item name="name" label={t('settings.name')} rules={[rules.required(t), rules.maxLen(t, 100)]}>
              <Input data-testid="settings-name" />
            </Form.Item>
            <Form.Item name="timezone" label={t('settings.timezone')} rules={[{ required: true, message: t('validation.required') }]} extra={t('settings.timezoneHint')}>
              <Select
                showSearch
                optionFilterProp="label"
                options={zones}
                data-testid="settings-timezone"
                aria-label={t('settings.timezone')}
                virtual
              />
            </Form.Item>
            <Form.Item name="locale" label={t('settings.locale')} extra={t('settings.localeHint')}>
              <Select
                data-testid="settings-locale"
                aria-label={t('settings.locale')}
                options={[
                  { value: 'zh-CN', label: t('lang.zh-CN') },
                  { value: 'en', label: t('lang.en') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="require_2fa"
              label={t('settings.require2fa')}
              valuePropName="checked"
              extra={
                <>
                  {t('settings.require2faHint')}
                  {!me.user.totp_enabled ? (
                    <>
                      {' '}
                      <Link to="/account#two-factor" data-testid="settings-setup-2fa">
                        {t('settings.setUp2fa')}
                      </Link>
                    </>
                  ) : null}
                </>
              }
            >
              <Switch data-testid="settings-require-2fa" aria-label={t('settings.require2fa')} />
            </Form.Item>
            {manage ? (
              <Flex justify="end" gap={8}>
                <Button htmlType="button" onClick={() => { form.resetFields(); errors.clear(); }}>
                  {t('common.reset')}
                </Button>
                <Button type="primary" htmlType="submit" loading={busy} data-testid="settings-save">
                  {t('common.save')}
                </Button>
              </Flex>
            ) : null}
          </Form>
        )}
      </Card>
    </>
  );
}
