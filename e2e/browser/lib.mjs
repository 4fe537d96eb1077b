// Shared helpers for the browser suite. The Go driver (e2e/browser_test.go) starts
// kefu and passes KEFU_URL, KEFU_DATA_DIR, KEFU_BACKEND, KEFU_OPERATOR_EMAIL/PASSWORD,
// KEFU_ARTIFACTS and KEFU_CHROMIUM.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { readdir, readFile, stat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';

export const BASE = required('KEFU_URL');
export const BACKEND = process.env.KEFU_BACKEND || 'local';
export const PASSWORD = 'correct horse battery staple';
const DATA = required('KEFU_DATA_DIR');
const ARTIFACTS = process.env.KEFU_ARTIFACTS || path.resolve('artifacts');

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through "go test ./e2e -run TestBrowser"`);
  return v;
}

let seq = 0;
/** A unique email per call, so flows never collide on one kefu. */
export function email(tag) {
  seq += 1;
  return `${tag}-${Date.now().toString(36)}${seq}@e2e.test`;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.KEFU_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // As the machine's probe found: without the background-networking flags Chromium
    // keeps trying Google's hosts, which this sandbox refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A fresh context (its own storage: a second person) with console errors collected. */
export async function newPage(browser, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ baseURL: BASE, locale, viewport: { width: 1366, height: 860 } });
  // The last pointer events and submits, by test id, for submitUntil's diagnostics.
  await context.addInitScript(() => {
    const log = (window.__kefuEvents = []);
    for (const type of ['pointerdown', 'pointerup', 'click', 'submit', 'focusin']) {
      document.addEventListener(type, (e) => {
        const el = e.target instanceof Element ? e.target : null;
        const id = el?.closest('[data-testid]')?.getAttribute('data-testid') || el?.tagName || '?';
        log.push(`${Math.round(performance.now())} ${type} ${id}${e.isTrusted ? '' : ' (synthetic)'}`);
        if (log.length > 40) log.shift();
      }, true);
    }
  });
  const page = await context.newPage();
  page.requestLog = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/')) {
      page.requestLog.push(`${r.method()} ${new URL(r.url()).pathname}`);
      if (page.requestLog.length > 20) page.requestLog.shift();
    }
  });
  page.consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
  return page;
}

/** Saves a full-page screenshot under e2e/artifacts/<backend>-<name>.png. */
export async function shot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${BACKEND}-${name}.png`), fullPage: true });
}

/** The current RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret. */
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `bad base32 character ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/**
 * Waits for the newest mail to `to` (written by kefu's file mailer into the data
 * directory) whose link matches `kind` ("invitations/accept" or "reset-password"),
 * newer than `since` (ms), and returns the token in its link.
 */
export async function mailToken(to, kind, since = 0, timeoutMs = 20_000) {
  const dir = path.join(DATA, 'mail');
  const deadline = Date.now() + timeoutMs;
  const re = new RegExp(`${kind}#token=(\\S+)`);
  while (Date.now() < deadline) {
    let names = [];
    try { names = (await readdir(dir)).filter((n) => n.endsWith('.eml')); } catch { /* not yet */ }
    let best = null;
    for (const n of names) {
      const p = path.join(dir, n);
      const st = await stat(p);
      if (st.mtimeMs < since) continue;
      const text = (await readFile(p, 'utf8')).replace(/\r\n/g, '\n');
      if (!new RegExp(`^To: ${to.replace(/[.+]/g, '\\$&')}$`, 'mi').test(text)) continue;
      const m = text.match(re);
      if (m && (!best || st.mtimeMs > best.t)) best = { t: st.mtimeMs, token: m[1] };
    }
    if (best) return best.token;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} mail to ${to} within ${timeoutMs} ms`);
}

/** Calls the API directly (test setup that is not under test). */
export async function api(method, p, { token, body } = {}) {
  const res = await fetch(BASE + p, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

/** Fails the test if the page logged errors (ignoring expected 4xx fetch noise). */
export function noConsoleErrors(page) {
  const errs = page.consoleErrors.filter((e) => !/status of 4\d\d/.test(e));
  assert.deepEqual(errs, [], `console errors:\n${errs.join('\n')}`);
}

/** Logs in through the login page and waits for the console. */
export async function uiLogin(page, addr, password = PASSWORD, { totpCode } = {}) {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(addr);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  if (totpCode) {
    await page.getByTestId('totp-code').fill(typeof totpCode === 'function' ? totpCode() : totpCode);
    await page.getByTestId('totp-submit').click();
  }
  await page.getByTestId('page-content').waitFor();
}

/** Signs a tenant and its owner up through the API (setup, not under test). */
export async function apiSignup(tenantName, addr) {
  const r = await api('POST', '/api/v1/signup', { body: { tenant_name: tenantName, name: `Owner ${tenantName}`, email: addr, password: PASSWORD } });
  assert.equal(r.status, 201, r.text);
  return { tenantId: r.json.tenant.id, slug: r.json.tenant.slug, token: r.json.access_token, email: addr };
}

/**
 * Logs out through the user menu. A dropdown opened while a closing modal still
 * animates can swallow the click on its item; open it again rather than fail.
 */
export async function uiLogout(page) {
  const login = page.getByTestId('login-email');
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    try {
      await login.waitFor({ timeout: 5000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      if (await login.isVisible()) return;
      await page.mouse.click(5, 5); // close a menu left open
    }
  }
}

/** Picks an option of an antd Select identified by test ids. */
export async function choose(page, selectTestId, optionTestId) {
  // A Select inside a modal that is still animating in can open its dropdown and
  // lose it again (the dropdown is positioned while the modal moves, and a click
  // that lands on the modal's wrapper closes it): open it again rather than fail.
  const option = page.getByTestId(optionTestId).last();
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(selectTestId).click();
    try {
      await option.waitFor({ state: 'visible', timeout: 5000 });
      await option.click({ timeout: 5000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/**
 * Clicks a dialog's submit button until its outcome shows. On a loaded CI box a click
 * on a button in an antd modal that has just opened has been seen to leave the dialog
 * open with nothing sent (filled fields intact, no error): click again, with a
 * screenshot of each miss, before failing.
 */
export async function submitUntil(page, button, outcome, name) {
  for (let attempt = 1; ; attempt++) {
    await button.click();
    try {
      await outcome.waitFor({ timeout: 10_000 });
      return;
    } catch (err) {
      // What the page saw of the click, and what it sent: the cause is not known yet.
      const events = await page.evaluate(() => window.__kefuEvents || []).catch(() => []);
      const report = `missed click on ${name} (attempt ${attempt}):\n  events: ${events.join(' | ')}\n  requests: ${page.requestLog.join(' | ')}\n`;
      console.log(report);
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(path.join(ARTIFACTS, `${BACKEND}-${name}-missed-click-${attempt}.txt`), report);
      if (attempt >= 3) throw err;
      await shot(page, `${name}-missed-click-${attempt}`);
    }
  }
}

/**
 * Runs body with the pages it opens tracked, and on failure saves a screenshot of each
 * under e2e/artifacts/<backend>-FAILED-<name>-<n>.png before rethrowing.
 */
export function flow(name, body) {
  return async () => {
    const pages = [];
    const track = (p) => { pages.push(p); return p; };
    try {
      await body(track);
    } catch (err) {
      for (const [i, p] of pages.entries()) {
        try { await shot(p, `FAILED-${name}-${i}`); } catch { /* page gone */ }
      }
      throw err;
    }
  };
}

/** Polls fn until it returns something truthy (and returns that), or fails after timeoutMs. */
export async function until(what, fn, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
