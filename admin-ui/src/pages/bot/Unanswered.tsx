// Questions the bot could not answer, grouped by likeness and biggest group first, to
// turn into knowledge: "Create FAQ" (a draft with the group's wordings as similar
// questions), "Add to FAQ" (the wordings become similar questions of an existing FAQ)
// or "Dismiss". Two clicks take a group to a draft; drafts are published from the
// knowledge base as usual.
import { useMemo, useRef, useState } from 'react';
import { Alert, App, Badge, Button, Card, Empty, Flex, Form, Input, List, Popconfirm, Select, Spin, Tag, Typography } from 'antd';
import { CheckCircleOutlined, DeleteOutlined, FileAddOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { botApi, faqIdOf, type ResolveRequest, type UnansweredGroup } from '../../api/bot';
import { kbApi } from '../../api/endpoints';
import type { KbFaqSummary, KbLocale } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { FormError } from '../../components/FormError';
import { FormModal } from '../../components/FormModal';
import { errorMessage } from '../../lib/errors';
import { formatRelative } from '../../lib/format';
import { runeLength } from '../../lib/rules';
import { useLoad } from '../../lib/useLoad';
import { useServerErrors } from '../../lib/useServerErrors';
import { KB_LOCALES, MAX_ANSWER_BYTES, MAX_QUESTION, utf8Length } from '../kb/parts';
import { percent } from './labels';

interface CreateValues {
  question: string;
  similar: string[];
  answer: string;
  locale: KbLocale;
}

interface AddValues {
  faq_id: string;
  similar: string[];
}

const norm = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean).join(' ');

