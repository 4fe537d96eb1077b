// The model the bot answers with: how many entries it knows, whether it has caught up
// with the published knowledge (it is rebuilt in the background after every change),
// when it was built and how long that took. Polls while a build is due.
import { useEffect } from 'react';
import { Button, Card, Col, Row, Statistic, Tag, Tooltip, Typography } from 'antd';
import { ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { botApi, type BotModel } from '../../api/bot';
import { ErrorState } from '../../components/ErrorState';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';

const POLL_MS = 2000;

export type ModelState = 'building' | 'ready' | 'empty';

export function modelState(m: BotModel): ModelState {
  if (m.building || m.knowledge_revision > m.revision) return 'building';
  if (m.revision === 0 && m.entries === 0) return 'empty';
  return 'ready';
}

export function ModelStatus({ tenantId, refreshKey = 0 }: { tenantId: string; refreshKey?: number }) {
  const { t } = useTranslation();
  const model = useLoad(() => botApi.model(tenantId), [tenantId, refreshKey]);
  const state = model.data ? modelState(model.data) : null;

  useEffect(() => {
    if (state !== 'building') return;
    const timer = setTimeout(() => void model.reload(), POLL_MS);
    return () => clearTimeout(timer);
  }, [state, model.data]);

  const m = model.data;
  return (
    <Card
      size="small"
      title={t('bot.model.title')}
      data-testid="bot-model"
      data-status={state ?? 'loading'}
      extra={
        <Tooltip title={t('common.refresh')}>
          <Button size="small" type="text" icon={<ReloadOutlined />} aria-label={t('common.refresh')} loading={model.loading && !!m} onClick={() => void model.reload()} data-testid="bot-model-refresh" />
        </Tooltip>
      }
    >
      {model.error && !m ? (
        <ErrorState error={model.error} onRetry={() => void model.reload()} />
      ) : !m ? (
        <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
      ) : (
        <>
          <div style={{ marginBottom: 12 }}>
            {state === 'building' ? (
              <Tag icon={<SyncOutlined spin />} color="processing" data-testid="bot-model-state">
                {t('bot.model.building')}
              </Tag>
            ) : state === 'empty' ? (
              <Tag data-testid="bot-model-state">{t('bot.model.empty')}</Tag>
            ) : (
              <Tag color="success" data-testid="bot-model-state">
                {t('bot.model.ready')}
              </Tag>
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {state === 'building' ? t('bot.model.buildingHint') : state === 'empty' ? t('bot.model.emptyHint') : t('bot.model.readyHint')}
            </Typography.Text>
          </div>
          <Row gutter={[16, 12]}>
            <Col xs={12} md={6}>
              <Statistic title={t('bot.model.entries')} value={m.entries} valueRender={(n) => <span data-testid="bot-model-entries">{n}</span>} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic
                title={t('bot.model.revision')}
                value={m.revision}
                valueRender={() => (
                  <Tooltip title={t('bot.model.revisionHint')}>
                    <span data-testid="bot-model-revision">
                      {m.revision}
                      <Typography.Text type="secondary" style={{ fontSize: 14 }}>
                        {' '}
                        / {m.knowledge_revision}
                      </Typography.Text>
                    </span>
                  </Tooltip>
                )}
              />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('bot.model.builtAt')} value={formatDateTime(m.built_at)} valueStyle={{ fontSize: 16 }} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic
                title={t('bot.model.buildTime')}
                value={m.built_at ? t('bot.model.buildStats', { ms: m.build_ms, kb: (m.bytes / 1024).toFixed(1) }) : '—'}
                valueStyle={{ fontSize: 16 }}
              />
            </Col>
          </Row>
        </>
      )}
    </Card>
  );
}
