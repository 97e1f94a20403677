<?php
// One counter in the session, and a button that fires 20 fetch() calls at
// once, each adding 1. Session locking (peb.session.locking = 1, the
// default) makes them take turns, so the counter ends 20 higher.
require __DIR__ . '/lib.php';
start_session();
page_start('Counter');
?>
<h2>Counter</h2>
<p>The counter in your session: <strong id="counter"><?= (int) ($_SESSION['counter'] ?? 0) ?></strong></p>
<p>
  <button id="fire">Fire 20 parallel increments</button>
  <button id="reset">Reset</button>
</p>
<p id="result"></p>
<script>
const csrf = <?= json_encode($_SESSION['csrf'], JSON_HEX_TAG | JSON_HEX_AMP) ?>;
const post = (action) => fetch('/increment.php', {
  method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: 'action=' + action,
}).then((r) => r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status)));
const show = (n) => { document.getElementById('counter').textContent = n; };
document.getElementById('fire').onclick = async () => {
  const result = document.getElementById('result');
  result.textContent = 'running…';
  try {
    const replies = await Promise.all(Array.from({ length: 20 }, () => post('increment')));
    const seen = replies.map((r) => r.counter).sort((a, b) => a - b);
    show(Math.max(...seen));
    result.textContent = '20 requests done; each saw its own value: ' + seen.join(' ');
  } catch (e) {
    result.textContent = 'failed: ' + e.message;
  }
};
document.getElementById('reset').onclick = async () => show((await post('reset')).counter);
</script>
