import { useState, type HTMLAttributes } from 'react';
import { App, Avatar, Button, Card, Empty, Flex, Popconfirm, Select, Table, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, MailOutlined, SafetyOutlined, UserAddOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { tenantApi } from '../../api/endpoints';
import type { Invitation, Member } from '../../api/types';
import { useAuth, useMe } from '../../auth/AuthContext';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/errors';
import { formatDate, formatDateTime, formatRelative } from '../../lib/format';
import { roleLabel } from '../../lib/labels';
import { useLoad } from '../../lib/useLoad';
import { roleOptions } from '../../tenant/roleOptions';
import { useTenant } from '../../tenant/TenantContext';
import { InviteModal } from './InviteModal';

const rowProps = (id: string) => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;

export default function Members() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useMe();
  const { reloadMe } = useAuth();
  const navigate = useNavigate();
  const { tenantId, role: myRole, permissions, can, reload: reloadTenant } = useTenant();
  const manage = can('members:manage');
  const members = useLoad(() => tenantApi.members(tenantId).then((r) => r.items), [tenantId]);
  const invitations = useLoad(() => tenantApi.invitations(tenantId).then((r) => r.items), [tenantId]);
  const roles = useLoad(
    () => (can('roles:read') ? tenantApi.roles(tenantId).then((r) => r.items) : Promise.resolve(undefined)),
    [tenantId],
  );
  const [inviteOpen, setInviteOpen] = useState(false);
  const [saving, setSaving] = useState<string | null>(null);
  const options = roleOptions(t, roles.data, myRole, permissions);

  async function changeRole(m: Member, role: string) {
    setSaving(m.id);
    try {
      const updated = await tenantApi.updateMember(tenantId, m.id, { role });
      members.setData((list) => list?.map((x) => (x.id === m.id ? updated : x)));
      message.success(t('members.roleChanged', { name: m.name, role: roleLabel(t, role) }));
      if (m.user_id === me.user.id) await reloadTenant();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setSaving(null);
    }
  }

  async function remove(m: Member) {
    try {
      await tenantApi.removeMember(tenantId, m.id);
      if (m.user_id === me.user.id) {
        message.success(t('members.left'));
        await reloadMe();
        navigate('/');
        return;
      }
      members.setData((list) => list?.filter((x) => x.id !== m.id));
      message.success(t('members.removed', { name: m.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  async function revoke(inv: Invitation) {
    try {
      await tenantApi.revokeInvitation(tenantId, inv.id);
      invitations.setData((list) => list?.filter((x) => x.id !== inv.id));
      message.success(t('members.invitationRevoked', { email: inv.email }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  if (members.error) return <ErrorState error={members.error} onRetry={() => void members.reload()} />;

  const inviteButton = (testId: string) =>
    manage ? (
      <Button type="primary" icon={<UserAddOutlined />} onClick={() => setInviteOpen(true)} data-testid={testId}>
        {t('members.invite')}
      </Button>
    ) : null;

  return (
    <>
      <PageHeader title={t('nav.members')} subtitle={t('members.subtitle')} extra={inviteButton('invite-open')} />
      <Card
        title={
          <Flex gap={8} align="center">
            {t('members.listTitle')}
            {members.data ? <Tag>{members.data.length}</Tag> : null}
          </Flex>
        }
        styles={{ body: { padding: 0 } }}
      >
        <Table<Member>
          rowKey="id"
          data-testid="members-table"
          loading={members.loading}
          dataSource={members.data ?? []}
          pagination={false}
          scroll={{ x: 760 }}
          onRow={(m) => rowProps(`member-row-${m.email}`)}
          locale={{
            emptyText: members.loading ? <div style={{ height: 120 }} /> : (
              <Empty description={t('members.empty')}>{inviteButton('invite-open-empty')}</Empty>
            ),
          }}
          columns={[
            {
              title: t('members.member'),
              key: 'member',
              render: (_, m) => (
                <Flex align="center" gap={12}>
                  <Avatar style={{ background: '#e8efff', color: '#1f6feb', flex: 'none' }}>
                    {[...m.name.trim()][0]?.toUpperCase() ?? '?'}
                  </Avatar>
                  <Flex vertical style={{ minWidth: 0 }}>
                    <span>
                      <Typography.Text strong>{m.name}</Typography.Text>
                      {m.user_id === me.user.id ? <Tag style={{ marginLeft: 8 }}>{t('members.you')}</Tag> : null}
                    </span>
                    <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                      {m.email}
                    </Typography.Text>
                  </Flex>
                </Flex>
              ),
            },
            {
              title: t('fields.role'),
              key: 'role',
              width: 200,
              render: (_, m) =>
                manage ? (
                  <Select
                    value={m.role}
                    style={{ width: 170 }}
                    loading={saving === m.id}
                    disabled={saving === m.id}
                    aria-label={t('members.roleOf', { name: m.name })}
                    data-testid={`member-role-${m.email}`}
                    onChange={(role) => void changeRole(m, role)}
                    options={(options.some((o) => o.value === m.role)
                      ? options
                      : [...options, { value: m.role, label: roleLabel(t, m.role), disabled: true }]
                    ).map((o) => ({
                      value: o.value,
                      disabled: o.disabled,
                      label: o.label,
                      title: 'reason' in o && o.reason ? o.reason : o.label,
                    }))}
                    optionRender={(o) => <span data-testid={`role-option-${o.value}`}>{o.label}</span>}
                  />
                ) : (
                  <Tag color="blue" data-testid={`member-role-${m.email}`}>
                    {roleLabel(t, m.role)}
                  </Tag>
                ),
            },
            {
              title: t('members.twofa'),
              key: '2fa',
              width: 120,
              render: (_, m) =>
                m.totp_enabled ? (
                  <Tag color="success" icon={<SafetyOutlined />} data-testid={`member-2fa-${m.email}`}>
                    {t('members.twofaOn')}
                  </Tag>
                ) : (
                  <Tag data-testid={`member-2fa-${m.email}`}>{t('members.twofaOff')}</Tag>
                ),
            },
            {
              title: t('members.joined'),
              key: 'joined',
              width: 140,
              render: (_, m) => <Tooltip title={formatDateTime(m.joined_at)}>{formatDate(m.joined_at)}</Tooltip>,
            },
            ...(manage
              ? [
                  {
                    title: <span className="sr-only">{t('common.actions')}</span>,
                    key: 'actions',
                    width: 90,
                    align: 'right' as const,
                    render: (_: unknown, m: Member) => (
                      <Popconfirm
                        title={m.user_id === me.user.id ? t('members.leaveTitle') : t('members.removeTitle', { name: m.name })}
                        description={m.user_id === me.user.id ? t('members.leaveBody') : t('members.removeBody')}
                        okText={t('common.remove')}
                        cancelText={t('common.cancel')}
                        okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                        onConfirm={() => remove(m)}
                      >
                        <Button
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          aria-label={t('members.removeLabel', { name: m.name })}
                          data-testid={`member-remove-${m.email}`}
                        />
                      </Popconfirm>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>

      <Card
        style={{ marginTop: 16 }}
        title={
          <Flex gap={8} align="center">
            <MailOutlined />
            {t('members.pendingTitle')}
            {invitations.data ? <Tag>{invitations.data.length}</Tag> : null}
          </Flex>
        }
        styles={{ body: { padding: invitations.error ? 24 : 0 } }}
      >
        {invitations.error ? (
          <ErrorState error={invitations.error} onRetry={() => void invitations.reload()} />
        ) : (
          <Table<Invitation>
            rowKey="id"
            data-testid="invitations-table"
            loading={invitations.loading}
            dataSource={invitations.data ?? []}
            pagination={false}
            scroll={{ x: 640 }}
            onRow={(i) => rowProps(`invitation-row-${i.email}`)}
            locale={{
              emptyText: invitations.loading ? <div style={{ height: 96 }} /> : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('members.noPending')}>
                  {inviteButton('invite-open-pending')}
                </Empty>
              ),
            }}
            columns={[
              { title: t('fields.email'), dataIndex: 'email', key: 'email' },
              { title: t('fields.role'), key: 'role', width: 160, render: (_, i) => <Tag>{roleLabel(t, i.role)}</Tag> },
              { title: t('members.invitedAt'), key: 'created', width: 160, render: (_, i) => formatDateTime(i.created_at) },
              {
                title: t('members.expires'),
                key: 'expires',
                width: 140,
                render: (_, i) => <Tooltip title={formatDateTime(i.expires_at)}>{formatRelative(i.expires_at)}</Tooltip>,
              },
              ...(manage
                ? [
                    {
                      title: <span className="sr-only">{t('common.actions')}</span>,
                      key: 'actions',
                      width: 100,
                      align: 'right' as const,
                      render: (_: unknown, i: Invitation) => (
                        <Popconfirm
                          title={t('members.revokeTitle', { email: i.email })}
                          okText={t('members.revoke')}
                          cancelText={t('common.cancel')}
                          okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                          onConfirm={() => revoke(i)}
                        >
                          <Button type="link" danger data-testid={`invitation-revoke-${i.email}`}>
                            {t('members.revoke')}
                          </Button>
                        </Popconfirm>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Card>

      {manage ? (
        <InviteModal
          open={inviteOpen}
          onClose={() => setInviteOpen(false)}
          tenantId={tenantId}
          roles={options}
          onInvited={(inv) => {
            setInviteOpen(false);
            invitations.setData((list) => [inv, ...(list ?? [])]);
          }}
        />
      ) : null}
    </>
  );
}
