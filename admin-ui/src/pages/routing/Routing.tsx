// Routing (routing:manage): the tenant's teams (skill groups) and the rules that send a
// conversation waiting for a person to one of them. The tab is in the URL (?tab=).
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { routingApi } from '../../api/routing';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { RoutingRules } from './RoutingRules';
import { Teams } from './Teams';

type Tab = 'teams' | 'rules';

export default function Routing() {
  const { t } = useTranslation();
  const { tenantId } = useTenant();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'rules' ? 'rules' : 'teams';
  const teams = useLoad(() => routingApi.teams(tenantId).then((r) => r.items), [tenantId]);

  return (
    <>
      <PageHeader title={t('nav.routing')} subtitle={t('routing.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'teams' ? {} : { tab: k }, { replace: true })}
        items={[
          {
            key: 'teams',
            label: <span data-testid="routing-tab-teams">{t('routing.tabs.teams')}</span>,
            children: tab === 'teams' ? <Teams tenantId={tenantId} teams={teams} /> : null,
          },
          {
            key: 'rules',
            label: <span data-testid="routing-tab-rules">{t('routing.tabs.rules')}</span>,
            children: tab === 'rules' ? <RoutingRules tenantId={tenantId} teams={teams} /> : null,
          },
        ]}
      />
    </>
  );
}
