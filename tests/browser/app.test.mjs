// examples/app in headless Chromium against the deployment of
// scripts/lib/deploy with the ETS store (one Erlang node): nginx on WEB1 ->
// php-fpm web1, nginx on WEB2 -> php-fpm web2. The tests run in order and
// share one browser, as one user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WEB1, WEB2, SCREENSHOT, T, b, open, text, count, sessionId, cart, pidOnPage, deploy, login, add,
  secondBrowser } from './browser.mjs';

test('login on web1: a new session id, the flash shows once', T, async () => {
  await open(`${WEB1}/`);
  assert.equal(await text('#web'), 'web1');
  assert.equal(await count('#user'), 0);
  const before = await sessionId();
  assert.ok(before, 'the first page starts a session');
  await login('Ada');
  assert.equal(await text('#flash'), 'Welcome, Ada!');
  const after = await sessionId();
  assert.ok(after && after !== before, 'session_regenerate_id at login');
  await b.page.reload();
  assert.equal(await count('#flash'), 0, 'the flash is gone on the next page');
  assert.equal(await text('#user'), 'Ada');
});

test('the cart fills, and survives a reload', T, async () => {
  await add('tea');
  assert.equal(await text('#flash'), 'Added Green tea to your cart.');
  await add('tea');
  await add('honey');
  assert.deepEqual(await cart(), { tea: 2, honey: 1 });
  await b.page.reload();
  assert.equal(await count('#flash'), 0);
  assert.deepEqual(await cart(), { tea: 2, honey: 1 });
  assert.equal(await text('#items'), '3');
  assert.equal(await text('#total'), '16.80 €');
  if (SCREENSHOT) {
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await b.page.screenshot({ path: SCREENSHOT, fullPage: true });
  }
});

test('web2 (the other php-fpm pool) sees the same session', T, async () => {
  const id = await sessionId();
  await open(`${WEB2}/`);
  assert.equal(await text('#web'), 'web2');
  assert.equal(await sessionId(), id, 'the same cookie on both ports');
  assert.equal(await text('#user'), 'Ada');
  assert.deepEqual(await cart(), { tea: 2, honey: 1 });
  await add('coffee');
  await open(`${WEB1}/`);
  assert.equal(await text('#web'), 'web1');
  assert.deepEqual(await cart(), { tea: 2, honey: 1, coffee: 1 });
});

test('20 parallel fetch() increments end at exactly 20', T, async () => {
  await open(`${WEB2}/counter.php`);
  await b.page.click('#reset');
  await b.page.locator('#counter').filter({ hasText: /^0$/ }).waitFor();
  const replies = [];
  // Only the increments: the reset's response event can come after its
  // result is on the page, so it is told apart by its body, not its time.
  b.page.on('response', (r) => {
    if (r.url().endsWith('/increment.php') && /action=increment/.test(r.request().postData() ?? '')) replies.push(r.status());
  });
  await b.page.click('#fire');
  await b.page.locator('#result').filter({ hasText: /done|failed/ }).waitFor({ timeout: 120_000 });
  const result = await text('#result');
  assert.match(result, /^20 requests done/, result);
  assert.equal(await text('#counter'), '20');
  // Each request saw its own value: they took turns on the session's lock.
  const seen = result.split(': ')[1].split(' ').map(Number);
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(replies.length, 20, "20 increments answered");
  assert.ok(replies.every((s) => s === 200), `statuses ${replies}`);
  await open(`${WEB1}/counter.php`);
  assert.equal(await text('#counter'), '20', 'web1 reads the same counter');
});

test('restarting php-fpm keeps the session', T, async () => {
  await open(`${WEB1}/`);
  const pid = await pidOnPage();
  deploy('restart', 'fpm');
  await open(`${WEB1}/`);
  assert.notEqual(await pidOnPage(), pid, 'a new php-fpm answered');
  assert.equal(await text('#user'), 'Ada');
  assert.deepEqual(await cart(), { tea: 2, honey: 1, coffee: 1 });
  await open(`${WEB2}/`);
  assert.deepEqual(await cart(), { tea: 2, honey: 1, coffee: 1 });
});

