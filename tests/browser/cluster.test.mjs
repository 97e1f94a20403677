// examples/app in headless Chromium against the deployment of
// scripts/lib/deploy with the replicated store (`start --cluster`: three Erlang
// nodes of a Mnesia cluster with disc copies, PHP's save path listing all
// three, node 1 first). What a user sees when the node PHP uses restarts,
// and when every node does: nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WEB1, WEB2, T, b, open, text, count, sessionId, cart, deploy, login, add } from './browser.mjs';

test('log in and fill the cart', T, async () => {
  await open(`${WEB1}/`);
  await login('Cy');
  assert.equal(await text('#user'), 'Cy');
  await add('tea');
  await add('tea');
  assert.deepEqual(await cart(), { tea: 2 });
});

test('the node PHP uses stops and comes back: still logged in, the cart kept, no error', T, async () => {
  const id = await sessionId();
  deploy('stop', 'node1');
  await open(`${WEB1}/`);
  assert.equal(await text('#user'), 'Cy');
  assert.deepEqual(await cart(), { tea: 2 });
  await open(`${WEB2}/`);
  await add('honey');
  assert.deepEqual(await cart(), { tea: 2, honey: 1 });
  deploy('start', 'node1');
  await open(`${WEB1}/`);
  assert.equal(await count('#flash'), 0);
  assert.equal(await text('#user'), 'Cy');
  assert.deepEqual(await cart(), { tea: 2, honey: 1 });
  assert.equal(await sessionId(), id, 'the same session throughout');
});

test('every node restarts (disc copies): the session is still there', T, async () => {
  deploy('restart', 'node');
  await open(`${WEB2}/`);
  assert.equal(await text('#user'), 'Cy');
  assert.deepEqual(await cart(), { tea: 2, honey: 1 });
});

test('20 parallel fetch() increments end at exactly 20 on the cluster', T, async () => {
  await open(`${WEB1}/counter.php`);
  await b.page.click('#reset');
  await b.page.locator('#counter').filter({ hasText: /^0$/ }).waitFor();
  await b.page.click('#fire');
  await b.page.locator('#result').filter({ hasText: /done|failed/ }).waitFor({ timeout: 120_000 });
  assert.match(await text('#result'), /^20 requests done/);
  assert.equal(await text('#counter'), '20');
});

test('no script error on any page', () => {
  assert.deepEqual(b.errors, []);
});
