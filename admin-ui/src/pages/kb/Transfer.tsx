// Moving entries in and out of the knowledge base as files: import a CSV, XLSX or JSON
// file as drafts (all rows or, when any is invalid, none — the rejected rows are listed),
// download templates to fill in, and export every entry of a kind.
import { useRef, useState, type HTMLAttributes } from 'react';
import { Alert, App, Button, Dropdown, Flex, Form, Radio, Result, Table, Typography } from 'antd';
import { DownloadOutlined, ExportOutlined, ImportOutlined, PaperClipOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { isApiError, type ApiFieldError } from '../../api/client';
import { kbApi, type KbExportFormat, type KbFileKind, type KbTemplateFormat } from '../../api/endpoints';
import { FormError } from '../../components/FormError';
import { FormModal } from '../../components/FormModal';
import { saveBlob } from '../../lib/clipboard';
import { errorMessage } from '../../lib/errors';

const FORMATS: KbExportFormat[] = ['csv', 'xlsx', 'json'];

/** The import format from the file name's extension (undefined: not importable). */
export function importFormat(name: string): KbExportFormat | undefined {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return FORMATS.find((f) => f === ext);
}

type State = { step: 'form'; error: unknown; rows: ApiFieldError[] | null } | { step: 'done'; count: number };

/** The import dialog (kb:edit). onImported runs after a successful import. */
export function ImportModal({ tenantId, open, onClose, onImported }: { tenantId: string; open: boolean; onClose: () => void; onImported: (kind: KbFileKind, count: number) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [kind, setKind] = useState<KbFileKind>('faq');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState('');
  const [busy, setBusy] = useState(false);
  const [state, setState] = useState<State>({ step: 'form', error: null, rows: null });
  const input = useRef<HTMLInputElement>(null);

  function reset() {
    setFile(null);
    setFileError('');
    setBusy(false);
    setState({ step: 'form', error: null, rows: null });
    if (input.current) input.current.value = '';
  }

  function close() {
    onClose();
    reset();
  }

  function pick(f: File | null) {
    setFile(f);
    setState({ step: 'form', error: null, rows: null });
    setFileError(f && !importFormat(f.name) ? t('kb.transfer.fileType') : '');
  }

  async function template(format: KbTemplateFormat) {
    try {
      const got = await kbApi.importTemplate(tenantId, kind, format);
      saveBlob(got.filename, got.blob);
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  async function submit() {
    const format = file ? importFormat(file.name) : undefined;
    if (!file || !format) {
      setFileError(file ? t('kb.transfer.fileType') : t('kb.transfer.fileRequired'));
      return;
    }
    setBusy(true);
    setState({ step: 'form', error: null, rows: null });
    try {
      const res = await kbApi.importFile(tenantId, kind, format, file);
      setState({ step: 'done', count: res.count });
      onImported(kind, res.count);
    } catch (err) {
      if (isApiError(err) && err.code === 'kb.import-invalid' && err.errors.length) setState({ step: 'form', error: null, rows: err.errors });
      else setState({ step: 'form', error: err, rows: null });
    } finally {
      setBusy(false);
    }
  }

  const done = state.step === 'done';
  return (
    <FormModal
      open={open}
      title={t('kb.transfer.importTitle')}
      onCancel={close}
      width={640}
      okText={done ? t('kb.transfer.close') : t('kb.transfer.submit')}
      okButtonProps={{ loading: busy, 'data-testid': done ? 'kb-import-close' : 'kb-import-submit' }}
      cancelButtonProps={done ? { style: { display: 'none' } } : undefined}
      onOk={() => (done ? close() : void submit())}
    >
      {state.step === 'done' ? (
        <div data-testid="kb-import-done">
          <Result status="success" title={t('kb.transfer.done', { count: state.count })} subTitle={t('kb.transfer.doneHint')} />
        </div>
      ) : (
        <Form layout="vertical" requiredMark={false} data-testid="kb-import-form" onFinish={() => void submit()}>
          <FormError error={state.error} testId="kb-import-error" />
          <Typography.Paragraph type="secondary">{t('kb.transfer.importHint')}</Typography.Paragraph>
          <Form.Item label={t('kb.transfer.kind')}>
            <Radio.Group value={kind} onChange={(e) => setKind(e.target.value as KbFileKind)} data-testid="kb-import-kind">
              <Radio value="faq" data-testid="kb-import-kind-faq">
                {t('kb.faqs')}
              </Radio>
              <Radio value="article" data-testid="kb-import-kind-article">
                {t('kb.articles')}
              </Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item label={t('kb.transfer.templates')}>
            <Flex gap={8} wrap>
              <Button size="small" icon={<DownloadOutlined />} onClick={() => void template('csv')} data-testid="kb-import-template-csv">
                {t('kb.transfer.templateCsv')}
              </Button>
              <Button size="small" icon={<DownloadOutlined />} onClick={() => void template('xlsx')} data-testid="kb-import-template-xlsx">
                {t('kb.transfer.templateXlsx')}
              </Button>
            </Flex>
          </Form.Item>
          <Form.Item label={t('kb.transfer.file')} validateStatus={fileError ? 'error' : undefined} help={fileError || undefined}>
            <Flex gap={8} align="center" wrap>
              <Button icon={<PaperClipOutlined />} onClick={() => input.current?.click()} data-testid="kb-import-choose">
                {t('kb.transfer.choose')}
              </Button>
              <Typography.Text type={file ? undefined : 'secondary'} data-testid="kb-import-filename">
                {file?.name ?? t('kb.transfer.noFile')}
              </Typography.Text>
              <input
                ref={input}
                type="file"
                accept=".csv,.xlsx,.json"
                aria-label={t('kb.transfer.file')}
                style={{ display: 'none' }}
                data-testid="kb-import-file"
                onChange={(e) => pick(e.target.files?.[0] ?? null)}
              />
            </Flex>
          </Form.Item>
          {state.rows ? (
            <>
              <Alert type="error" showIcon role="alert" style={{ marginBottom: 12 }} message={t('kb.transfer.invalid', { count: state.rows.length })} data-testid="kb-import-invalid" />
              <Table<ApiFieldError & { i: number }>
                size="small"
                rowKey="i"
                data-testid="kb-import-errors"
                dataSource={state.rows.map((r, i) => ({ ...r, i }))}
                pagination={state.rows.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
                onRow={(r) => ({ 'data-testid': `kb-import-error-row-${r.i}` }) as HTMLAttributes<HTMLElement>}
                columns={[
                  { title: t('kb.transfer.row'), key: 'row', width: 70, render: (_, r) => r.row ?? '—' },
                  { title: t('kb.transfer.column'), key: 'field', width: 150, render: (_, r) => (r.field ? <Typography.Text code>{r.field}</Typography.Text> : '—') },
                  { title: t('kb.transfer.problem'), key: 'detail', render: (_, r) => r.message },
                ]}
              />
            </>
          ) : null}
        </Form>
      )}
    </FormModal>
  );
}

/** The export menu (kb:read): FAQs or articles, as CSV, XLSX or JSON. */
export function ExportMenu({ tenantId }: { tenantId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);

  async function run(kind: KbFileKind, format: KbExportFormat) {
    setBusy(true);
    try {
      const got = await kbApi.exportFile(tenantId, kind, format);
      saveBlob(got.filename, got.blob);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  }

  const group = (kind: KbFileKind, label: string) => ({
    type: 'group' as const,
    key: kind,
    label,
    children: FORMATS.map((format) => ({
      key: `${kind}:${format}`,
      label: <span data-testid={`kb-export-${kind}-${format}`}>{format.toUpperCase()}</span>,
    })),
  });

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [group('faq', t('kb.transfer.exportFaqs')), group('article', t('kb.transfer.exportArticles'))],
        onClick: ({ key }) => {
          const [kind, format] = key.split(':') as [KbFileKind, KbExportFormat];
          void run(kind, format);
        },
      }}
    >
      <Button icon={<ExportOutlined />} loading={busy} data-testid="kb-export">
        {t('kb.transfer.export')}
      </Button>
    </Dropdown>
  );
}

/** The header button that opens the import dialog. */
export function ImportButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <Button icon={<ImportOutlined />} onClick={onClick} data-testid="kb-import">
      {t('kb.transfer.import')}
    </Button>
  );
}
