// What the bot made of each customer message in a conversation (GET …/bot-turns): its
// decision, how sure it was, the entries it considered and the customer's rating. An
// agent taking over after a hand-off sees what was tried.
import { Empty, Flex, Spin, Tag, Tooltip, Typography } from 'antd';
import { DislikeFilled, LikeFilled } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { botApi, entryPath } from '../../api/bot';
import { ErrorState } from '../../components/ErrorState';
import { formatDateTime } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { DECISION_COLORS, decisionLabel, percent, reasonLabel } from '../bot/labels';

export function BotTurns({ tenantId, conversationId, linkEntries }: { tenantId: string; conversationId: string; linkEntries: boolean }) {
  const { t } = useTranslation();
  const turns = useLoad(() => botApi.turns(tenantId, conversationId).then((r) => r.items), [tenantId, conversationId]);
  if (turns.error) return <ErrorState error={turns.error} onRetry={() => void turns.reload()} />;
  if (!turns.data) return <Spin size="small" />;
  if (!turns.data.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('conversation.botTurns.none')} />;
  return (
    <ol className="kefu-bot-turns" data-testid="bot-turns-list">
      {turns.data.map((turn) => (
        <li key={turn.id} data-testid="bot-turn" data-decision={turn.decision}>
          <Flex gap={6} align="center" wrap>
            <Tag color={DECISION_COLORS[turn.decision]} style={{ marginInlineEnd: 0 }}>
              {decisionLabel(t, turn.decision)}
            </Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('conversation.botTurns.confidence', { value: percent(turn.confidence) })}
              {turn.reason ? ` · ${reasonLabel(t, turn.reason)}` : ''}
            </Typography.Text>
            {turn.feedback === 1 ? (
              <Tooltip title={t('conversation.botTurns.helpful')}>
                <LikeFilled style={{ color: '#16a34a' }} aria-label={t('conversation.botTurns.helpful')} />
              </Tooltip>
            ) : turn.feedback === -1 ? (
              <Tooltip title={t('conversation.botTurns.notHelpful')}>
                <DislikeFilled style={{ color: '#dc2626' }} aria-label={t('conversation.botTurns.notHelpful')} />
              </Tooltip>
            ) : null}
            <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 'auto' }}>
              {formatDateTime(turn.created_at)}
            </Typography.Text>
          </Flex>
          <div className="kefu-bot-turn-q">{turn.question}</div>
          {turn.matches?.length ? (
            <ul className="kefu-plain-list kefu-bot-turn-matches">
              {turn.matches.map((m) => {
                const to = linkEntries ? entryPath(tenantId, m.entry_id) : null;
                return (
                  <li key={m.entry_id}>
                    <span className="kefu-bot-turn-score">{percent(m.score)}</span> {to ? <Link to={to}>{m.question}</Link> : m.question}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
