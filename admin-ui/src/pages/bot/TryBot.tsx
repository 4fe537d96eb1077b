// "Try the bot": ask a question as a customer would and see what the bot decides
// (answer, suggest, fall back or hand over), how sure it is, what it would reply, and
// the entries it matched with their scores. Nothing is sent or logged.
import { useState, type HTMLAttributes } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Flex, Form, Input, Progress, Select, Table, Tag, Typography } from 'antd';
import { RobotOutlined, SendOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { botApi, entryPath, type BotDecision, type BotMatch } from '../../api/bot';
import { FormError } from '../../components/FormError';
import { hasCode } from '../../lib/errors';
import { runeLength } from '../../lib/rules';
import { useServerErrors } from '../../lib/useServerErrors';
import { CHANNEL_KINDS } from '../kb/parts';
import { DECISION_COLORS, decisionLabel, percent, reasonLabel } from './labels';

const MAX_QUESTION = 1000;

/** The entries the bot considered, best first, each linked to its editor. */
export function MatchTable({ tenantId, matches, testId }: { tenantId: string; matches: BotMatch[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <Table<BotMatch>
      rowKey="entry_id"
      size="small"
      pagination={false}
      dataSource={matches}
      data-testid={testId}
      onRow={(_, i) => ({ 'data-testid': `${testId}-${i}` }) as HTMLAttributes<HTMLElement>}
      locale={{ emptyText: t('bot.try.noMatches') }}
      columns={[
        {
          title: t('bot.try.entry'),
          key: 'q',
          render: (_, m) => {
            const to = entryPath(tenantId, m.entry_id);
            return (
              <Flex gap={6} align="center">
                <Tag style={{ marginInlineEnd: 0 }}>{m.kind === 'article' ? t('kb.article') : t('kb.faq')}</Tag>
                {to ? <Link to={to}>{m.question}</Link> : m.question}
              </Flex>
            );
          },
        },
        {
          title: t('bot.try.score'),
          key: 'score',
          width: 180,
          render: (_, m) => (
            <Flex gap={8} align="center">
              <Progress percent={Math.round(m.score * 100)} size="small" showInfo={false} style={{ width: 100, margin: 0 }} />
              <span data-testid="match-score">{percent(m.score)}</span>
            </Flex>
          ),
        },
      ]}
    />
  );
}

function Result({ tenantId, d }: { tenantId: string; d: BotDecision }) {
  const { t } = useTranslation();
  return (
    <div data-testid="bot-try-result" data-decision={d.decision}>
      <Descriptions
        column={1}
        size="small"
        bordered
        items={[
          {
            key: 'decision',
            label: t('bot.try.decision'),
            children: (
              <Flex gap={8} align="center" wrap>
                <Tag color={DECISION_COLORS[d.decision]} data-testid="bot-try-decision" data-decision={d.decision} style={{ marginInlineEnd: 0 }}>
                  {decisionLabel(t, d.decision)}
                </Tag>
                {d.reason ? <Typography.Text type="secondary" data-testid="bot-try-reason">{reasonLabel(t, d.reason)}</Typography.Text> : null}
                {d.generated ? <Tag color="purple">{t('bot.try.generated')}</Tag> : null}
              </Flex>
            ),
          },
          {
            key: 'confidence',
            label: t('bot.try.confidence'),
            children: (
              <Flex gap={8} align="center">
                <Progress percent={Math.round(d.confidence * 100)} size="small" showInfo={false} style={{ width: 160, margin: 0 }} />
                <span data-testid="bot-try-confidence">{percent(d.confidence)}</span>
              </Flex>
            ),
          },
          {
            key: 'reply',
            label: t('bot.try.reply'),
            children: d.reply ? (
              <div className="kefu-bot-reply" data-testid="bot-try-reply">
                {d.reply}
              </div>
            ) : (
              <Typography.Text type="secondary" data-testid="bot-try-reply">
                {t('bot.try.noReply')}
              </Typography.Text>
            ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('bot.try.matches')}
      </Typography.Title>
      <MatchTable tenantId={tenantId} matches={d.matches ?? []} testId="bot-try-match" />
    </div>
  );
}

export function TryBot({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ text: string; channel_kind: string }>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BotDecision | null>(null);
  const errors = useServerErrors(form, { fields: { text: 'text', channel_kind: 'channel_kind' } });

  async function ask(v: { text: string; channel_kind: string }) {
    setBusy(true);
    errors.clear();
    try {
      setResult(await botApi.tryBot(tenantId, { text: v.text.trim(), ...(v.channel_kind ? { channel_kind: v.channel_kind } : {}) }));
    } catch (err) {
      setResult(null);
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small" title={t('bot.try.title')} data-testid="bot-try">
      <Typography.Paragraph type="secondary">{t('bot.try.hint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ text: '', channel_kind: '' }} onFinish={(v) => void ask(v)}>
        <Flex gap={8} align="start" wrap>
          <Form.Item
            name="text"
            style={{ flex: 1, minWidth: 240 }}
            label={<span className="sr-only">{t('bot.try.question')}</span>}
            rules={[
              { required: true, whitespace: true, message: t('bot.try.questionRequired') },
              { validator: (_r, v: string | undefined) => (!v || runeLength(v.trim()) <= MAX_QUESTION ? Promise.resolve() : Promise.reject(new Error(t('validation.maxLength', { count: MAX_QUESTION })))) },
            ]}
          >
            <Input placeholder={t('bot.try.placeholder')} aria-label={t('bot.try.question')} data-testid="bot-try-input" prefix={<RobotOutlined />} autoComplete="off" />
          </Form.Item>
          <Form.Item name="channel_kind" label={<span className="sr-only">{t('bot.try.channelKind')}</span>} style={{ width: 160 }}>
            <Select
              aria-label={t('bot.try.channelKind')}
              data-testid="bot-try-kind"
              options={[{ value: '', label: t('bot.try.anyChannel') }, ...CHANNEL_KINDS.map((k) => ({ value: k, label: t(`kb.kinds.${k}`) }))]}
            />
          </Form.Item>
          <Form.Item label={<span className="sr-only">{t('bot.try.ask')}</span>}>
            <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={busy} data-testid="bot-try-ask">
              {t('bot.try.ask')}
            </Button>
          </Form.Item>
        </Flex>
      </Form>
      {hasCode(errors.formError, 'bot.no-model') ? (
        <Alert type="info" showIcon message={t('bot.try.noModel')} data-testid="bot-try-no-model" />
      ) : (
        <FormError error={errors.formError} testId="bot-try-error" />
      )}
      {result ? <Result tenantId={tenantId} d={result} /> : !errors.formError ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('bot.try.empty')} /> : null}
    </Card>
  );
}
