import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Unanswered } from './Unanswered';
import type { UnansweredGroup } from '../../api/bot';
import zh from '../../i18n/locales/zh-CN';
import { fill, findFieldError, json, mockApi, renderApp } from '../../test/utils';

const GROUPS: UnansweredGroup[] = [
  {
    question: 'do you ship to Mars',
    questions: ['do you ship to Mars', 'delivery to mars?', 'ship to mars please'],
    count: 5,
    turn_ids: ['t-1', 't-2', 't-3', 't-4', 't-5'],
    last_at: '2026-05-01T10:00:00Z',
    guess: { entry_id: 'faq:f-ship', kind: 'faq', question: 'Where do you ship?', score: 0.34 },
  },
  {
    question: 'can I pay in cash',
    questions: ['can I pay in cash'],
    count: 2,
    turn_ids: ['t-6', 't-7'],
    last_at: '2026-05-01T09:00:00Z',
    guess: null,
  },
];

const FAQ_SUMMARY = {
  id: 'f-pay',
  status: 'published',
  category_id: null,
  tags: [],
  locale: 'en',
  expires_at: null,
  stale: false,
  version: 1,
  live_version: 1,
  pending_changes: false,
  published_at: null,
  created_by: null,
  updated_by: null,
  created_at: '2026-05-01T09:00:00Z',
  updated_at: '2026-05-01T09:00:00Z',
  question: 'Which payment methods do you take?',
  similar_questions: [],
  answer: 'Cards and Alipay.',
  channel_answers: {},
};

function renderView() {
  renderApp(<Unanswered tenantId="t1" defaultLocale="en" canEditKb />);
  return userEvent.setup();
}

// A large antd form in jsdom: slow on a busy machine, so more time than the default.
describe('unanswered questions', { timeout: 60_000 }, () => {
  it('turns a group into a draft FAQ in two clicks: the wordings prefilled, the answer typed', async () => {
    const api = mockApi({
      'GET /api/v1/tenants/t1/bot/unanswered': () => json(200, { items: GROUPS }),
      'POST /api/v1/tenants/t1/bot/unanswered/resolve': () => json(200, { faq_id: 'f-new', reviewed: 5 }),
    });
    const user = renderView();
    const group = await screen.findByTestId('bot-group-do you ship to Mars');
    expect(within(group).getByTestId('bot-group-count')).toHaveTextContent('5');
    expect(within(group).getByTestId('bot-group-guess')).toHaveTextContent('Where do you ship?');

    await user.click(within(group).getByTestId('bot-group-create'));
    expect(await screen.findByTestId('bot-create-question')).toHaveValue('do you ship to Mars');
    expect(screen.getByTestId('bot-create-similar-0')).toHaveValue('delivery to mars?');
    expect(screen.getByTestId('bot-create-similar-1')).toHaveValue('ship to mars please');
    // The answer is required (the server needs one for an FAQ).
    await user.click(screen.getByTestId('bot-create-submit'));
    await findFieldError('bot-create-answer', zh.kb.validation.answerRequired);
    expect(api.calls.filter((c) => c.method === 'POST')).toEqual([]);

    await fill(user, screen.getByTestId('bot-create-answer'), 'Not yet, sorry!');
    await user.click(screen.getByTestId('bot-create-similar-remove-1'));
    await user.click(screen.getByTestId('bot-create-submit'));
    await waitFor(() => expect(screen.queryByTestId('bot-group-do you ship to Mars')).toBeNull());
    expect(api.calls.find((c) => c.method === 'POST')!.body).toEqual({
      turn_ids: ['t-1', 't-2', 't-3', 't-4', 't-5'],
      action: 'create_faq',
      question: 'do you ship to Mars',
      similar: ['delivery to mars?'],
      answer: 'Not yet, sorry!',
      locale: 'en',
    });
    expect(screen.getByTestId('bot-open-draft')).toHaveAttribute('href', '/t/t1/kb/faqs/f-new');
    expect(screen.getByTestId('bot-group-can I pay in cash')).toBeInTheDocument();
  });

  it('adds a group’s wordings to an FAQ found by searching', async () => {
    const api = mockApi({
      'GET /api/v1/tenants/t1/bot/unanswered': () => json(200, { items: GROUPS }),
      'GET /api/v1/tenants/t1/kb/faqs': () => json(200, { items: [FAQ_SUMMARY], next_cursor: null }),
      'POST /api/v1/tenants/t1/bot/unanswered/resolve': () => json(200, { faq_id: 'f-pay', reviewed: 2 }),
    });
    const user = renderView();
    const group = await screen.findByTestId('bot-group-can I pay in cash');
    await user.click(within(group).getByTestId('bot-group-add'));
    const select = await screen.findByTestId('bot-add-faq');
    // No guess for this group: nothing is chosen, and submitting says so.
    await user.click(screen.getByTestId('bot-add-submit'));
    await within(screen.getByTestId('bot-add-form')).findByText(zh.bot.unanswered.pickFaqRequired);

    fireEvent.mouseDown(select.querySelector('.ant-select-selector')!);
    fireEvent.change(within(select).getByRole('combobox'), { target: { value: 'payment' } });
    fireEvent.click(await screen.findByTestId('bot-add-faq-option-Which payment methods do you take?'));
    await waitFor(() => expect(api.calls.some((c) => c.path.startsWith('/api/v1/tenants/t1/kb/faqs?') && c.path.includes('q=payment'))).toBe(true));
    await user.click(screen.getByTestId('bot-add-submit'));
    await waitFor(() => expect(screen.queryByTestId('bot-group-can I pay in cash')).toBeNull());
    expect(api.calls.find((c) => c.method === 'POST')!.body).toEqual({
      turn_ids: ['t-6', 't-7'],
      action: 'add_similar',
      faq_id: 'f-pay',
      similar: ['can I pay in cash'],
    });
    expect(screen.getByTestId('bot-resolved')).toHaveTextContent('Which payment methods do you take?');
  });

  it('preselects the bot’s guess when it is an FAQ, and dismisses a group', async () => {
    const api = mockApi({
      'GET /api/v1/tenants/t1/bot/unanswered': () => json(200, { items: GROUPS }),
      'POST /api/v1/tenants/t1/bot/unanswered/resolve': () => json(200, { faq_id: '', reviewed: 2 }),
    });
    const user = renderView();
    const mars = await screen.findByTestId('bot-group-do you ship to Mars');
    await user.click(within(mars).getByTestId('bot-group-add'));
    const form = await screen.findByTestId('bot-add-form');
    expect(within(form).getByText('Where do you ship?')).toBeInTheDocument();
    await user.click(within(form).getByTestId('bot-add-cancel'));

    const cash = screen.getByTestId('bot-group-can I pay in cash');
    await user.click(within(cash).getByTestId('bot-group-dismiss'));
    await user.click((await screen.findAllByTestId('confirm-ok')).at(-1)!);
    await waitFor(() => expect(screen.queryByTestId('bot-group-can I pay in cash')).toBeNull());
    expect(api.calls.find((c) => c.method === 'POST')!.body).toEqual({ turn_ids: ['t-6', 't-7'], action: 'dismiss' });
  });
});
