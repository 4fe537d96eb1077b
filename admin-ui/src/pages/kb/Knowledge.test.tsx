import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Knowledge from './Knowledge';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { KbFaqSummary, KbSearchHit, PermissionName, Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import { json, mockApi, renderApp, sessionRoutes } from '../../test/utils';

const tenant: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

const FAQ: KbFaqSummary = {
  id: 'f1',
  status: 'draft',
  category_id: null,
  tags: [],
  locale: 'zh-CN',
  expires_at: null,
  stale: false,
  version: 1,
  live_version: null,
  pending_changes: false,
  published_at: null,
  created_by: null,
  updated_by: null,
  created_at: '2026-05-01T09:00:00Z',
  updated_at: '2026-05-01T09:00:00Z',
  helpful: 0,
  not_helpful: 0,
  question: 'How do I return an item?',
  similar_questions: [],
  answer: 'Within 30 days.',
  channel_answers: {},
};

/** The list routes every render of the page calls. */
function pageRoutes(faqs: () => KbFaqSummary[] = () => []) {
  return {
    ...sessionRoutes(),
    'GET /api/v1/tenants/t1/kb/categories': () => json(200, { items: [] }),
    'GET /api/v1/tenants/t1/kb/faqs': () => json(200, { items: faqs(), next_cursor: null }),
    'GET /api/v1/tenants/t1/kb/articles': () => json(200, { items: [], next_cursor: null }),
  };
}

function renderPage(route = '/t/t1/kb', perms: PermissionName[] = ['kb:read', 'kb:edit']) {
  renderApp(
    <RequireAuth>
      <TenantContext.Provider value={{ tenantId: 't1', access: { tenant, role: 'owner', permissions: perms }, loading: false, error: null, reload: async () => {} }}>
        <Knowledge />
      </TenantContext.Provider>
    </RequireAuth>,
    { route },
  );
  return userEvent.setup();
}

/** Captures files the page offers for download (blob URL + <a download>.click()). */
function captureDownloads() {
  const saved: { name: string; blob: Blob }[] = [];
  const blobs = new Map<string, Blob>();
  Object.defineProperty(URL, 'createObjectURL', {
    configurable: true,
    writable: true,
    value: (b: Blob) => {
      const url = `blob:test/${blobs.size}`;
      blobs.set(url, b);
      return url;
    },
  });
  Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, writable: true, value: () => {} });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! });
  });
  return saved;
}

function chooseFile(name: string, text = 'question,answer\nQ,A\n') {
  fireEvent.change(screen.getByTestId('kb-import-file'), { target: { files: [new File([text], name, { type: 'text/csv' })] } });
}

