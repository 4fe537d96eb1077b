// One person in two tenants switches between them; a suspended tenant says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, email, api, apiSignup, uiLogin, mailToken, flow, PASSWORD } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('switch between tenants in one console', flow('switch', async (track) => {
  const agentEmail = email('shared');
  const home = await apiSignup('Home Tenant', agentEmail);
  const other = await apiSignup('Second Tenant', email('second-owner'));
  const since = Date.now() - 1000;
  let r = await api('POST', `/api/v1/tenants/${other.tenantId}/invitations`, { token: other.token, body: { email: agentEmail, role: 'agent' } });
  assert.equal(r.status, 201, r.text);
  const token = await mailToken(agentEmail, 'invitations/accept', since);
  r = await api('POST', '/api/v1/invitations/accept', { token: home.token, body: { token } });
  assert.equal(r.status, 201, r.text);

  const page = track(await newPage(browser));
  await uiLogin(page, agentEmail);
  await page.getByTestId('tenant-switcher').click();
  await page.getByTestId(`tenant-option-${other.slug}`).waitFor();
  await shot(page, 'tenants-01-switcher');
  await page.getByTestId(`tenant-option-${other.slug}`).click();
  await page.waitForURL(new RegExp(`/t/${other.tenantId}`));
  await page.getByTestId('current-tenant-name').filter({ hasText: 'Second Tenant' }).waitFor();
  await page.getByTestId('tenant-switcher').click();
  await page.getByTestId(`tenant-option-${home.slug}`).click();
  await page.waitForURL(new RegExp(`/t/${home.tenantId}`));
  await page.getByTestId('current-tenant-name').filter({ hasText: 'Home Tenant' }).waitFor();
  await shot(page, 'tenants-02-switched');
}));

test('an operator suspends a tenant and its members see a clear message', flow('suspend', async (track) => {
  const owner = await apiSignup('Soon Suspended', email('suspended-owner'));

  const ops = track(await newPage(browser));
  await uiLogin(ops, process.env.KEFU_OPERATOR_EMAIL, process.env.KEFU_OPERATOR_PASSWORD);
  await ops.goto('/platform');
  await ops.getByTestId('platform-tenants').waitFor();
  await ops.getByTestId('platform-search').fill(owner.slug);
  await ops.getByTestId('platform-search').press('Enter');
  await ops.getByTestId(`platform-suspend-${owner.slug}`).click();
  await ops.getByTestId('confirm-ok').last().click();
  await ops.getByTestId(`platform-resume-${owner.slug}`).waitFor();
  await shot(ops, 'tenants-03-operator-suspended');

  const member = track(await newPage(browser));
  await member.goto('/login');
  await member.getByTestId('login-email').fill(owner.email);
  await member.getByTestId('login-password').fill(PASSWORD);
  await member.getByTestId('login-submit').click();
  await member.getByTestId('tenant-suspended').waitFor();
  await shot(member, 'tenants-04-suspended-message');

  await ops.getByTestId(`platform-resume-${owner.slug}`).click();
  await ops.getByTestId('confirm-ok').last().click();
  await ops.getByTestId(`platform-suspend-${owner.slug}`).waitFor();
  await member.reload();
  await member.getByTestId('nav-overview').waitFor();
  assert.equal(await member.getByTestId('tenant-suspended').count(), 0);
}));
