// The tenant's teams: who is in each, how a team picks among its members, and where a
// conversation goes when it has waited too long. Create and edit in a dialog, delete
// with a confirmation (its waiting conversations join the general queue).
import { useMemo, useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Flex, Popconfirm, Table, Tag, Tooltip, Typography } from 'antd';
import { PlusOutlined, TeamOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { routingApi, type Team } from '../../api/routing';
import { ErrorState } from '../../components/ErrorState';
import { FormModal } from '../../components/FormModal';
import { errorMessage } from '../../lib/errors';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { strategyLabel } from './labels';
import { TeamForm } from './TeamForm';

export type Loaded<T> = ReturnType<typeof useLoad<T>>;

const testId = (id: string, extra: Record<string, string> = {}) => ({ 'data-testid': id, ...extra }) as HTMLAttributes<HTMLElement>;

function overflowText(t: TFunction, team: Team, teams: Team[]): string {
  const { overflow_after_minutes: m, overflow_team_id: to } = team.settings;
  if (!m) return t('routing.teams.overflowNever');
  return to
    ? t('routing.teams.overflowTo', { count: m, team: teams.find((x) => x.id === to)?.name ?? t('routing.teams.unknown') })
    : t('routing.teams.overflowMessage', { count: m });
}

export function Teams({ tenantId, teams }: { tenantId: string; teams: Loaded<Team[]> }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { tenant } = useTenant();
  // The tenant's members with their routing state, for the member picker.
  const agentsLoad = useLoad(() => routingApi.agents(tenantId).then((r) => r.items), [tenantId]);
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const agents = agentsLoad.data;
  const byId = useMemo(() => new Map((agents ?? []).map((a) => [a.user_id, a])), [agents]);

  async function remove(team: Team) {
    try {
      await routingApi.deleteTeam(tenantId, team.id);
      teams.setData((list) => list?.filter((x) => x.id !== team.id));
      message.success(t('routing.teams.deleted', { name: team.name }));
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  if (teams.error) return <ErrorState error={teams.error} onRetry={() => void teams.reload()} />;
  const list = teams.data ?? [];
  const createButton = (id: string) => (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid={id}>
      {t('routing.teams.create')}
    </Button>
  );

  return (
    <>
      {agentsLoad.error ? <ErrorState error={agentsLoad.error} onRetry={() => void agentsLoad.reload()} /> : null}
      <Flex justify="space-between" align="center" gap={16} wrap style={{ marginBottom: 16 }}>
        <Typography.Text type="secondary">{t('routing.teams.intro')}</Typography.Text>
        {createButton('team-create')}
      </Flex>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Team>
          rowKey="id"
          data-testid="teams-table"
          loading={teams.loading}
          dataSource={list}
          pagination={false}
          scroll={{ x: 990 }}
          onRow={(team) => testId(`team-row-${team.id}`, { 'data-name': team.name })}
          locale={{
            emptyText: teams.loading ? (
              <div style={{ height: 120 }} />
            ) : (
              <Empty image={<TeamOutlined style={{ fontSize: 48, color: '#cbd5e1' }} />} description={t('routing.teams.empty')}>
                {createButton('team-create-empty')}
              </Empty>
            ),
          }}
          columns={[
            {
              title: t('routing.teams.name'),
              key: 'name',
              render: (_, team) => <Typography.Text strong>{team.name}</Typography.Text>,
            },
            {
              title: t('routing.teams.strategy'),
              key: 'strategy',
              width: 150,
              render: (_, team) => (
                <Tooltip title={t(`routing.strategies.${team.strategy}.hint`)}>
                  <Tag>{strategyLabel(t, team.strategy)}</Tag>
                </Tooltip>
              ),
            },
            {
              title: t('routing.teams.members'),
              key: 'members',
              render: (_, team) =>
                team.members.length === 0 ? (
                  <Typography.Text type="secondary">{t('routing.teams.noMembers')}</Typography.Text>
                ) : (
                  <Flex gap={4} wrap data-testid={`team-members-${team.id}`}>
                    {team.members.map((m) => (
                      <Tooltip key={m.user_id} title={m.skills.length ? t('routing.teams.skillsOf', { skills: m.skills.join(', ') }) : undefined}>
                        <Tag style={{ marginInlineEnd: 0 }}>{byId.get(m.user_id)?.name || byId.get(m.user_id)?.email || m.user_id.slice(0, 8)}</Tag>
                      </Tooltip>
                    ))}
                  </Flex>
                ),
            },
            {
              title: t('routing.teams.hours'),
              key: 'hours',
              width: 170,
              render: (_, team) =>
                team.settings.hours ? (
                  <Tag color="blue" data-testid={`team-hours-${team.id}`} data-own="true">
                    {t('routing.teams.hoursOwn', { zone: team.settings.hours.time_zone })}
                  </Tag>
                ) : (
                  <Typography.Text type="secondary" data-testid={`team-hours-${team.id}`} data-own="false">
                    {t('routing.teams.hoursTenant')}
                  </Typography.Text>
                ),
            },
            {
              title: t('routing.teams.overflow'),
              key: 'overflow',
              width: 220,
              render: (_, team) => <Typography.Text type="secondary">{overflowText(t, team, list)}</Typography.Text>,
            },
            {
              title: <span className="sr-only">{t('common.actions')}</span>,
              key: 'actions',
              width: 160,
              align: 'right',
              render: (_, team) => (
                <Flex gap={4} justify="end">
                  <Button type="link" onClick={() => setEditing(team)} data-testid={`team-edit-${team.id}`}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm
                    title={t('routing.teams.deleteTitle', { name: team.name })}
                    description={t('routing.teams.deleteBody')}
                    okText={t('common.delete')}
                    cancelText={t('common.cancel')}
                    okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                    onConfirm={() => remove(team)}
                  >
                    <Button type="link" danger data-testid={`team-delete-${team.id}`}>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Flex>
              ),
            },
          ]}
        />
      </Card>

      <FormModal
        open={editing !== null}
        title={editing === 'new' ? t('routing.teams.createTitle') : t('routing.teams.editTitle')}
        onCancel={() => setEditing(null)}
        footer={null}
        width={680}
        destroyOnHidden
      >
        {editing !== null ? (
          <TeamForm
            tenantId={tenantId}
            team={editing === 'new' ? undefined : editing}
            teams={list}
            agents={agents ?? null}
            timeZone={tenant?.timezone}
            onCancel={() => setEditing(null)}
            onSaved={(team, created) => {
              setEditing(null);
              teams.setData((l) =>
                created ? [...(l ?? []), team].sort((a, b) => a.name.localeCompare(b.name)) : (l ?? []).map((x) => (x.id === team.id ? team : x)),
              );
              message.success(created ? t('routing.teams.created', { name: team.name }) : t('routing.teams.saved', { name: team.name }));
            }}
          />
        ) : null}
      </FormModal>
    </>
  );
}
