// The answering bot: its settings with the model's status, "try the bot", and the
// questions it could not answer. The tab is in the URL (?tab=).
import { useState } from 'react';
import { Card, Col, Row, Skeleton, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { botApi } from '../../api/bot';
import { chatApi } from '../../api/chat';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { useLoad } from '../../lib/useLoad';
import { useTenant } from '../../tenant/TenantContext';
import { BotSettingsForm } from './BotSettingsForm';
import { ModelStatus } from './ModelStatus';
import { TryBot } from './TryBot';
import { Unanswered } from './Unanswered';

type Tab = 'settings' | 'try' | 'unanswered';

export default function Bot() {
  const { t } = useTranslation();
  const { tenantId, tenant, can } = useTenant();
  const [params, setParams] = useSearchParams();
  const raw = params.get('tab');
  const tab: Tab = raw === 'try' || raw === 'unanswered' ? raw : 'settings';
  const settings = useLoad(() => botApi.settings(tenantId), [tenantId]);
  const channels = useLoad(
    () => (can('channels:read') ? chatApi.channels(tenantId).then((r) => r.items) : Promise.resolve(null)),
    [tenantId],
  );
  const [modelKey, setModelKey] = useState(0);

  return (
    <>
      <PageHeader title={t('nav.bot')} subtitle={t('bot.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'settings' ? {} : { tab: k }, { replace: true })}
        items={[
          {
            key: 'settings',
            label: <span data-testid="bot-tab-settings">{t('bot.tabs.settings')}</span>,
            children:
              tab === 'settings' ? (
                <Row gutter={[16, 16]}>
                  <Col span={24}>
                    <ModelStatus tenantId={tenantId} refreshKey={modelKey} />
                  </Col>
                  <Col span={24}>
                    <Card style={{ maxWidth: 900 }}>
                      {settings.error ? (
                        <ErrorState error={settings.error} onRetry={() => void settings.reload()} />
                      ) : !settings.data || channels.loading ? (
                        <Skeleton active paragraph={{ rows: 10 }} />
                      ) : (
                        <BotSettingsForm
                          tenantId={tenantId}
                          settings={settings.data}
                          channels={channels.error ? null : (channels.data ?? null)}
                          onSaved={(s) => {
                            settings.setData(s);
                            setModelKey((k) => k + 1);
                          }}
                        />
                      )}
                    </Card>
                  </Col>
                </Row>
              ) : null,
          },
          {
            key: 'try',
            label: <span data-testid="bot-tab-try">{t('bot.tabs.try')}</span>,
            children:
              tab === 'try' ? (
                <Row gutter={[16, 16]}>
                  <Col span={24}>
                    <ModelStatus tenantId={tenantId} />
                  </Col>
                  <Col span={24}>
                    <TryBot tenantId={tenantId} />
                  </Col>
                </Row>
              ) : null,
          },
          {
            key: 'unanswered',
            label: <span data-testid="bot-tab-unanswered">{t('bot.tabs.unanswered')}</span>,
            children: tab === 'unanswered' ? <Unanswered tenantId={tenantId} defaultLocale={tenant?.locale ?? 'zh-CN'} canEditKb={can('kb:edit')} /> : null,
          },
        ]}
      />
    </>
  );
}
