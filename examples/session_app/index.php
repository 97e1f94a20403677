<?php
// A small app whose sessions live in an Erlang node: a visit counter and a
// login form. Nothing here knows about Erlang; php.ini does it all:
//   session.save_handler = erlang
//   session.save_path    = "peb_demo@127.0.0.1"
declare(strict_types=1);

session_start();
$_SESSION['visits'] = ($_SESSION['visits'] ?? 0) + 1;

$action = $_POST['action'] ?? '';
if ($action === 'login' && trim((string) ($_POST['name'] ?? '')) !== '') {
    session_regenerate_id(true); // a new id at login: no session fixation
    $_SESSION['user'] = trim((string) $_POST['name']);
} elseif ($action === 'logout') {
    $_SESSION = [];
    session_destroy();
    header('Location: /');
    exit;
}

$user = $_SESSION['user'] ?? null;
$e = fn(string $s): string => htmlspecialchars($s, ENT_QUOTES);
header('Content-Type: text/html; charset=utf-8');
?>
<!doctype html>
<title>Sessions in Erlang</title>
<h1>Sessions in Erlang</h1>
<p>Visits in this session: <strong id="visits"><?= $_SESSION['visits'] ?></strong></p>
<p>Session node: <code><?= $e(ini_get('session.save_path')) ?></code>, handler <code><?= $e(session_module_name()) ?></code></p>
<?php if ($user === null): ?>
<form method="post">
  <label>Name <input name="name" autofocus></label>
  <button name="action" value="login">Log in</button>
</form>
<?php else: ?>
<p>Logged in as <strong id="user"><?= $e($user) ?></strong>.</p>
<form method="post"><button name="action" value="logout">Log out</button></form>
<?php endif; ?>
