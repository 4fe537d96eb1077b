// Create or edit a custom role: name (fixed once created), description, and the
// permissions grouped by resource. Permissions the editor does not hold are shown but
// disabled: the server refuses to grant them (role.escalation).
import { useState } from 'react';
import { Alert, Button, Checkbox, Flex, Form, Input, Tooltip, Typography } from 'antd';
import { FormModal } from '../../components/FormModal';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { Permission, PermissionName, Role } from '../../api/types';
import { FormError } from '../../components/FormError';
import { groupByResource, permissionDescription, permissionLabel, resourceLabel } from '../../lib/labels';
import { rules } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';

interface Values {
  name: string;
  description: string;
  permissions: PermissionName[];
}

export function PermissionPicker({ catalogue, grantable, value = [], onChange, testIdPrefix = 'role-perm' }: {
  catalogue: Permission[];
  grantable: string[];
  value?: PermissionName[];
  onChange?: (v: PermissionName[]) => void;
  testIdPrefix?: string;
}) {
  const { t } = useTranslation();
  const set = new Set<string>(value);
  const toggle = (names: PermissionName[], on: boolean) => {
    const next = new Set(set);
    for (const n of names) {
      if (on) next.add(n);
      else next.delete(n);
    }
    // Keep catalogue order so diffs and requests are stable.
    onChange?.(catalogue.map((p) => p.name).filter((n) => next.has(n)));
  };
  return (
    <div data-testid="role-permissions" className="kefu-perm-grid">
      {groupByResource(catalogue).map((g) => {
        const allowed = g.items.filter((p) => grantable.includes(p.name)).map((p) => p.name);
        const checked = g.items.filter((p) => set.has(p.name)).length;
        return (
          <div key={g.resource} className="kefu-perm-group">
            <Checkbox
              checked={checked > 0 && checked === g.items.length}
              indeterminate={checked > 0 && checked < g.items.length}
              disabled={allowed.length === 0}
              onChange={(e) => toggle(allowed, e.target.checked)}
              data-testid={`role-group-${g.resource}`}
            >
              <Typography.Text strong>{resourceLabel(t, g.resource)}</Typography.Text>
            </Checkbox>
            <Flex vertical gap={4} style={{ marginTop: 6, paddingLeft: 24 }}>
              {g.items.map((p) => {
                const can = grantable.includes(p.name);
                const box = (
                  <Checkbox
                    key={p.name}
                    checked={set.has(p.name)}
                    disabled={!can}
                    onChange={(e) => toggle([p.name], e.target.checked)}
                    data-testid={`${testIdPrefix}-${p.name}`}
                  >
                    {permissionLabel(t, p)}
                    <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 6 }}>
                      {p.name}
                    </Typography.Text>
                  </Checkbox>
                );
                return (
                  <Tooltip key={p.name} title={can ? permissionDescription(t, p) : t('roles.notGrantable')}>
                    {box}
                  </Tooltip>
                );
              })}
            </Flex>
          </div>
        );
      })}
    </div>
  );
}

export function RoleForm({ tenantId, role, catalogue, grantable, onSaved, onCancel }: {
  tenantId: string;
  /** The role being edited; undefined creates one. */
  role?: Role;
  catalogue: Permission[];
  grantable: string[];
  onSaved: (r: Role) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, {
    fields: { name: 'name', description: 'description', permissions: 'permissions' },
    codes: { 'role.escalation': 'permissions', 'role.name-taken': 'name' },
    messages: { 'request.invalid@name': t('validation.roleName') },
  });

  async function submit(v: Values) {
    setBusy(true);
    try {
      const body = { description: (v.description ?? '').trim(), permissions: v.permissions ?? [] };
      const saved = role
        ? await tenantApi.updateRole(tenantId, role.id, body)
        : await tenantApi.createRole(tenantId, { name: v.name.trim(), ...body });
      onSaved(saved);
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
      initialValues={{ name: role?.name ?? '', description: role?.description ?? '', permissions: role?.permissions ?? [] }}
      onFinish={(v) => void submit(v)}
      onValuesChange={errors.clear}
      data-testid="role-form"
    >
      <FormError error={errors.formError} testId="role-error" />
      <Form.Item
        name="name"
        label={t('roles.name')}
        rules={role ? [] : rules.roleName(t)}
        extra={role ? t('roles.nameFixed') : t('roles.nameHint')}
      >
        <Input disabled={!!role} autoFocus={!role} autoComplete="off" placeholder="e.g. billing-agent" data-testid="role-name" />
      </Form.Item>
      <Form.Item name="description" label={t('roles.description')} rules={[rules.maxLen(t, 200)]}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} autoFocus={!!role} data-testid="role-description" />
      </Form.Item>
      <Form.Item name="permissions" label={t('roles.permissions')}>
        <PermissionPicker catalogue={catalogue} grantable={grantable} />
      </Form.Item>
      {grantable.length < catalogue.length ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('roles.grantableHint')} />
      ) : null}
      <Flex justify="end" gap={8}>
        {onCancel ? <Button onClick={onCancel}>{t('common.cancel')}</Button> : null}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="role-save">
          {role ? t('common.save') : t('roles.create')}
        </Button>
      </Flex>
    </Form>
  );
}

export function RoleEditorModal({ open, onClose, role, ...rest }: {
  open: boolean;
  onClose: () => void;
  tenantId: string;
  role?: Role;
  catalogue: Permission[];
  grantable: string[];
  onSaved: (r: Role) => void;
}) {
  const { t } = useTranslation();
  return (
    <FormModal
      open={open}
      width={760}
      title={role ? t('roles.editTitle', { name: role.name }) : t('roles.createTitle')}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      styles={{ body: { maxHeight: '70vh', overflowY: 'auto', paddingRight: 4 } }}
    >
      <RoleForm key={role?.id ?? 'new'} role={role} onCancel={onClose} {...rest} />
    </FormModal>
  );
}
