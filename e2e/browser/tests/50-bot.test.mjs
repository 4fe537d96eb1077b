// The bot path: the owner writes and publishes an FAQ in the knowledge base, turns the
// bot on for a web channel, and waits for the bot's model to take the entry in; a
// visitor asks a paraphrase in the widget and gets the bot's answer (and rates it);
// asking for a person hands the conversation over, and the agent console shows it
// queued with the bot's hand-off note and the whole transcript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, newPage, shot, email, api, apiSignup, uiLogin, flow, noConsoleErrors, choose, BASE } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The customer's website with the widget's snippet, on its own origin (as in 40-chat). */
async function startSite(snippet) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Our shop</h1>${snippet}</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Polls fn until it returns a truthy value. */
async function until(what, fn, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const QUESTION = 'How do I return an item?';
const SIMILAR = 'Can I send a product back?';
const ANSWER = 'You can return any item within 30 days from your orders page.';
const PARAPHRASE = 'I want to return my item';

test('the bot answers from a published FAQ and hands over to an agent', flow('bot', async (track) => {
  const owner = await apiSignup('Bot Shop', email('bot-owner'));
  const t = `/api/v1/tenants/${owner.tenantId}`;

  // The owner writes an FAQ in the knowledge base and publishes it.
  const agent = track(await newPage(browser));
  await uiLogin(agent, owner.email);
  await agent.getByTestId('nav-kb').click();
  await agent.getByTestId('kb-new-faq').click();
  await agent.getByTestId('faq-question').fill(QUESTION);
  await agent.getByTestId('faq-similar-add').click();
  await agent.getByTestId('faq-similar-0').fill(SIMILAR);
  await agent.getByTestId('faq-answer').fill(ANSWER);
  await shot(agent, 'bot-01-faq-editor');
  await agent.getByTestId('faq-save').click();
  // A draft: not live yet.
  await agent.locator('[data-testid="kb-state"][data-status="draft"][data-live="false"]').waitFor();
  await agent.getByTestId('kb-publish').click();
  await agent.locator('[data-testid="kb-state"][data-status="published"][data-live="true"]').waitFor();
  await shot(agent, 'bot-02-faq-published');
  // The list shows it published.
  await agent.getByTestId('kb-back').click();
  await agent.locator(`[data-testid="kb-state-${QUESTION}"][data-status="published"]`).waitFor();

  // A web channel (setup, not under test: 40-chat creates one through the console).
  const ch = await api('POST', `${t}/channels`, { token: owner.token, body: { connector: 'web', name: 'Website', enabled: true } });
  assert.equal(ch.status, 201, ch.text);
  const snippet = ch.json.widget_snippet || `<script src="${BASE}/widget.js" data-kefu-channel="${ch.json.id}" async></script>`;

  // The bot settings: the bot answers first on the new channel.
  await agent.getByTestId('nav-bot').click();
  await agent.getByTestId('bot-settings-form').waitFor();
  await choose(agent, 'bot-channels', 'bot-channel-option-Website');
  await agent.keyboard.press('Escape');
  await agent.getByTestId('bot-settings-save').click();
  await until('the bot to be on for the channel', async () => {
    const s = await api('GET', `${t}/bot/settings`, { token: owner.token });
    return s.json?.channels?.includes(ch.json.id);
  });

  // The model takes the published entry in (it is rebuilt in the background).
  await agent.locator('[data-testid="bot-model"][data-status="ready"]').waitFor({ timeout: 30_000 });
  assert.equal((await agent.getByTestId('bot-model-entries').textContent()).trim(), '1');
  await shot(agent, 'bot-03-settings-model');

  // Try the bot: the paraphrase is answered from the FAQ.
  await agent.getByTestId('bot-tab-try').click();
  await agent.getByTestId('bot-try-input').fill(PARAPHRASE);
  await agent.getByTestId('bot-try-ask').click();
  await agent.locator('[data-testid="bot-try-decision"][data-decision="answer"]').waitFor();
  assert.match(await agent.getByTestId('bot-try-reply').textContent(), /within 30 days/);
  assert.match(await agent.getByTestId('bot-try-match-0').textContent(), /return an item/);
  await shot(agent, 'bot-04-try');

  // The visitor asks the paraphrase in the widget and gets the bot's answer.
  const site = await startSite(snippet);
  after(() => site.close());
  const visitor = track(await newPage(browser));
  await visitor.goto(`${site.url}/returns`);
  await visitor.getByTestId('kefu-launcher').click();
  await visitor.getByTestId('kefu-panel').waitFor();
  await visitor.getByTestId('kefu-input').fill(PARAPHRASE);
  await visitor.getByTestId('kefu-send').click();
  const answer = visitor.getByTestId('kefu-message-in').filter({ hasText: 'within 30 days' });
  await answer.waitFor({ timeout: 20_000 });
  // It is the bot's, and the visitor finds it helpful.
  await answer.getByTestId('kefu-feedback-up').click();
  await answer.locator('[data-testid="kefu-feedback"][data-rating="1"]').waitFor();
  await shot(visitor, 'bot-05-widget-answer');

  const convs = await api('GET', `${t}/conversations`, { token: owner.token });
  assert.equal(convs.json.items.length, 1, convs.text);
  const conv = convs.json.items[0];
  await until('the rating to be stored', async () => {
    const turns = await api('GET', `${t}/conversations/${conv.id}/bot-turns`, { token: owner.token });
    return turns.json?.items?.[0]?.feedback === 1;
  });

  // Asking for a person hands the conversation over.
  await visitor.getByTestId('kefu-input').fill('转人工');
  await visitor.getByTestId('kefu-send').click();
  await visitor.getByTestId('kefu-message-in').filter({ hasText: 'Connecting you to an agent' }).waitFor({ timeout: 20_000 });
  await shot(visitor, 'bot-06-widget-handoff');

  // The agent console: queued, with the hand-off note and the transcript.
  await agent.getByTestId('nav-inbox').click();
  const item = agent.getByTestId(`inbox-item-${conv.id}`);
  await item.waitFor({ timeout: 15_000 });
  await item.click();
  await agent.locator('[data-testid="conversation-status"][data-status="queued"]').waitFor({ timeout: 15_000 });
  const note = agent.locator('[data-testid="message"][data-direction="system"][data-kind="handoff"]');
  await note.waitFor();
  assert.match(await note.getByTestId('message-note-text').textContent(), /客户要求人工客服|asked for a person/i);
  const customer = agent.locator('[data-testid="message"][data-direction="in"]');
  await customer.filter({ hasText: PARAPHRASE }).waitFor();
  await agent.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: 'within 30 days' }).waitFor();
  await customer.filter({ hasText: '转人工' }).waitFor();
  await agent.locator('[data-testid="message"][data-sender="bot"]').filter({ hasText: 'Connecting you to an agent' }).waitFor();
  // The bot's turns: what it decided on each message.
  await agent.getByTestId('bot-turns-toggle').click();
  await agent.getByTestId('bot-turn').nth(1).waitFor();
  assert.deepEqual(await agent.getByTestId('bot-turn').evaluateAll((els) => els.map((e) => e.getAttribute('data-decision'))), ['answer', 'handoff']);
  await shot(agent, 'bot-07-agent-handoff');

  noConsoleErrors(agent);
  noConsoleErrors(visitor);
}));
