import { useState } from 'react';
import { App, Button, Flex, Form, Input, Select, Typography } from 'antd';
import { FormModal } from '../../components/FormModal';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { Invitation } from '../../api/types';
import { FormError } from '../../components/FormError';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';
import type { RoleOption } from '../../tenant/roleOptions';

interface Values {
  email: string;
  role: string;
}

export function InviteForm({ tenantId, roles, onInvited, onCancel }: {
  tenantId: string;
  roles: RoleOption[];
  onInvited: (inv: Invitation) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { email: 'email', role: 'role' },
    codes: { 'member.owner-only': 'role', 'role.escalation': 'role', 'role.unknown': 'role' },
  });
  const defaultRole = roles.find((r) => r.value === 'agent' && !r.disabled)?.value ?? roles.find((r) => !r.disabled)?.value;

  async function submit(v: Values) {
    setBusy(true);
    try {
      const inv = await tenantApi.invite(tenantId, { email: v.email.trim(), role: v.role });
      message.success(t('members.invited', { email: inv.email }));
      form.resetFields();
      onInvited(inv);
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ role: defaultRole }}
      onFinish={(v) => void submit(v)}
      onValuesChange={errors.clear}
      data-testid="invite-form"
    >
      <FormError error={errors.formError} testId="invite-error" />
      <Form.Item name="email" label={t('fields.email')} rules={rules.email(t)}>
        <Input type="email" autoComplete="off" autoFocus placeholder="name@example.com" data-testid="invite-email" />
      </Form.Item>
      <Form.Item name="role" label={t('fields.role')} rules={[{ required: true, message: t('validation.roleRequired') }]}>
        <Select
          data-testid="invite-role"
          aria-label={t('fields.role')}
          options={roles.map((r) => ({ value: r.value, disabled: r.disabled, label: r.label, reason: r.reason }))}
          optionRender={(o) => (
            <Flex justify="space-between" gap={8} data-testid={`invite-role-option-${o.value}`}>
              <span>{o.label}</span>
              {o.data.reason ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {o.data.reason}
                </Typography.Text>
              ) : null}
            </Flex>
          )}
        />
      </Form.Item>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t('members.inviteHint')}
      </Typography.Paragraph>
      <Flex justify="end" gap={8}>
        {onCancel ? <Button onClick={onCancel}>{t('common.cancel')}</Button> : null}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="invite-submit">
          {t('members.sendInvite')}
        </Button>
      </Flex>
    </Form>
  );
}

export function InviteModal({ open, onClose, ...rest }: {
  open: boolean;
  onClose: () => void;
  tenantId: string;
  roles: RoleOption[];
  onInvited: (inv: Invitation) => void;
}) {
  const { t } = useTranslation();
  return (
    <FormModal open={open} title={t('members.inviteTitle')} onCancel={onClose} footer={null} destroyOnHidden>
      <InviteForm {...rest} onCancel={onClose} />
    </FormModal>
  );
}
