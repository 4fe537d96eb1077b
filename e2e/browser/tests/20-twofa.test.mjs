// Enable 2FA in the account page, then log in with a TOTP code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, email, apiSignup, uiLogin, uiLogout, totp, flow, noConsoleErrors, submitUntil } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('enable two-factor authentication and log in with a code', flow('twofa', async (track) => {
  const addr = email('twofa');
  await apiSignup('Two Factor Co', addr);
  const page = track(await newPage(browser));
  await uiLogin(page, addr);

  await page.goto('/account');
  await page.getByTestId('account-2fa').waitFor();
  await page.getByTestId('twofa-enable').click();
  await page.getByTestId('twofa-password').fill('correct horse battery staple');
  await submitUntil(page, page.getByTestId('twofa-enroll-submit'), page.getByTestId('totp-qr'), 'twofa-enroll');
  const secret = (await page.getByTestId('totp-secret').innerText()).trim();
  assert.match(secret.replace(/\s/g, ''), /^[A-Z2-7]{32}$/);
  await shot(page, 'twofa-01-qr');
  await page.getByTestId('totp-confirm-code').fill(totp(secret));
  await page.getByTestId('totp-confirm-submit').click();
  await page.getByTestId('recovery-codes').waitFor();
  assert.equal(await page.getByTestId('recovery-code').count(), 10);
  await shot(page, 'twofa-02-recovery-codes');
  await page.getByTestId('recovery-done').click();

  // Log out; logging in now asks for a code. The confirmation used the current time
  // step, and each step works once, so use the next one (±1 step is accepted).
  await uiLogout(page);
  await uiLogin(page, addr, undefined, { totpCode: () => totp(secret, Date.now() + 30_000) });
  await shot(page, 'twofa-03-logged-in');
  noConsoleErrors(page);
}));
