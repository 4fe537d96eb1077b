// Routing across tenants: one agent serves two tenants with one capacity. With capacity
// 1 the second tenant's customer waits and sees their place in the queue (in the
// widget, and the agent sees them on the live Queue page); resolving the first
// conversation drains the queue to the agent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, newPage, shot, email, api, apiSignup, uiLogin, flow, noConsoleErrors, mailToken, until } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function startSite(snippet) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>${snippet}</body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

async function webChannel(owner, name) {
  const r = await api('POST', `/api/v1/tenants/${owner.tenantId}/channels`, { token: owner.token, body: { connector: 'web', name, config: {} } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function conversations(owner) {
  const r = await api('GET', `/api/v1/tenants/${owner.tenantId}/conversations`, { token: owner.token });
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

test('one capacity across two tenants: the second customer queues with a visible place, and resolving drains it', flow('routing', async (track) => {
  const a = await apiSignup('Route Alpha', email('route-alpha'));
  const b = await apiSignup('Route Beta', email('route-beta'));
  // Alpha's owner also serves Beta.
  const since = Date.now();
  const inv = await api('POST', `/api/v1/tenants/${b.tenantId}/invitations`, { token: b.token, body: { email: a.email, role: 'agent' } });
  assert.equal(inv.status, 201, inv.text);
  const tok = await mailToken(a.email, 'invitations/accept', since);
  const acc = await api('POST', '/api/v1/invitations/accept', { token: a.token, body: { token: tok } });
  assert.equal(acc.status, 201, acc.text);
  // Beta tells waiting customers their place (the suggested text).
  const set = await api('PUT', `/api/v1/tenants/${b.tenantId}/routing/settings`, { token: b.token, body: { queue_message: 'default' } });
  assert.equal(set.status, 200, set.text);
  const chA = await webChannel(a, 'Alpha site');
  const chB = await webChannel(b, 'Beta site');

  // The agent signs in, goes online with room for one conversation.
  const agent = track(await newPage(browser));
  await uiLogin(agent, a.email);
  const sw = agent.getByTestId('presence-switch');
  await sw.waitFor();
  await sw.click();
  await agent.getByTestId('presence-option-online').click();
  await agent.locator('[data-testid="presence-switch"][data-presence="online"]').waitFor();
  await sw.click();
  await agent.getByTestId('presence-capacity-input').fill('1');
  await agent.getByTestId('presence-capacity-save').click();
  await agent.getByTestId('presence-capacity').filter({ hasText: '0/1' }).waitFor();
  await agent.keyboard.press('Escape');
  await shot(agent, 'routing-01-online');

  // Alpha's customer writes: the agent gets it at once.
  const siteA = await startSite(chA.widget_snippet);
  after(() => siteA.close());
  const first = track(await newPage(browser));
  await first.goto(siteA.url);
  await first.getByTestId('kefu-launcher').click();
  await first.getByTestId('kefu-input').fill('First customer here');
  await first.getByTestId('kefu-send').click();
  const convA = await until('the first conversation to be assigned', async () =>
    (await conversations(a)).find((c) => c.status === 'open' && c.assignee_id));
  await agent.getByTestId('presence-capacity').filter({ hasText: '1/1' }).waitFor({ timeout: 35_000 });

  // Beta's customer writes: the agent is full, so they wait, and see their place.
  const siteB = await startSite(chB.widget_snippet);
  after(() => siteB.close());
  const second = track(await newPage(browser));
  await second.goto(siteB.url);
  await second.getByTestId('kefu-launcher').click();
  await second.getByTestId('kefu-input').fill('Second customer here');
  await second.getByTestId('kefu-send').click();
  // The widget speaks the visitor's language; its place is also in data-position.
  const bar = second.getByTestId('kefu-queue');
  await second.locator('[data-testid="kefu-queue"][data-position="1"]').waitFor({ timeout: 15_000 });
  // The queue message itself is in the tenant's language (zh-CN by default).
  await second.getByTestId('kefu-message-in').filter({ hasText: '第 1 位' }).waitFor({ timeout: 15_000 });
  await shot(second, 'routing-02-customer-queued');
  const convB = (await conversations(b)).find((c) => c.status === 'queued');
  assert.ok(convB, 'the second conversation waits');

  // The agent sees the waiting customer on Beta's live Queue page.
  await agent.goto(`/t/${b.tenantId}/queue`);
  const item = agent.getByTestId(`queue-item-${convB.id}`);
  await item.waitFor({ timeout: 15_000 });
  assert.equal((await item.getByTestId('queue-item-position').textContent()).trim(), '1');
  await shot(agent, 'routing-03-queue-page');

  // Resolving the first conversation frees the slot: the queue drains to the agent.
  const res = await api('POST', `/api/v1/tenants/${a.tenantId}/conversations/${convA.id}/resolve`, { token: a.token });
  assert.equal(res.status, 200, res.text);
  await until('the second conversation to be assigned', async () =>
    (await conversations(b)).find((c) => c.id === convB.id && c.status === 'open' && c.assignee_id === convA.assignee_id));
  await agent.getByTestId('queue-empty').waitFor({ timeout: 15_000 });
  await bar.waitFor({ state: 'hidden', timeout: 15_000 });
  await shot(agent, 'routing-04-queue-drained');
  await shot(second, 'routing-05-customer-served');

  noConsoleErrors(agent);
  noConsoleErrors(first);
  noConsoleErrors(second);
}));
