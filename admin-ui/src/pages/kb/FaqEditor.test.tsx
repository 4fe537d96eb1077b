import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FaqEditor } from './FaqEditor';
import type { KbFaq } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { findFieldError, formItem, json, mockApi, problem, renderApp } from '../../test/utils';

const FAQ: KbFaq = {
  id: 'f1',
  status: 'published',
  category_id: null,
  tags: ['returns'],
  locale: 'zh-CN',
  expires_at: null,
  stale: false,
  version: 3,
  live_version: 3,
  pending_changes: false,
  published_at: '2026-05-01T10:00:00Z',
  created_by: null,
  updated_by: null,
  created_at: '2026-05-01T09:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
  helpful: 0,
  not_helpful: 0,
  question: 'How do I return an item?',
  similar_questions: ['Can I send it back?', 'Return policy', 'Refund for a product'],
  answer: 'Within 30 days, from your orders page.',
  channel_answers: { sms: 'Reply RETURN to start.' },
  live: null,
};

// antd forms in jsdom are slow and this one is large: plain events keep the tests quick.
const user = {
  click: async (el: HTMLElement) => {
    fireEvent.click(el);
  },
};
const change = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

function renderEditor(faq?: KbFaq) {
  const onSaved = vi.fn();
  renderApp(<FaqEditor tenantId="t1" faq={faq} categories={[]} defaultLocale="zh-CN" onSaved={onSaved} />);
  return { onSaved, user };
}

// A large antd form in jsdom: slow on a busy machine, so more time than the default.
describe('FAQ editor', { timeout: 60_000 }, () => {
  it('requires the question and the answer', async () => {
    const api = mockApi({});
    const { user } = renderEditor();
    await user.click(await screen.findByTestId('faq-save'));
    await findFieldError('faq-question', zh.kb.validation.questionRequired);
    await findFieldError('faq-answer', zh.kb.validation.answerRequired);

    expect(api.calls).toEqual([]);
  });

  it('refuses blank, repeated or question-like similar questions', async () => {
    const api = mockApi({});
    const { user } = renderEditor();
    change(await screen.findByTestId('faq-question'), 'Where is my order?');
    change(screen.getByTestId('faq-answer'), 'Look it up under Orders.');
    // Four similar questions: blank, the question itself, one fine, and a repeat.
    await user.click(screen.getByTestId('faq-similar-add'));
    await user.click(screen.getByTestId('faq-similar-add'));
    await user.click(screen.getByTestId('faq-similar-add'));
    await user.click(screen.getByTestId('faq-similar-add'));
    change(screen.getByTestId('faq-similar-1'), 'Where  is my order?');
    change(screen.getByTestId('faq-similar-2'), 'Track my parcel');
    change(screen.getByTestId('faq-similar-3'), 'Track my parcel');
    await user.click(screen.getByTestId('faq-save'));
    await findFieldError('faq-similar-0', zh.kb.validation.similarEmpty);
    await findFieldError('faq-similar-1', zh.kb.validation.similarIsQuestion);
    await findFieldError('faq-similar-3', zh.kb.validation.similarDuplicate);
    expect(within(formItem('faq-similar-2')).queryByRole('alert')).toBeNull();
    expect(api.calls).toEqual([]);
  });

  it('needs a valid channel kind for a per-channel answer', async () => {
    const api = mockApi({});
    const { user } = renderEditor(FAQ);
    await screen.findByTestId('faq-variant-kind-0');
    // A per-channel answer needs a valid channel kind.
    await user.click(screen.getByTestId('faq-variant-add'));
    change(screen.getByTestId('faq-variant-kind-1'), 'SMS!');
    change(screen.getByTestId('faq-variant-answer-1'), 'Text us.');
    await user.click(screen.getByTestId('faq-save'));
    await findFieldError('faq-variant-kind-1', zh.kb.validation.kind);
    change(screen.getByTestId('faq-variant-kind-1'), 'sms');
    await user.click(screen.getByTestId('faq-save'));
    await findFieldError('faq-variant-kind-1', zh.kb.validation.kindDuplicate);
    expect(api.calls).toEqual([]);
  });

  it('edits the similar-question list and saves the working copy with the version it started from', async () => {
    const api = mockApi({
      'PATCH /api/v1/tenants/t1/kb/faqs/f1': (c) => json(200, { ...FAQ, ...(c.body as object), status: 'draft', version: 4, pending_changes: true }),
    });
    const { user, onSaved } = renderEditor(FAQ);
    expect(await screen.findByTestId('faq-similar-2')).toHaveValue('Refund for a product');
    // Remove the second, change the first, add a new one.
    await user.click(screen.getByTestId('faq-similar-remove-1'));
    expect(screen.getByTestId('faq-similar-1')).toHaveValue('Refund for a product');
    expect(screen.queryByTestId('faq-similar-2')).toBeNull();
    change(screen.getByTestId('faq-similar-0'), 'Can I send   it back?');
    await user.click(screen.getByTestId('faq-similar-add'));
    change(screen.getByTestId('faq-similar-2'), 'I want my money back');
    await user.click(screen.getByTestId('faq-save'));

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const patch = api.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({
      question: 'How do I return an item?',
      similar_questions: ['Can I send it back?', 'Refund for a product', 'I want my money back'],
      answer: 'Within 30 days, from your orders page.',
      channel_answers: { sms: 'Reply RETURN to start.' },
      tags: ['returns'],
      locale: 'zh-CN',
      category_id: null,
      version: 3,
    });
    expect(onSaved.mock.calls[0]![0]).toMatchObject({ id: 'f1', version: 4 });
    expect(onSaved.mock.calls[0]![1]).toBe(false);
  });

  it('puts the server’s error under the similar question it names, and says when someone else changed the entry', async () => {
    mockApi({
      'PATCH /api/v1/tenants/t1/kb/faqs/f1': [
        () => problem(400, 'request.invalid', { field: 'similar_questions[1]', detail: 'similar_questions[1] contains a control character (U+0007).' }),
        () => problem(409, 'kb.edit-conflict', { field: 'version' }),
      ],
    });
    const { user } = renderEditor(FAQ);
    await user.click(await screen.findByTestId('faq-save'));
    await findFieldError('faq-similar-1', 'similar_questions[1] contains a control character (U+0007).');
    await user.click(screen.getByTestId('faq-save'));
    expect(await screen.findByTestId('faq-conflict')).toHaveTextContent(zh.kb.editor.conflict);
    expect(screen.queryByTestId('faq-error')).toBeNull();
    expect(zhErrors['kb.edit-conflict']).toBeTruthy();
  });

  it('creates a draft with the tenant’s language by default', async () => {
    const api = mockApi({
      'POST /api/v1/tenants/t1/kb/faqs': (c) => json(201, { ...FAQ, ...(c.body as object), id: 'f2', status: 'draft', version: 1, live_version: null, published_at: null }),
    });
    const { user, onSaved } = renderEditor();
    change(await screen.findByTestId('faq-question'), '  How   long is delivery? ');
    change(screen.getByTestId('faq-answer'), 'Two days.\n');
    await user.click(screen.getByTestId('faq-save'));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.calls.find((c) => c.method === 'POST')!.body).toEqual({
      question: 'How long is delivery?',
      similar_questions: [],
      answer: 'Two days.',
      channel_answers: {},
      tags: [],
      locale: 'zh-CN',
      category_id: null,
    });
    expect(onSaved.mock.calls[0]![1]).toBe(true);
  });
});
