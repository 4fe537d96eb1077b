// An entry's versions: who changed what when (with reviewers' notes), the difference
// between any two versions, and restoring an old version as a new draft.
import { useEffect, useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Flex, Popconfirm, Select, Spin, Table, Tag, Typography } from 'antd';
import { DiffOutlined, RollbackOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { kbApi, type KbEntryOf, type KbKind } from '../../api/endpoints';
import type { KbDiff, KbDiffChange, KbVersion } from '../../api/types';
import { ErrorState } from '../../components/ErrorState';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { KB_STATUS_COLORS, statusLabel } from './parts';

const ACTION_COLORS: Record<KbVersion['action'], string> = {
  created: 'blue',
  edited: 'default',
  submitted: 'processing',
  published: 'success',
  rejected: 'warning',
  archived: 'default',
  rolled_back: 'purple',
};

function showValue(t: TFunction, v: unknown): string {
  if (v === null || v === undefined || v === '') return t('kb.history.none');
  if (Array.isArray(v)) return v.length ? v.join(' · ') : t('kb.history.none');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function fieldLabel(t: TFunction, field: string): string {
  const variant = /^channel_answers\.(.+)$/.exec(field);
  if (variant) return t('kb.history.variantField', { kind: variant[1] });
  return t(`kb.history.fields.${field}`, { defaultValue: field });
}

/** What changed between two versions, field by field; text fields as a line diff. */
export function DiffView({ diff }: { diff: KbDiff }) {
  const { t } = useTranslation();
  if (!diff.changes.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.history.noChanges')} data-testid="kb-diff-empty" />;
  return (
    <div data-testid="kb-diff" data-from={diff.from} data-to={diff.to}>
      {diff.changes.map((c: KbDiffChange) => (
        <div key={c.field} className="kefu-diff-field" data-testid={`kb-diff-field-${c.field}`}>
          <Typography.Text strong>{fieldLabel(t, c.field)}</Typography.Text>
          {c.lines.length ? (
            <pre className="kefu-diff">
              {c.lines.map((l, i) => (
                <div key={i} className={`kefu-diff-${l.op}`} data-op={l.op}>
                  <span aria-hidden="true">{l.op === 'insert' ? '+ ' : l.op === 'delete' ? '- ' : '  '}</span>
                  <span className="sr-only">{l.op === 'insert' ? t('kb.history.added') : l.op === 'delete' ? t('kb.history.removed') : ''}</span>
                  {l.text}
                </div>
              ))}
            </pre>
          ) : (
            <div className="kefu-diff-values">
              <span className="kefu-diff-delete">{c.field === 'status' ? statusLabel(t, c.from as KbVersion['status']) : showValue(t, c.from)}</span>
              <span aria-hidden="true"> → </span>
              <span className="sr-only">{t('kb.history.changedTo')}</span>
              <span className="kefu-diff-insert">{c.field === 'status' ? statusLabel(t, c.to as KbVersion['status']) : showValue(t, c.to)}</span>
            </div>
          )}
        </div>
      ))}
    </div>
  );
}

export function History<K extends KbKind>({
  tenantId,
  kind,
  entry,
  canEdit,
  onRestored,
}: {
  tenantId: string;
  kind: K;
  entry: KbEntryOf<K>;
  canEdit: boolean;
  onRestored: (e: KbEntryOf<K>) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [versions, setVersions] = useState<KbVersion[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  const [diff, setDiff] = useState<KbDiff | null>(null);
  const [diffBusy, setDiffBusy] = useState(false);
  const [busy, setBusy] = useState<number | null>(null);

  async function compare(a: number, b: number) {
    setFrom(a);
    setTo(b);
    setDiffBusy(true);
    try {
      setDiff(await kbApi.diff(tenantId, kind, entry.id, a, b));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setDiffBusy(false);
    }
  }

  async function load(cursor?: string) {
    try {
      const page = await kbApi.versions(tenantId, kind, entry.id, { cursor, limit: 50 });
      setVersions((list) => (cursor ? [...(list ?? []), ...page.items] : page.items));
      setNext(page.next_cursor);
      setError(null);
      if (!cursor && page.items.length >= 2) void compare(page.items[1]!.version, page.items[0]!.version);
    } catch (err) {
      setError(err);
    }
  }

  useEffect(() => {
    setDiff(null);
    void load();
    // A new version (a save, a step of the workflow) reloads the list.
  }, [tenantId, kind, entry.id, entry.version]);

  async function restore(v: number) {
    setBusy(v);
    try {
      const e = await kbApi.rollback(tenantId, kind, entry.id, v);
      message.success(t('kb.history.restored', { version: v }));
      onRestored(e);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  if (error) return <ErrorState error={error} onRetry={() => void load()} />;
  if (!versions) return <Spin />;
  const options = versions.map((v) => ({ value: v.version, label: t('kb.history.versionN', { version: v.version }) }));

  return (
    <Flex vertical gap={16} data-testid="kb-history">
      <Table<KbVersion>
        rowKey="version"
        size="small"
        pagination={false}
        dataSource={versions}
        data-testid="kb-versions"
        onRow={(v) => ({ 'data-testid': `kb-version-row-${v.version}` }) as HTMLAttributes<HTMLElement>}
        scroll={{ x: 720 }}
        columns={[
          {
            title: t('kb.history.version'),
            key: 'version',
            width: 110,
            render: (_, v) => (
              <Flex gap={4} align="center">
                <Typography.Text strong>v{v.version}</Typography.Text>
                {v.version === entry.live_version ? <Tag color="green">{t('kb.history.live')}</Tag> : null}
              </Flex>
            ),
          },
          { title: t('kb.history.action'), key: 'action', width: 120, render: (_, v) => <Tag color={ACTION_COLORS[v.action]}>{t(`kb.history.actions.${v.action}`)}</Tag> },
          { title: t('kb.history.status'), key: 'status', width: 110, render: (_, v) => <Tag color={KB_STATUS_COLORS[v.status]}>{statusLabel(t, v.status)}</Tag> },
          {
            title: t('kb.history.note'),
            key: 'note',
            render: (_, v) =>
              v.action === 'rolled_back' && /^\d+$/.test(v.note) ? t('kb.history.restoredFrom', { version: v.note }) : v.note ? <Typography.Text>{v.note}</Typography.Text> : null,
          },
          { title: t('kb.history.when'), key: 'when', width: 160, render: (_, v) => formatDateTime(v.created_at) },
          {
            title: <span className="sr-only">{t('common.actions')}</span>,
            key: 'actions',
            width: 200,
            align: 'right',
            render: (_, v) => (
              <Flex gap={4} justify="end">
                {v.version > 1 ? (
                  <Button type="link" size="small" icon={<DiffOutlined />} onClick={() => void compare(v.version - 1, v.version)} data-testid={`kb-version-diff-${v.version}`}>
                    {t('kb.history.changes')}
                  </Button>
                ) : null}
                {canEdit && v.version !== entry.version ? (
                  <Popconfirm
                    title={t('kb.history.restoreTitle', { version: v.version })}
                    description={t('kb.history.restoreBody')}
                    okText={t('kb.history.restore')}
                    cancelText={t('common.cancel')}
                    okButtonProps={{ 'data-testid': 'confirm-ok' }}
                    onConfirm={() => restore(v.version)}
                  >
                    <Button type="link" size="small" icon={<RollbackOutlined />} loading={busy === v.version} data-testid={`kb-version-restore-${v.version}`}>
                      {t('kb.history.restore')}
                    </Button>
                  </Popconfirm>
                ) : null}
              </Flex>
            ),
          },
        ]}
      />
      {next ? (
        <Button onClick={() => void load(next)} data-testid="kb-versions-more">
          {t('common.loadMore')}
        </Button>
      ) : null}
      <Card size="small" title={t('kb.history.compare')}>
        {versions.length < 2 ? (
          <Typography.Text type="secondary">{t('kb.history.onlyOne')}</Typography.Text>
        ) : (
          <>
            <Flex gap={8} align="center" wrap style={{ marginBottom: 12 }}>
              <Select style={{ width: 140 }} value={from} onChange={setFrom} options={options} aria-label={t('kb.history.from')} data-testid="kb-diff-from" />
              <span aria-hidden="true">→</span>
              <Select style={{ width: 140 }} value={to} onChange={setTo} options={options} aria-label={t('kb.history.to')} data-testid="kb-diff-to" />
              <Button onClick={() => from && to && void compare(from, to)} disabled={!from || !to || from === to} loading={diffBusy} data-testid="kb-diff-run">
                {t('kb.history.compareRun')}
              </Button>
            </Flex>
            {diff ? <DiffView diff={diff} /> : diffBusy ? <Spin /> : null}
          </>
        )}
      </Card>
    </Flex>
  );
}
