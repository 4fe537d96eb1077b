// The agent workspace in a real browser: a canned response picked with "/" and filled
// in for the customer, an internal note that @mentions a colleague (who is notified and
// never reaches the customer), and a transfer to that colleague with a note; then the
// supervisor's powers: watch it from the live view, whisper to the agent, take it over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, email, api, apiSignup, uiLogin, flow, noConsoleErrors, mailToken, choose, until } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('canned response, a note with a mention, a transfer with a note, and a supervisor who watches, whispers and takes over', flow('workspace', async (track) => {
  const owner = await apiSignup('Desk Works', email('desk-owner'));
  const t = `/api/v1/tenants/${owner.tenantId}`;
  // A colleague joins (invited, accepts by API).
  const colleague = email('desk-colleague');
  const since = Date.now();
  const inv = await api('POST', `${t}/invitations`, { token: owner.token, body: { email: colleague, role: 'agent' } });
  assert.equal(inv.status, 201, inv.text);
  const tok = await mailToken(colleague, 'invitations/accept', since);
  const acc = await api('POST', '/api/v1/invitations/accept', { body: { token: tok, name: 'Cora Colleague', password: 'correct horse battery staple' } });
  assert.equal(acc.status, 201, acc.text);
  const coraToken = acc.json.access_token;

  // A shared canned response with variables, and a customer who writes in.
  const cr = await api('POST', `${t}/canned-responses`, { token: owner.token, body: { scope: 'shared', shortcut: 'refund', title: 'Refund on its way', text: 'Hi {{customer.name}}, your refund is on its way. {{agent.name}}' } });
  assert.equal(cr.status, 201, cr.text);
  const ch = await api('POST', `${t}/channels`, { token: owner.token, body: { connector: 'web', name: 'Site', config: {} } });
  assert.equal(ch.status, 201, ch.text);
  const sess = await api('POST', `/widget/${ch.json.id}/session`, { body: {} });
  assert.equal(sess.status, 200, sess.text);
  const sent = await api('POST', `/widget/${ch.json.id}/messages`, { token: sess.json.token, body: { client_id: 'w1', text: 'Where is my refund?', name: 'Zhang Wei' } });
  assert.equal(sent.status, 202, sent.text);
  const convs = await api('GET', `${t}/conversations`, { token: owner.token });
  const conv = convs.json.items[0];
  assert.ok(conv, convs.text);

  // The colleague's console is open (to see the mention).
  const cora = track(await newPage(browser));
  await uiLogin(cora, colleague);
  await cora.goto(`/t/${owner.tenantId}/inbox`);
  await cora.getByTestId('inbox').waitFor();

  // The owner opens the conversation and picks the canned response with "/".
  const agent = track(await newPage(browser));
  await uiLogin(agent, owner.email);
  await agent.goto(`/t/${owner.tenantId}/inbox/${owner.tenantId}/${conv.id}`);
  await agent.getByTestId('conversation').waitFor();
  const input = agent.getByTestId('reply-input');
  await input.click();
  await input.pressSequentially('/ref');
  await agent.getByTestId('canned-option-refund').click();
  await agent.waitForFunction(() => document.querySelector('[data-testid="reply-input"]')?.value.includes('your refund is on its way'));
  const filled = await input.inputValue();
  assert.match(filled, /^Hi Zhang Wei, your refund is on its way\. Owner Desk Works$/, filled);
  await shot(agent, 'workspace-01-canned');
  await agent.getByTestId('reply-send').click();
  await agent.getByTestId('message').filter({ hasText: 'your refund is on its way' }).waitFor();

  // A note mentioning the colleague.
  await agent.getByTestId('reply-mode-note').click();
  await input.click();
  await input.pressSequentially('Please double-check the amount @Cor');
  await agent.getByTestId(`mention-option-${colleague}`).click();
  await agent.getByTestId('reply-send').click();
  const note = agent.locator('[data-testid="message"][data-type="note"]');
  await note.waitFor();
  assert.match(await note.textContent(), /double-check the amount/);
  await cora.getByTestId('mention-notification').waitFor({ timeout: 15_000 });
  await shot(cora, 'workspace-02-mentioned');

  // Transfer to the colleague with a note.
  await agent.getByTestId('conversation-transfer').click();
  await agent.getByTestId('transfer-form').waitFor();
  await agent.getByTestId('transfer-to-agent').check();
  await choose(agent, 'transfer-agent', `transfer-agent-option-${colleague}`);
  await agent.getByTestId('transfer-note').fill('Customer asked twice already');
  await agent.getByTestId('transfer-submit').click();
  await agent.getByTestId('transfer-form').waitFor({ state: 'hidden' });
  const after = await api('GET', `${t}/conversations/${conv.id}`, { token: coraToken });
  assert.equal(after.status, 200, after.text);
  const me = await api('GET', '/api/v1/me', { token: coraToken });
  assert.equal(after.json.assignee_id, me.json.id, after.text);
  await shot(agent, 'workspace-03-transferred');

  // The owner, as supervisor, finds the conversation in the colleague's row of the
  // live view, opens it, whispers to her, then takes it over.
  await agent.goto(`/t/${owner.tenantId}/queue`);
  await agent.getByTestId(`queue-agent-conversation-${conv.id}`).click();
  await agent.waitForURL(new RegExp(`/inbox/${owner.tenantId}/${conv.id}$`));
  await agent.getByTestId('conversation').waitFor();
  await agent.getByTestId('conversation-whisper').click();
  await input.click();
  await input.press('End');
  await input.pressSequentially(' offer the express refund');
  await agent.getByTestId('reply-send').click();
  await agent.locator('[data-testid="message"][data-type="note"]').filter({ hasText: 'express refund' }).waitFor();
  await cora.getByTestId('mention-notification').filter({ hasText: 'express refund' }).waitFor({ timeout: 15_000 });
  await shot(agent, 'workspace-04-whisper');
  await agent.getByTestId('conversation-assign-me').click();
  const ownerMe = await api('GET', '/api/v1/me', { token: owner.token });
  await until('the supervisor to hold the conversation', async () =>
    (await api('GET', `${t}/conversations/${conv.id}`, { token: owner.token })).json.assignee_id === ownerMe.json.id);

  // The customer saw the canned answer, never the notes.
  const seen = await api('GET', `/widget/${ch.json.id}/messages`, { token: sess.json.token });
  assert.equal(seen.status, 200, seen.text);
  const texts = seen.json.items.map((m) => m.text).join('\n');
  assert.match(texts, /your refund is on its way/);
  assert.doesNotMatch(texts, /double-check|asked twice|express refund/);

  noConsoleErrors(agent);
  noConsoleErrors(cora);
}));
