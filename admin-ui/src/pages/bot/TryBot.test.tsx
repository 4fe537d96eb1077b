import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TryBot } from './TryBot';
import type { BotDecision } from '../../api/bot';
import zh from '../../i18n/locales/zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp } from '../../test/utils';

const ANSWER: BotDecision = {
  decision: 'answer',
  confidence: 0.82,
  matches: [
    { entry_id: 'faq:0190-aaaa', kind: 'faq', question: 'How do I return an item?', score: 0.82 },
    { entry_id: 'article:0190-bbbb', kind: 'article', question: 'Shipping and returns', score: 0.31 },
  ],
  reply: 'Within 30 days, from your orders page.',
  entry_id: 'faq:0190-aaaa',
  revision: 7,
};

describe('try the bot', () => {
  it('asks and shows the decision, confidence, reply and matched entries with scores', async () => {
    const api = mockApi({ 'POST /api/v1/tenants/t1/bot/try': () => json(200, ANSWER) });
    const user = userEvent.setup();
    renderApp(<TryBot tenantId="t1" />);
    // Nothing asked: nothing sent.
    await user.click(await screen.findByTestId('bot-try-ask'));
    await findFieldError('bot-try-input', zh.bot.try.questionRequired);
    expect(api.calls).toEqual([]);

    await fill(user, screen.getByTestId('bot-try-input'), '  can I send my order back? ');
    await user.click(screen.getByTestId('bot-try-ask'));
    const decision = await screen.findByTestId('bot-try-decision');
    expect(decision).toHaveAttribute('data-decision', 'answer');
    expect(decision).toHaveTextContent(zh.bot.decisions.answer);
    expect(api.calls[0]!.body).toEqual({ text: 'can I send my order back?' });
    expect(screen.getByTestId('bot-try-confidence')).toHaveTextContent('82%');
    expect(screen.getByTestId('bot-try-reply')).toHaveTextContent('Within 30 days, from your orders page.');
    const first = screen.getByTestId('bot-try-match-0');
    expect(within(first).getByRole('link', { name: 'How do I return an item?' })).toHaveAttribute('href', '/t/t1/kb/faqs/0190-aaaa');
    expect(within(first).getByTestId('match-score')).toHaveTextContent('82%');
    expect(within(screen.getByTestId('bot-try-match-1')).getByRole('link')).toHaveAttribute('href', '/t/t1/kb/articles/0190-bbbb');
    expect(within(screen.getByTestId('bot-try-match-1')).getByTestId('match-score')).toHaveTextContent('31%');
  });

  it('shows a hand-off with its reason, and says when there is no knowledge yet', async () => {
    mockApi({
      'POST /api/v1/tenants/t1/bot/try': [
        () => json(200, { decision: 'handoff', reason: 'asked_for_human', confidence: 1, matches: [], reply: 'Connecting you to an agent.', revision: 7 }),
        () => problem(404, 'bot.no-model'),
      ],
    });
    const user = userEvent.setup();
    renderApp(<TryBot tenantId="t1" />);
    await fill(user, await screen.findByTestId('bot-try-input'), '转人工');
    await user.click(screen.getByTestId('bot-try-ask'));
    expect(await screen.findByTestId('bot-try-decision')).toHaveAttribute('data-decision', 'handoff');
    expect(screen.getByTestId('bot-try-reason')).toHaveTextContent(zh.bot.reasons.asked_for_human);
    expect(screen.getByTestId('bot-try-match')).toHaveTextContent(zh.bot.try.noMatches);

    await user.click(screen.getByTestId('bot-try-ask'));
    expect(await screen.findByTestId('bot-try-no-model')).toHaveTextContent(zh.bot.try.noModel);
    expect(screen.queryByTestId('bot-try-result')).toBeNull();
  });
});
