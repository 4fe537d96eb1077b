import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, BASE, noConsoleErrors } from '../lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the console loads at / and routes to the login page', async () => {
  const page = await newPage(browser);
  const res = await page.goto('/');
  assert.equal(res.status(), 200);
  await page.getByTestId('login-email').waitFor();
  assert.match(page.url(), /\/login/);
  await shot(page, 'smoke-login');
  noConsoleErrors(page);
});

test('hashed assets are cached for a year, index.html is not', async () => {
  const page = await newPage(browser);
  const assets = [];
  page.on('response', (r) => { if (r.url().includes('/assets/')) assets.push(r); });
  const res = await page.goto('/login');
  assert.equal(res.headers()['cache-control'], 'no-cache');
  await page.getByTestId('login-email').waitFor();
  assert.ok(assets.length > 0, 'no assets loaded');
  for (const a of assets) assert.match(a.headers()['cache-control'] ?? '', /immutable/, a.url());
  const api404 = await fetch(`${BASE}/api/v1/nope`);
  assert.equal(api404.status, 404);
  assert.match(api404.headers.get('content-type'), /problem\+json/);
});
