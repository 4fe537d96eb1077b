// The core path: a visitor writes in the widget on a website, an agent sees it live in
// the console's inbox and answers, the visitor sees the answer. Two browser contexts:
// the agent's console, and a customer's site (served at its own origin) with the
// widget's <script> tag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, newPage, shot, email, api, apiSignup, uiLogin, flow, noConsoleErrors, choose } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * The customer's website: a page with the widget's snippet, served by its own little
 * server on another origin (localhost vs kefu's 127.0.0.1), as a real site would be.
 */
async function startSite(snippet) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Our shop</h1><p>Everything you need.</p>${snippet}</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

test('a visitor chats through the widget and an agent answers live', flow('chat', async (track) => {
  const owner = await apiSignup('Chat Shop', email('chat-owner'));

  // The owner creates a web channel in the console and copies the snippet.
  const agent = track(await newPage(browser));
  await uiLogin(agent, owner.email);
  await agent.goto(`/t/${owner.tenantId}/channels`);
  await agent.getByTestId('channel-create').first().click();
  await choose(agent, 'channel-connector', 'channel-connector-option-web');
  await agent.getByTestId('channel-name').fill('Website');
  await shot(agent, 'chat-01-channel-form');
  await agent.getByTestId('channel-save').click();
  // Created: the install dialog shows the snippet to paste into the site.
  const snippet = agent.getByTestId('channel-snippet');
  await snippet.waitFor();
  const snippetText = await snippet.inputValue();
  assert.match(snippetText, /widget\.js/, `the snippet: ${snippetText}`);
  await shot(agent, 'chat-02-snippet');
  await agent.getByTestId('channel-install-done').click();

  const chans = await api('GET', `/api/v1/tenants/${owner.tenantId}/channels`, { token: owner.token });
  const web = chans.json.items.find((c) => c.connector === 'web');
  assert.ok(web, chans.text);
  assert.ok(snippetText.includes(`data-kefu-channel="${web.id}"`), `the snippet names the channel: ${snippetText}`);

  // The agent waits in the inbox (online, so the widget offers a live chat).
  await agent.goto(`/t/${owner.tenantId}/inbox`);
  await agent.getByTestId('inbox').waitFor();
  await agent.locator('[data-testid="inbox-live"][data-status="open"]').waitFor();

  // The visitor, on the shop's own origin, opens the widget and writes.
  const site = await startSite(snippetText);
  after(() => site.close());
  const visitor = track(await newPage(browser));
  await visitor.goto(`${site.url}/products`);
  await visitor.getByTestId('kefu-launcher').click();
  await visitor.getByTestId('kefu-panel').waitFor();
  await visitor.getByTestId('kefu-input').fill('Hello, do you ship to Hangzhou?');
  await visitor.getByTestId('kefu-send').click();
  await visitor.getByTestId('kefu-message-out').filter({ hasText: 'ship to Hangzhou' }).waitFor();
  await shot(visitor, 'chat-03-visitor-wrote');

  // It shows up live in the agent's inbox, tagged with the tenant; the agent opens it.
  const item = agent.locator('a[data-testid^="inbox-item-"]').filter({ hasText: 'ship to Hangzhou' });
  await item.waitFor({ timeout: 15_000 });
  assert.equal((await item.getByTestId('inbox-tenant-tag').textContent()).trim(), 'Chat Shop');
  await item.click();
  await agent.getByTestId('conversation').waitFor();
  await agent.getByTestId('message').filter({ hasText: 'ship to Hangzhou' }).waitFor();
  await agent.getByTestId('reply-input').fill('Yes! Delivery to Hangzhou takes two days.');
  await agent.getByTestId('reply-send').click();
  await agent.getByTestId('message').filter({ hasText: 'two days' }).waitFor();
  await shot(agent, 'chat-04-agent-replied');

  // The visitor sees the answer without reloading.
  await visitor.getByTestId('kefu-message-in').filter({ hasText: 'two days' }).waitFor({ timeout: 15_000 });
  await shot(visitor, 'chat-05-visitor-got-answer');

  // And the conversation is stored: both messages, the reply delivered.
  const convs = await api('GET', `/api/v1/tenants/${owner.tenantId}/conversations`, { token: owner.token });
  assert.equal(convs.json.items.length, 1, convs.text);
  const msgs = await api('GET', `/api/v1/tenants/${owner.tenantId}/conversations/${convs.json.items[0].id}/messages`, { token: owner.token });
  assert.deepEqual(msgs.json.items.map((m) => m.direction), ['in', 'out'], msgs.text);

  noConsoleErrors(agent);
  noConsoleErrors(visitor);
}));
