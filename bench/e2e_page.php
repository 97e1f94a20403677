<?php
// The page bench/e2e serves for every session handler: start the session
// (the handler is whatever the php-fpm pool says), change it, release the
// lock with session_write_close() before rendering, as a well-behaved app
// does, then render a small (~2 KB) HTML page showing the count.
// A session that cannot be started or written answers 500, so that wrk
// counts it among the errors.
$ok = session_start();
if ($ok) {
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    $_SESSION['data'] ??= str_repeat('x', 1000);
    $ok = session_write_close();
}
if (!$ok) {
    http_response_code(500);
}
$n = (int) ($_SESSION['n'] ?? 0);
$handler = htmlspecialchars((string) ini_get('session.save_handler'));
$id = htmlspecialchars(session_id() ?: '');
$rows = '';
for ($i = 1; $i <= 20; $i++) {
    $rows .= "      <tr><td>item $i</td><td>" . ($n * $i) . "</td><td>" . str_repeat('&middot;', 4) . "</td></tr>\n";
}
?>
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Session benchmark: <?= $handler ?></title>
  <style>
    body { font-family: sans-serif; margin: 2em; color: #222; }
    table { border-collapse: collapse; }
    td { border: 1px solid #ccc; padding: 0.2em 0.6em; }
  </style>
</head>
<body>
  <h1>Hello, visitor</h1>
  <p>Handler: <code><?= $handler ?></code>, session <code><?= $id ?></code>.</p>
  <p>You have seen this page <span id="count"><?= $n ?></span> times.</p>
  <table>
    <tbody>
<?= $rows ?>
    </tbody>
  </table>
  <p><?= $ok ? 'Session saved.' : 'Session failed.' ?></p>
</body>
</html>
