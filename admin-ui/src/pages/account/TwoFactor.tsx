// Two-factor authentication: enrol (password → QR code + secret → code → recovery
// codes shown once), regenerate recovery codes, and disable (password + code).
import { useState } from 'react';
import { Alert, App, Button, Card, Flex, Form, Input, QRCode, Steps, Tag, Typography } from 'antd';
import { FormModal } from '../../components/FormModal';
import { CopyOutlined, DownloadOutlined, SafetyCertificateFilled, SafetyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { meApi } from '../../api/endpoints';
import type { Enrollment } from '../../api/types';
import { useAuth, useMe } from '../../auth/AuthContext';
import { FormError } from '../../components/FormError';
import { copyText, downloadText } from '../../lib/clipboard';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';

export function RecoveryCodes({ codes, email }: { codes: string[]; email: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const text = codes.join('\n') + '\n';
  return (
    <>
      <Alert type="warning" showIcon message={t('twofa.codesOnceTitle')} description={t('twofa.codesOnceBody')} style={{ marginBottom: 16 }} />
      <div className="kefu-codes" data-testid="recovery-codes" aria-label={t('twofa.recoveryCodes')}>
        {codes.map((c) => (
          <span key={c} data-testid="recovery-code">
            {c}
          </span>
        ))}
      </div>
      <Flex gap={8} style={{ marginTop: 12 }}>
        <Button
          icon={<CopyOutlined />}
          data-testid="recovery-copy"
          onClick={() =>
            void copyText(text).then(
              () => message.success(t('common.copied')),
              () => message.error(t('common.copyFailed')),
            )
          }
        >
          {t('common.copy')}
        </Button>
        <Button icon={<DownloadOutlined />} data-testid="recovery-download" onClick={() => downloadText(`kefu-recovery-codes-${email}.txt`, text)}>
          {t('twofa.download')}
        </Button>
      </Flex>
    </>
  );
}

function EnrollFlow({ onFinished, onCancel }: { onFinished: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const [step, setStep] = useState(0);
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [pwForm] = Form.useForm<{ password: string }>();
  const [codeForm] = Form.useForm<{ code: string }>();
  const pwErrors = useServerErrors(pwForm, {
    fields: { password: 'password' },
    codes: { 'auth.wrong-password': 'password' },
  });
  const codeErrors = useServerErrors(codeForm, {
    fields: { code: 'code' },
    codes: { 'auth.invalid-totp': 'code' },
  });

  return (
    <>
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 24 }}
        items={[{ title: t('twofa.stepPassword') }, { title: t('twofa.stepScan') }, { title: t('twofa.stepCodes') }]}
      />
      {step === 0 ? (
        <Form
          form={pwForm}
          layout="vertical"
          requiredMark={false}
          onValuesChange={pwErrors.clear}
          onFinish={async (v) => {
            setBusy(true);
            try {
              setEnrollment(await meApi.enroll2fa({ password: v.password }));
              setStep(1);
            } catch (err) {
              pwErrors.handle(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Typography.Paragraph type="secondary">{t('twofa.passwordHint')}</Typography.Paragraph>
          <FormError error={pwErrors.formError} testId="twofa-error" />
          <Form.Item name="password" label={t('fields.password')} rules={rules.password(t)}>
            <Input.Password autoFocus autoComplete="current-password" data-testid="twofa-password" />
          </Form.Item>
          <Flex justify="end" gap={8}>
            <Button onClick={onCancel}>{t('common.cancel')}</Button>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="twofa-enroll-submit">
              {t('common.next')}
            </Button>
          </Flex>
        </Form>
      ) : null}
      {step === 1 && enrollment ? (
        <Form
          form={codeForm}
          layout="vertical"
          requiredMark={false}
          onValuesChange={codeErrors.clear}
          onFinish={async (v) => {
            setBusy(true);
            try {
              const r = await meApi.confirm2fa({ code: v.code.trim() });
              setCodes(r.recovery_codes);
              setStep(2);
              message.success(t('twofa.enabled'));
            } catch (err) {
              codeErrors.handle(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Typography.Paragraph type="secondary">{t('twofa.scanHint')}</Typography.Paragraph>
          <Flex gap={24} align="center" wrap style={{ marginBottom: 16 }}>
            <div data-testid="totp-qr" role="img" aria-label={t('twofa.qrLabel')}>
              <QRCode value={enrollment.otpauth_url} size={168} bordered />
            </div>
            <Flex vertical gap={6} style={{ flex: 1, minWidth: 200 }}>
              <Typography.Text type="secondary">{t('twofa.manualEntry')}</Typography.Text>
              <Typography.Paragraph copyable={{ text: enrollment.secret }} className="kefu-secret" style={{ marginBottom: 0 }}>
                <span data-testid="totp-secret">{enrollment.secret}</span>
              </Typography.Paragraph>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('twofa.account', { email: me.user.email })}
              </Typography.Text>
            </Flex>
          </Flex>
          <FormError error={codeErrors.formError} testId="twofa-error" />
          <Form.Item name="code" label={t('twofa.enterCode')} rules={rules.totp(t)}>
            <Input
              autoFocus
              className="kefu-otp-input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              placeholder="000000"
              style={{ maxWidth: 220 }}
              data-testid="totp-confirm-code"
            />
          </Form.Item>
          <Flex justify="end" gap={8}>
            <Button onClick={onCancel}>{t('common.cancel')}</Button>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-confirm-submit">
              {t('twofa.verifyAndEnable')}
            </Button>
          </Flex>
        </Form>
      ) : null}
      {step === 2 ? (
        <>
          <RecoveryCodes codes={codes} email={me.user.email} />
          <Flex justify="end" style={{ marginTop: 24 }}>
            <Button type="primary" onClick={onFinished} data-testid="recovery-done">
              {t('twofa.savedCodes')}
            </Button>
          </Flex>
        </>
      ) : null}
    </>
  );
}

function RegenerateFlow({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const [form] = Form.useForm<{ code: string }>();
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const errors = useServerErrors(form, { fields: { code: 'code' }, codes: { 'auth.invalid-totp': 'code' } });
  if (codes) {
    return (
      <>
        <RecoveryCodes codes={codes} email={me.user.email} />
        <Flex justify="end" style={{ marginTop: 24 }}>
          <Button type="primary" onClick={onClose} data-testid="recovery-done">
            {t('twofa.savedCodes')}
          </Button>
        </Flex>
      </>
    );
  }
  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      onValuesChange={errors.clear}
      onFinish={async (v) => {
        setBusy(true);
        try {
          setCodes((await meApi.regenerateCodes({ code: v.code.trim() })).recovery_codes);
        } catch (err) {
          errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph type="secondary">{t('twofa.regenerateHint')}</Typography.Paragraph>
      <FormError error={errors.formError} testId="twofa-error" />
      <Form.Item name="code" label={t('twofa.enterCode')} rules={rules.totp(t)}>
        <Input autoFocus className="kefu-otp-input" inputMode="numeric" autoComplete="one-time-code" maxLength={6} placeholder="000000" data-testid="regen-code" />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="regen-submit">
          {t('twofa.regenerate')}
        </Button>
      </Flex>
    </Form>
  );
}

function DisableFlow({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string; code: string }>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { password: 'password', code: 'code' },
    codes: { 'auth.wrong-password': 'password', 'auth.invalid-totp': 'code' },
  });
  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      onValuesChange={errors.clear}
      onFinish={async (v) => {
        setBusy(true);
        try {
          await meApi.disable2fa({ password: v.password, code: v.code.trim() });
          onDone();
        } catch (err) {
          errors.handle(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Alert type="warning" showIcon message={t('twofa.disableWarning')} style={{ marginBottom: 16 }} />
      <FormError error={errors.formError} testId="twofa-error" />
      <Form.Item name="password" label={t('fields.password')} rules={rules.password(t)}>
        <Input.Password autoFocus autoComplete="current-password" data-testid="twofa-disable-password" />
      </Form.Item>
      <Form.Item name="code" label={t('twofa.codeOrRecovery')} rules={rules.secondFactor(t)}>
        <Input autoComplete="one-time-code" maxLength={11} placeholder="000000" data-testid="twofa-disable-code" />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button danger type="primary" htmlType="submit" loading={busy} data-testid="twofa-disable-submit">
          {t('twofa.disable')}
        </Button>
      </Flex>
    </Form>
  );
}

export function TwoFactorCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const { reloadMe } = useAuth();
  const [dialog, setDialog] = useState<'enroll' | 'regenerate' | 'disable' | null>(null);
  const enabled = me.user.totp_enabled;
  const closeEnroll = () => {
    setDialog(null);
    // The code may have been confirmed before the dialog was closed: re-read the state.
    void reloadMe().catch(() => null);
  };

  return (
    <Card
      title={
        <Flex align="center" gap={8}>
          <SafetyOutlined />
          {t('twofa.title')}
        </Flex>
      }
      extra={
        enabled ? (
          <Tag color="success" icon={<SafetyCertificateFilled />} data-testid="twofa-status">
            {t('twofa.statusOn')}
          </Tag>
        ) : (
          <Tag data-testid="twofa-status">{t('twofa.statusOff')}</Tag>
        )
      }
      data-testid="account-2fa"
    >
      <Typography.Paragraph type="secondary">{enabled ? t('twofa.onBody') : t('twofa.offBody')}</Typography.Paragraph>
      {enabled ? (
        <Flex gap={8} wrap>
          <Button onClick={() => setDialog('regenerate')} data-testid="twofa-regenerate">
            {t('twofa.regenerate')}
          </Button>
          <Button danger onClick={() => setDialog('disable')} data-testid="twofa-disable">
            {t('twofa.disable')}
          </Button>
        </Flex>
      ) : (
        <Button type="primary" icon={<SafetyOutlined />} onClick={() => setDialog('enroll')} data-testid="twofa-enable">
          {t('twofa.enable')}
        </Button>
      )}

      <FormModal
        open={dialog === 'enroll'}
        title={t('twofa.enableTitle')}
        onCancel={closeEnroll}
        footer={null}
        width={560}
        maskClosable={false}
        destroyOnHidden
      >
        <EnrollFlow
          onCancel={closeEnroll}
          onFinished={() => {
            setDialog(null);
            void reloadMe();
          }}
        />
      </FormModal>
      <FormModal open={dialog === 'regenerate'} title={t('twofa.regenerateTitle')} onCancel={() => setDialog(null)} footer={null} maskClosable={false} destroyOnHidden>
        <RegenerateFlow onClose={() => setDialog(null)} />
      </FormModal>
      <FormModal open={dialog === 'disable'} title={t('twofa.disableTitle')} onCancel={() => setDialog(null)} footer={null} destroyOnHidden>
        <DisableFlow
          onCancel={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            message.success(t('twofa.disabled'));
            void reloadMe();
          }}
        />
      </FormModal>
    </Card>
  );
}
