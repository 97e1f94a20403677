// What the browser tests share: one headless Chromium (Debian's, driven by
// playwright-core) per test file, as one user, and the helpers that read
// examples/app's pages. scripts/tests/browser sets WEB1, WEB2 (nginx in
// front of php-fpm web1 and web2) and DEPLOY (scripts/lib/deploy, to stop and
// start parts of the deployment).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const { WEB1, WEB2, DEPLOY, SCREENSHOT } = process.env;
assert.ok(WEB1 && WEB2 && DEPLOY, 'WEB1, WEB2 and DEPLOY come from scripts/tests/browser');
export const T = { timeout: 180_000 };

/** The browser of this test file: b.context and b.page once `before` ran. */
export const b = { context: null, page: null, errors: [] };
let profile;

before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'peb-chromium-'));
  b.context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 120_000,
    viewport: { width: 900, height: 760 },
    // Without the background-networking flags Chromium tries to reach
    // Google's services, which this closed network refuses.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  b.context.setDefaultTimeout(60_000);
  b.context.setDefaultNavigationTimeout(60_000);
  b.page = b.context.pages()[0] ?? await b.context.newPage();
  b.page.on('pageerror', (e) => b.errors.push(e.message));
});

after(async () => {
  await b.context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

/** A second browser (its own profile and cookies), as another device of
 * the same user; closed by the caller. */
export async function secondBrowser() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peb-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 120_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => b.errors.push(e.message));
  const close = async () => {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { context, page, close };
}

export async function open(url) {
  const response = await b.page.goto(url);
  assert.equal(response.status(), 200, `GET ${url}`);
}
export const text = async (sel) => (await b.page.locator(sel).textContent()).trim();
export const count = (sel) => b.page.locator(sel).count();
export async function sessionId() {
  const c = (await b.context.cookies(WEB1)).find((c) => c.name === 'PHPSESSID');
  return c?.value;
}
export async function cart() {
  if (await count('#cart') === 0) return {};
  const rows = await b.page.locator('#cart tr[data-sku]').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.sku, Number(tr.querySelector('.qty').textContent)]));
  return Object.fromEntries(rows);
}
export const pidOnPage = async () => Number((await text('.who')).match(/php-fpm pid (\d+)/)[1]);
export function deploy(...args) {
  execFileSync(DEPLOY, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120_000 });
}
export async function login(name) {
  await b.page.fill('#name', name);
  await Promise.all([b.page.waitForURL(/\/$/), b.page.click('#login')]);
}
export async function add(sku) {
  await Promise.all([b.page.waitForURL(/\/$/), b.page.click(`#add-${sku}`)]);
}
