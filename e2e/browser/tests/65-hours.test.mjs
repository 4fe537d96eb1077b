// Business hours in the console: a tenant admin turns the tenant's hours on, makes
// Monday run past midnight, is stopped by a time that is not a time, adds a holiday,
// chooses "leave a message" outside hours and an overflow, and saves; the server keeps
// exactly that (read back through the API).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, email, api, apiSignup, uiLogin, flow, noConsoleErrors, until } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('tenant business hours, a holiday, outside-hours behaviour and overflow are edited and saved', flow('hours', async (track) => {
  const owner = await apiSignup('Hours Co', email('hours'));
  const page = track(await newPage(browser));
  await uiLogin(page, owner.email);
  await page.goto(`/t/${owner.tenantId}/routing?tab=rules`);
  await page.getByTestId('routing-form').waitFor();

  // Off means always open; turning it on starts Monday–Friday 09:00–18:00.
  await page.locator('[data-testid="routing-hours"][data-open="false"]').waitFor();
  await page.getByTestId('routing-hours-enabled').click();
  await page.locator('[data-testid="routing-hours"][data-open="true"]').waitFor();
  assert.equal(await page.getByTestId('routing-hours-mon-start-0').inputValue(), '09:00');

  // Monday runs until 02:00 the next day: the editor says so.
  await page.getByTestId('routing-hours-mon-end-0').fill('02:00');
  await page.getByTestId('routing-hours-mon-overnight-0').waitFor();

  // A time that is not a time is caught before any request.
  const tue = page.getByTestId('routing-hours-tue-start-0');
  await tue.fill('25:00');
  await page.getByTestId('routing-save').click();
  await page.locator('[data-testid="routing-hours-tue-start-0"].ant-input-status-error').waitFor();
  // Only the input at fault is marked, not the whole editor.
  assert.equal(await page.locator('.kefu-hours .ant-input-status-error').count(), 1, 'one input marked');
  await shot(page, 'hours-01-invalid');
  const unsaved = await api('GET', `/api/v1/tenants/${owner.tenantId}/routing/settings`, { token: owner.token });
  assert.equal(unsaved.json.hours, null, 'nothing was saved while a time was invalid');
  await tue.fill('10:00');

  // A holiday, closed all day.
  await page.getByTestId('routing-hours-holiday-add').click();
  await page.getByTestId('routing-hours-holiday-date-0').fill('2026-10-01');
  await page.getByTestId('routing-hours-holiday-name-0').fill('National Day');

  // Outside hours the customer may leave a message; the general queue overflows after 15 min.
  await page.getByTestId('routing-outside-hours-leave_message').check();
  await page.getByTestId('routing-overflow-minutes').fill('15');
  await page.getByTestId('routing-save').click();

  const saved = await until('the settings to be saved', async () => {
    const r = await api('GET', `/api/v1/tenants/${owner.tenantId}/routing/settings`, { token: owner.token });
    assert.equal(r.status, 200, r.text);
    return r.json.hours ? r.json : null;
  });
  await shot(page, 'hours-02-saved');
  assert.ok(saved.hours.time_zone, 'a time zone was saved');
  assert.deepEqual(saved.hours.weekly.mon, [{ start: '09:00', end: '02:00' }]);
  assert.deepEqual(saved.hours.weekly.tue, [{ start: '10:00', end: '18:00' }]);
  assert.deepEqual(saved.hours.weekly.wed, [{ start: '09:00', end: '18:00' }]);
  assert.equal(saved.hours.weekly.sat ?? null, null, 'Saturday stays closed');
  assert.deepEqual(saved.hours.holidays, [{ date: '2026-10-01', name: 'National Day' }]);
  assert.equal(saved.outside_hours, 'leave_message');
  assert.equal(saved.overflow_after_minutes, 15);

  // A reload shows what was saved.
  await page.reload();
  await page.locator('[data-testid="routing-hours"][data-open="true"]').waitFor();
  assert.equal(await page.getByTestId('routing-hours-mon-end-0').inputValue(), '02:00');
  assert.equal(await page.getByTestId('routing-hours-holiday-name-0').inputValue(), 'National Day');

  noConsoleErrors(page);
}));