// antd in jsdom is slow on a busy machine: more time than the default.
describe('knowledge import, export and search', { timeout: 60_000 }, () => {
  it('imports a file as drafts: kind and format in the query, the file as multipart, then the list reloads', async () => {
    let imported = false;
    const api = mockApi({
      ...pageRoutes(() => (imported ? [FAQ] : [])),
      'POST /api/v1/tenants/t1/kb/import': () => {
        imported = true;
        return json(200, { count: 2, ids: ['f1', 'f2'] });
      },
    });
    const user = renderPage('/t/t1/kb?tab=articles');
    await user.click(await screen.findByTestId('kb-import'));
    await screen.findByTestId('kb-import-form');
    // No file yet: nothing is sent.
    await user.click(screen.getByTestId('kb-import-submit'));
    expect(await screen.findByText(zh.kb.transfer.fileRequired)).toBeInTheDocument();
    chooseFile('notes.txt');
    expect(await screen.findByText(zh.kb.transfer.fileType)).toBeInTheDocument();
    chooseFile('faqs.XLSX');
    expect(screen.getByTestId('kb-import-filename')).toHaveTextContent('faqs.XLSX');
    await user.click(screen.getByTestId('kb-import-submit'));

    expect(await screen.findByTestId('kb-import-done')).toHaveTextContent(zh.kb.transfer.done.replace('{{count}}', '2'));
    const post = api.calls.findIndex((c) => c.method === 'POST' && c.path.startsWith('/api/v1/tenants/t1/kb/import'));
    expect(api.calls[post]!.path).toBe('/api/v1/tenants/t1/kb/import?kind=faq&format=xlsx');
    expect(api.calls[post]!.headers.authorization).toBe('Bearer access-1');
    // Multipart: fetch sets the boundary itself, so no JSON Content-Type.
    expect(api.calls[post]!.headers['content-type']).toBeUndefined();
    const body = api.fetch.mock.calls[post]![1]!.body as FormData;
    expect(body).toBeInstanceOf(FormData);
    expect((body.get('file') as File).name).toBe('faqs.XLSX');
    // The FAQ tab opens with the new draft listed.
    expect(await screen.findByTestId('kb-row-How do I return an item?')).toBeInTheDocument();
    await user.click(screen.getByTestId('kb-import-close'));
    // Opened again, the dialog starts afresh.
    await user.click(screen.getByTestId('kb-import'));
    expect(await screen.findByTestId('kb-import-form')).toBeInTheDocument();
    expect(screen.getByTestId('kb-import-filename')).toHaveTextContent(zh.kb.transfer.noFile);
    expect(screen.queryByTestId('kb-import-done')).toBeNull();
  });

  it('lists the rejected rows of a refused import and says nothing was imported', async () => {
    mockApi({
      ...pageRoutes(),
      'POST /api/v1/tenants/t1/kb/import': () =>
        json(422, {
          type: 'urn:kefu:problem:kb.import-invalid',
          title: 'Unprocessable Content',
          status: 422,
          code: 'kb.import-invalid',
          detail: '2 rows are invalid; nothing was imported.',
          request_id: 'req-9',
          errors: [
            { row: 3, field: 'answer', detail: 'answer is required.' },
            { row: 7, field: 'category', detail: 'no category 售后/退款.' },
          ],
        }),
    });
    const user = renderPage();
    await user.click(await screen.findByTestId('kb-import'));
    await user.click(await screen.findByTestId('kb-import-kind-article'));
    chooseFile('articles.json', '[]');
    await user.click(screen.getByTestId('kb-import-submit'));

    expect(await screen.findByTestId('kb-import-invalid')).toHaveTextContent(zh.kb.transfer.invalid.replace('{{count}}', '2'));
    const table = screen.getByTestId('kb-import-errors');
    const first = within(table).getByTestId('kb-import-error-row-0');
    expect(first).toHaveTextContent('3');
    expect(first).toHaveTextContent('answer');
    expect(first).toHaveTextContent('answer is required.');
    expect(within(table).getByTestId('kb-import-error-row-1')).toHaveTextContent('no category 售后/退款.');
    expect(screen.queryByTestId('kb-import-done')).toBeNull();
    expect(screen.queryByTestId('kb-import-error')).toBeNull();
  });

  it('shows other import errors as a form error', async () => {
    mockApi({
      ...pageRoutes(),
      'POST /api/v1/tenants/t1/kb/import': () =>
        json(413, { type: 'urn:kefu:problem:kb.import-too-large', title: 'Payload Too Large', status: 413, code: 'kb.import-too-large', detail: 'too big', request_id: 'req-7' }),
    });
    const user = renderPage();
    await user.click(await screen.findByTestId('kb-import'));
    chooseFile('big.csv');
    await user.click(await screen.findByTestId('kb-import-submit'));
    const err = await screen.findByTestId('kb-import-error');
    expect(err).toHaveTextContent('req-7');
    expect(screen.queryByTestId('kb-import-errors')).toBeNull();
  });

  it('downloads an export and a template with the bearer token, named by the server', async () => {
    const saved = captureDownloads();
    const api = mockApi({
      ...pageRoutes(),
      'GET /api/v1/tenants/t1/kb/export': () =>
        new Response('title,body\n', { status: 200, headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Content-Disposition': 'attachment; filename="kb-articles-20260501.xlsx"' } }),
      'GET /api/v1/tenants/t1/kb/import/template': () => new Response('question,answer\n', { status: 200, headers: { 'Content-Type': 'text/csv' } }),
    });
    const user = renderPage();
    await user.click(await screen.findByTestId('kb-export'));
    await user.click(await screen.findByTestId('kb-export-article-xlsx'));
    await waitFor(() => expect(saved).toHaveLength(1));
    const exp = api.calls.find((c) => c.path.includes('/kb/export'))!;
    expect(exp.path).toBe('/api/v1/tenants/t1/kb/export?kind=article&format=xlsx');
    expect(exp.headers.authorization).toBe('Bearer access-1');
    expect(saved[0]!.name).toBe('kb-articles-20260501.xlsx');
    expect(await saved[0]!.blob.text()).toBe('title,body\n');

    await user.click(screen.getByTestId('kb-import'));
    await user.click(await screen.findByTestId('kb-import-template-csv'));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(api.calls.find((c) => c.path.includes('/kb/import/template'))!.path).toBe('/api/v1/tenants/t1/kb/import/template?kind=faq&format=csv');
    expect(saved[1]!.name).toBe('kb-faq-template.csv');
  });

  it('offers export but not import to a role that can only read', async () => {
    mockApi(pageRoutes());
    renderPage('/t/t1/kb', ['kb:read']);
    expect(await screen.findByTestId('kb-export')).toBeInTheDocument();
    expect(screen.queryByTestId('kb-import')).toBeNull();
    expect(screen.queryByTestId('kb-new-faq')).toBeNull();
  });

  it('searches the published entries and renders only <mark> from the hit HTML, linking each hit', async () => {
    const hits: KbSearchHit[] = [
      {
        id: 'h1',
        kind: 'faq',
        title: 'Refund',
        title_html: '<mark>Refund</mark> <script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> policy',
        snippet_html: 'Ask for a <mark>refund</mark> within 30 days &lt;b&gt;<b onclick="x()">bold</b><mark onclick="x()">no</mark>',
        score: 3.2,
        category_id: null,
        locale: 'en',
      },
      { id: 'h2', kind: 'article', title: 'Refunds explained', title_html: '<mark>Refunds</mark> explained', snippet_html: '', score: 1, category_id: null, locale: 'zh-CN' },
    ];
    const api = mockApi({ ...pageRoutes(), 'GET /api/v1/tenants/t1/kb/search': () => json(200, { items: hits, total: 2, revision: 7 }) });
    const user = renderPage('/t/t1/kb?tab=search');
    await user.type(await screen.findByTestId('kb-live-q'), 'refund{Enter}');

    const hit = await screen.findByTestId('kb-hit-h1');
    expect(api.calls.find((c) => c.path.includes('/kb/search'))!.path).toBe('/api/v1/tenants/t1/kb/search?q=refund&limit=20');
    const title = within(hit).getByTestId('kb-hit-title');
    expect(title.querySelector('mark')).toHaveTextContent('Refund');
    expect(title.querySelector('script, img')).toBeNull();
    expect(title.innerHTML).toBe('<mark>Refund</mark> window.__pwned = 1 policy');
    const snippet = within(hit).getByTestId('kb-hit-snippet');
    expect(snippet.querySelectorAll('mark')).toHaveLength(1);
    expect(snippet.querySelector('b')).toBeNull();
    expect(snippet).toHaveTextContent('Ask for a refund within 30 days <b>boldno');
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(within(hit).getByTestId('kb-hit-open-h1')).toHaveAttribute('href', '/t/t1/kb/faqs/h1');
    expect(screen.getByTestId('kb-hit-open-h2')).toHaveAttribute('href', '/t/t1/kb/articles/h2');
    expect(screen.getByTestId('kb-live-total')).toHaveTextContent(zh.kb.search.total.replace('{{count}}', '2'));
  });
});