test('logout destroys the session, on both web servers', T, async () => {
  const old = await sessionId();
  await Promise.all([b.page.waitForURL(/\/$/), b.page.click('#logout')]);
  assert.equal(await count('#user'), 0);
  assert.equal(await count('#login'), 1);
  const fresh = await sessionId();
  assert.ok(fresh && fresh !== old, 'a new session after logout');
  // The old id, sent again (to the other web server), finds nothing: with
  // use_strict_mode the unknown id is replaced too.
  await b.context.clearCookies();
  await b.context.addCookies([{ name: 'PHPSESSID', value: old, url: WEB1 }]);
  await open(`${WEB1}/`);
  assert.equal(await count('#user'), 0);
  assert.notEqual(await sessionId(), old);
});

test('restarting the Erlang node (ETS store): sessions are gone, the user is logged out', T, async () => {
  await open(`${WEB2}/`);
  await login('<b>Bo</b>');
  assert.equal(await text('#user'), '<b>Bo</b>', 'the name is shown escaped, as text');
  await add('bread');
  assert.deepEqual(await cart(), { bread: 1 });
  await open(`${WEB1}/counter.php`);
  await b.page.click('#fire');
  await b.page.locator('#result').filter({ hasText: /done|failed/ }).waitFor({ timeout: 120_000 });
  assert.equal(await text('#counter'), '20');
  await open(`${WEB2}/`);
  deploy('stop', 'node');
  // While the node is down: an error page, at once (in a second tab).
  const tab = await b.context.newPage();
  const down = await tab.goto(`${WEB1}/`);
  assert.equal(down.status(), 503);
  assert.match(await tab.locator('body').textContent(), /session store is unavailable/);
  await tab.close();
  deploy('start', 'node');
  // The cart page still open from before: its next click finds no session.
  assert.equal(await text('#user'), '<b>Bo</b>', 'the page from before the restart');
  await add('bread');
  assert.equal(await text('#flash'), 'Your session has expired: please log in again.');
  assert.equal(await count('#user'), 0, 'logged out');
  assert.equal(await count('#login'), 1);
  await b.page.reload();
  assert.equal(await count('#flash'), 0);
  await open(`${WEB2}/`);
  assert.equal(await count('#user'), 0);
  await open(`${WEB1}/`);
  assert.equal(await count('#user'), 0);
  await open(`${WEB1}/counter.php`);
  assert.equal(await text('#counter'), '0', 'the counter (20 before) is gone too');
  await open(`${WEB1}/`);
  // The site works on: a new login and cart on the new node.
  await login('Bo');
  await add('bread');
  assert.deepEqual(await cart(), { bread: 1 });
  await open(`${WEB2}/`);
  assert.deepEqual(await cart(), { bread: 1 });
});

test('log out everywhere: the other browser\'s next click lands on the login form', T, async () => {
  // This browser is logged in as Bo (on web1); a second one logs in as Bo on web2.
  await open(`${WEB1}/`);
  assert.equal(await text('#user'), 'Bo');
  const other = await secondBrowser();
  try {
    await other.page.goto(`${WEB2}/`);
    await other.page.fill('#name', 'Bo');
    await Promise.all([other.page.waitForURL(/\/$/), other.page.click('#login')]);
    assert.equal((await other.page.locator('#user').textContent()).trim(), 'Bo');
    await Promise.all([other.page.waitForURL(/\/$/), other.page.click('#add-tea')]);
    assert.equal(await other.page.locator('#cart tr[data-sku="tea"]').count(), 1);
    // This one presses the button: both of Bo's sessions go.
    await Promise.all([b.page.waitForURL(/\/$/), b.page.click('#logout-all')]);
    assert.equal(await text('#flash'), 'Logged out of 2 sessions.');
    assert.equal(await count('#user'), 0);
    assert.equal(await count('#login'), 1);
    // The other browser's page still shows Bo's cart; its next click lands on the login form.
    await Promise.all([other.page.waitForURL(/\/$/), other.page.click('#add-honey')]);
    assert.equal(await other.page.locator('#user').count(), 0, 'logged out');
    assert.equal(await other.page.locator('#login').count(), 1);
    assert.equal((await other.page.locator('#flash').textContent()).trim(), 'Your session has expired: please log in again.');
  } finally {
    await other.close();
  }
});

test('no script error on any page', () => {
  assert.deepEqual(b.errors, []);
});