/** "Create FAQ": the group's most frequent wording as the question, the others as similar questions. */
function CreateFaqForm({
  tenantId,
  group,
  defaultLocale,
  onDone,
  onCancel,
}: {
  tenantId: string;
  group: UnansweredGroup;
  defaultLocale: string;
  onDone: (faqId: string, question: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CreateValues>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, { fields: { question: 'question', answer: 'answer', similar: 'similar', locale: 'locale', similar_questions: 'similar' } });
  const initial: CreateValues = {
    question: group.question,
    similar: group.questions.filter((q) => q !== group.question),
    answer: '',
    locale: defaultLocale === 'en' ? 'en' : 'zh-CN',
  };

  async function save(v: CreateValues) {
    setBusy(true);
    try {
      const body: ResolveRequest = {
        turn_ids: group.turn_ids,
        action: 'create_faq',
        question: norm(v.question),
        similar: (v.similar ?? []).map(norm).filter(Boolean),
        answer: v.answer.trim(),
        locale: v.locale,
      };
      const r = await botApi.resolve(tenantId, body);
      onDone(r.faq_id, body.question!);
    } catch (err) {
      errors.handle(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form form={form} layout="vertical" requiredMark={false} initialValues={initial} onFinish={(v) => void save(v)} onValuesChange={errors.clear} data-testid="bot-create-form">
      <FormError error={errors.formError} testId="bot-create-error" />
      <Form.Item
        name="question"
        label={t('kb.fields.question')}
        rules={[
          { required: true, whitespace: true, message: t('kb.validation.questionRequired') },
          { validator: (_r, v: string | undefined) => (!v || runeLength(norm(v)) <= MAX_QUESTION ? Promise.resolve() : Promise.reject(new Error(t('validation.maxLength', { count: MAX_QUESTION })))) },
        ]}
      >
        <Input data-testid="bot-create-question" autoComplete="off" />
      </Form.Item>
      <Form.List name="similar">
        {(fields, { add, remove }) => (
          <div style={{ marginBottom: 16 }}>
            <Typography.Text strong>{t('kb.fields.similar')}</Typography.Text>
            {fields.map((f, i) => (
              <Flex key={f.key} gap={8} style={{ marginTop: 8 }}>
                <Form.Item name={f.name} style={{ flex: 1, marginBottom: 0 }} rules={[{ required: true, whitespace: true, message: t('kb.validation.similarEmpty') }]}>
                  <Input data-testid={`bot-create-similar-${i}`} aria-label={t('kb.fields.similarN', { n: i + 1 })} />
                </Form.Item>
                <Button icon={<DeleteOutlined />} aria-label={t('kb.fields.similarRemove', { n: i + 1 })} onClick={() => remove(f.name)} data-testid={`bot-create-similar-remove-${i}`} />
              </Flex>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')} style={{ marginTop: 8 }} data-testid="bot-create-similar-add">
              {t('kb.fields.similarAdd')}
            </Button>
          </div>
        )}
      </Form.List>
      <Form.Item
        name="answer"
        label={t('kb.fields.answer')}
        extra={t('bot.unanswered.answerHint')}
        rules={[
          { required: true, whitespace: true, message: t('kb.validation.answerRequired') },
          { validator: (_r, v: string | undefined) => (!v || utf8Length(v.trim()) <= MAX_ANSWER_BYTES ? Promise.resolve() : Promise.reject(new Error(t('kb.validation.answerTooLong', { kb: 20 })))) },
        ]}
      >
        <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} data-testid="bot-create-answer" />
      </Form.Item>
      <Form.Item name="locale" label={t('kb.fields.locale')}>
        <Select
          data-testid="bot-create-locale"
          aria-label={t('kb.fields.locale')}
          options={KB_LOCALES.map((l) => ({ value: l, label: <span data-testid={`bot-create-locale-option-${l}`}>{t(`lang.${l}`)}</span> }))}
        />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel} data-testid="bot-create-cancel">
          {t('common.cancel')}
        </Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="bot-create-submit">
          {t('bot.unanswered.createDraft')}
        </Button>
      </Flex>
    </Form>
  );
}

/** "Add to FAQ": pick an FAQ (searched by /kb/faqs?q=) and the wordings to add to it. */
function AddToFaqForm({
  tenantId,
  group,
  onDone,
  onCancel,
}: {
  tenantId: string;
  group: UnansweredGroup;
  onDone: (faqId: string, question: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<AddValues>();
  const [busy, setBusy] = useState(false);
  const errors = useServerErrors(form, { fields: { faq_id: 'faq_id', similar: 'similar' }, codes: { 'kb.faq-not-found': 'faq_id' } });
  const guessId = group.guess ? faqIdOf(group.guess.entry_id) : null;
  const [found, setFound] = useState<KbFaqSummary[] | null>(null);
  const [searching, setSearching] = useState(false);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  function search(q: string) {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      const n = ++seq.current;
      setSearching(true);
      try {
        const page = await kbApi.list(tenantId, 'faqs', { q: q.trim() || undefined, limit: 20 });
        if (n === seq.current) setFound(page.items);
      } catch {
        if (n === seq.current) setFound([]);
      } finally {
        if (n === seq.current) setSearching(false);
      }
    }, 250);
  }

  const options = useMemo(() => {
    const list = (found ?? []).map((f) => ({ value: f.id, label: <span data-testid={`bot-add-faq-option-${f.question}`}>{f.question}</span>, text: f.question }));
    if (guessId && group.guess && !list.some((o) => o.value === guessId)) {
      list.unshift({ value: guessId, label: <span data-testid={`bot-add-faq-option-${group.guess.question}`}>{group.guess.question}</span>, text: group.guess.question });
    }
    return list;
  }, [found, guessId, group.guess]);

  async function save(v: AddValues) {
    setBusy(true);
    try {
      const r = await botApi.resolve(tenantId, {
        turn_ids: group.turn_ids,
        action: 'add_similar',
        faq_id: v.faq_id,
        similar: (v.similar ?? []).map(norm).filter(Boolean),
      });
      const picked = options.find((o) => o.value === v.faq_id);
      onDone(r.faq_id || v.faq_id, picked?.text ?? '');
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
      initialValues={{ faq_id: guessId ?? undefined, similar: group.questions }}
      onFinish={(v) => void save(v)}
      onValuesChange={errors.clear}
      data-testid="bot-add-form"
    >
      <FormError error={errors.formError} testId="bot-add-error" />
      <Form.Item name="faq_id" label={t('bot.unanswered.pickFaq')} extra={guessId ? t('bot.unanswered.guessPicked') : undefined} rules={[{ required: true, message: t('bot.unanswered.pickFaqRequired') }]}>
        <Select
          showSearch
          filterOption={false}
          onSearch={search}
          onOpenChange={(open) => open && found === null && search('')}
          options={options}
          notFoundContent={searching ? <Spin size="small" /> : t('bot.unanswered.noFaqs')}
          placeholder={t('bot.unanswered.searchFaq')}
          data-testid="bot-add-faq"
          aria-label={t('bot.unanswered.pickFaq')}
        />
      </Form.Item>
      <Form.Item name="similar" label={t('bot.unanswered.wordingsToAdd')} rules={[{ required: true, type: 'array', min: 1, message: t('bot.unanswered.wordingsRequired') }]}>
        <Select mode="tags" suffixIcon={null} notFoundContent={null} data-testid="bot-add-similar" aria-label={t('bot.unanswered.wordingsToAdd')} />
      </Form.Item>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel} data-testid="bot-add-cancel">
          {t('common.cancel')}
        </Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="bot-add-submit">
          {t('bot.unanswered.add')}
        </Button>
      </Flex>
    </Form>
  );
}

export function Unanswered({ tenantId, defaultLocale, canEditKb }: { tenantId: string; defaultLocale: string; canEditKb: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const groups = useLoad(() => botApi.unanswered(tenantId, 50).then((r) => r.items), [tenantId]);
  const [dialog, setDialog] = useState<{ kind: 'create' | 'add'; group: UnansweredGroup } | null>(null);
  const [done, setDone] = useState<{ faqId: string; question: string; created: boolean } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const drop = (g: UnansweredGroup) => groups.setData((list) => list?.filter((x) => x !== g));

  async function dismiss(g: UnansweredGroup) {
    setBusy(g.turn_ids[0] ?? g.question);
    try {
      await botApi.resolve(tenantId, { turn_ids: g.turn_ids, action: 'dismiss' });
      drop(g);
      message.success(t('bot.unanswered.dismissed'));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  if (groups.error) return <ErrorState error={groups.error} onRetry={() => void groups.reload()} />;
  const list = groups.data ?? [];

  return (
    <Card
      size="small"
      title={t('bot.unanswered.title')}
      data-testid="bot-unanswered"
      extra={
        <Button size="small" type="text" icon={<ReloadOutlined />} onClick={() => void groups.reload()} aria-label={t('common.refresh')} data-testid="bot-unanswered-refresh" />
      }
    >
      <Typography.Paragraph type="secondary">{t('bot.unanswered.hint')}</Typography.Paragraph>
      {done ? (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setDone(null)}
          style={{ marginBottom: 12 }}
          data-testid="bot-resolved"
          message={done.created ? t('bot.unanswered.createdDone', { question: done.question }) : t('bot.unanswered.addedDone', { question: done.question })}
          action={
            <Link to={`/t/${tenantId}/kb/faqs/${done.faqId}`} data-testid="bot-open-draft">
              {t('bot.unanswered.openDraft')}
            </Link>
          }
        />
      ) : null}
      <List<UnansweredGroup>
        loading={groups.loading}
        dataSource={list}
        locale={{ emptyText: <Empty image={<CheckCircleOutlined style={{ fontSize: 40, color: '#86efac' }} />} description={t('bot.unanswered.empty')} data-testid="bot-unanswered-empty" /> }}
        renderItem={(g) => (
          <List.Item
            key={g.turn_ids[0] ?? g.question}
            data-testid={`bot-group-${g.question}`}
            actions={[
              canEditKb ? (
                <Button key="create" type="primary" size="small" icon={<FileAddOutlined />} onClick={() => setDialog({ kind: 'create', group: g })} data-testid="bot-group-create">
                  {t('bot.unanswered.createFaq')}
                </Button>
              ) : null,
              canEditKb ? (
                <Button key="add" size="small" icon={<PlusOutlined />} onClick={() => setDialog({ kind: 'add', group: g })} data-testid="bot-group-add">
                  {t('bot.unanswered.addToFaq')}
                </Button>
              ) : null,
              canEditKb ? (
                <Popconfirm
                  key="dismiss"
                  title={t('bot.unanswered.dismissTitle')}
                  description={t('bot.unanswered.dismissBody', { count: g.count })}
                  okText={t('bot.unanswered.dismiss')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ 'data-testid': 'confirm-ok' }}
                  onConfirm={() => dismiss(g)}
                >
                  <Button size="small" type="text" loading={busy === (g.turn_ids[0] ?? g.question)} data-testid="bot-group-dismiss">
                    {t('bot.unanswered.dismiss')}
                  </Button>
                </Popconfirm>
              ) : null,
            ].filter(Boolean)}
          >
            <List.Item.Meta
              title={
                <Flex gap={8} align="center" wrap>
                  <Badge count={g.count} overflowCount={999} color="#1f6feb" data-testid="bot-group-count" title={t('bot.unanswered.times', { count: g.count })} />
                  <Typography.Text strong data-testid="bot-group-question">
                    {g.question}
                  </Typography.Text>
                </Flex>
              }
              description={
                <Flex vertical gap={4}>
                  {g.questions.length > 1 ? (
                    <Typography.Text type="secondary" data-testid="bot-group-wordings">
                      {t('bot.unanswered.alsoAsked')} {g.questions.filter((q) => q !== g.question).join(' · ')}
                    </Typography.Text>
                  ) : null}
                  <Flex gap={8} wrap align="center">
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('bot.unanswered.last', { when: formatRelative(g.last_at) })}
                    </Typography.Text>
                    {g.guess ? (
                      <Tag data-testid="bot-group-guess">{t('bot.unanswered.guess', { question: g.guess.question, score: percent(g.guess.score) })}</Tag>
                    ) : null}
                  </Flex>
                </Flex>
              }
            />
          </List.Item>
        )}
      />
      <FormModal
        open={!!dialog}
        title={dialog?.kind === 'create' ? t('bot.unanswered.createTitle') : t('bot.unanswered.addTitle')}
        onCancel={() => setDialog(null)}
        footer={null}
        width={620}
        destroyOnHidden
      >
        {dialog?.kind === 'create' ? (
          <CreateFaqForm
            tenantId={tenantId}
            group={dialog.group}
            defaultLocale={defaultLocale}
            onCancel={() => setDialog(null)}
            onDone={(faqId, question) => {
              drop(dialog.group);
              setDialog(null);
              setDone({ faqId, question, created: true });
            }}
          />
        ) : dialog?.kind === 'add' ? (
          <AddToFaqForm
            tenantId={tenantId}
            group={dialog.group}
            onCancel={() => setDialog(null)}
            onDone={(faqId, question) => {
              drop(dialog.group);
              setDialog(null);
              setDone({ faqId: faqIdOf(faqId) ?? faqId, question, created: false });
            }}
          />
        ) : null}
      </FormModal>
    </Card>
  );
}
