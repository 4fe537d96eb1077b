// Sign up → log in → invite a member → accept in a second browser context → give the
// member a custom role → the member sees only what that role allows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, email, mailToken, uiLogin, uiLogout, choose, flow, noConsoleErrors, submitUntil, PASSWORD } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a newcomer signs up, invites a colleague and gives them a custom role', flow('members', async (track) => {
  const owner = track(await newPage(browser));
  const ownerEmail = email('owner');

  // Sign up through the form: it lands in the new tenant.
  await owner.goto('/signup');
  await owner.getByTestId('signup-tenant-name').fill('Acme 客服');
  await owner.getByTestId('signup-name').fill('Olivia Owner');
  await owner.getByTestId('signup-email').fill(ownerEmail);
  await owner.getByTestId('signup-password').fill(PASSWORD);
  await owner.getByTestId('signup-submit').click();
  await owner.waitForURL(/\/t\/[0-9a-f-]{36}/);
  await owner.getByTestId('current-tenant-name').filter({ hasText: 'Acme 客服' }).waitFor();
  await shot(owner, 'members-01-signed-up');

  // Log out and back in.
  await uiLogout(owner);
  await uiLogin(owner, ownerEmail);
  await owner.waitForURL(/\/t\/[0-9a-f-]{36}/);
  const tenantURL = owner.url().match(/\/t\/[0-9a-f-]{36}/)[0];

  // A custom role: members may be read, nothing else.
  await owner.goto(`${tenantURL}/roles`);
  await owner.getByTestId('role-matrix').waitFor();
  await owner.getByTestId('role-create').first().click();
  await owner.getByTestId('role-name').fill('team-lead');
  await owner.getByTestId('role-description').fill('Sees the team');
  await owner.getByTestId('role-perm-members:read').check();
  await submitUntil(owner, owner.getByTestId('role-save'), owner.getByTestId('matrix-team-lead-members:read'), 'members-role');
  await shot(owner, 'members-02-custom-role');

  // Invite a colleague as an agent.
  const memberEmail = email('agent');
  const since = Date.now() - 1000;
  await owner.goto(`${tenantURL}/members`);
  await owner.getByTestId('members-table').waitFor();
  await owner.getByTestId('invite-open').click();
  await owner.getByTestId('invite-email').fill(memberEmail);
  await choose(owner, 'invite-role', 'invite-role-option-agent');
  await owner.getByTestId('invite-submit').click();
  await owner.getByTestId('invitations-table').getByText(memberEmail).waitFor();
  await shot(owner, 'members-03-invited');

  // The colleague accepts in a second browser context (another person).
  const token = await mailToken(memberEmail, 'invitations/accept', since);
  const member = track(await newPage(browser));
  await member.goto(`/invitations/accept#token=${token}`);
  await member.getByTestId('invitation-summary').waitFor();
  await member.getByTestId('invitation-tenant').filter({ hasText: 'Acme 客服' }).waitFor();
  await member.getByTestId('invitation-name').fill('Adam Agent');
  await member.getByTestId('invitation-password').fill(PASSWORD);
  await member.getByTestId('invitation-accept').click();
  await member.getByTestId('page-content').waitFor();
  await member.waitForURL(new RegExp(tenantURL));
  // An agent cannot read members.
  await member.getByTestId('nav-overview').waitFor();
  assert.equal(await member.getByTestId('nav-members').count(), 0, 'an agent sees the members page');
  await shot(member, 'members-04-agent-view');

  // The owner gives the colleague the custom role.
  await owner.reload();
  await owner.getByTestId(`member-role-${memberEmail}`).waitFor();
  await choose(owner, `member-role-${memberEmail}`, 'role-option-team-lead');
  await owner.getByTestId(`member-role-${memberEmail}`).filter({ hasText: 'team-lead' }).waitFor();

  // The colleague now sees members (read-only) and still nothing else.
  await member.reload();
  await member.getByTestId('nav-members').click();
  await member.getByTestId('members-table').getByText(ownerEmail).waitFor();
  assert.equal(await member.getByTestId('invite-open').count(), 0, 'team-lead may not invite');
  for (const nav of ['nav-roles', 'nav-api-keys', 'nav-settings', 'nav-audit-log']) {
    assert.equal(await member.getByTestId(nav).count(), 0, `team-lead sees ${nav}`);
  }
  // A forbidden page opened by URL says so.
  await member.goto(`${tenantURL}/settings`);
  await member.getByTestId('forbidden').waitFor();
  await shot(member, 'members-05-custom-role-view');
  noConsoleErrors(owner);
}));
