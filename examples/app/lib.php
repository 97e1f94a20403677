<?php
// What every page of the app shares: the session, a flash message, the
// products, escaping and the page frame. The session lives in an Erlang
// node only because php.ini says so (session.save_handler = erlang, set by
// scripts/start in its conf.d); nothing here knows about Erlang.
declare(strict_types=1);

const PRODUCTS = [
    'tea' => ['Green tea', 450],
    'coffee' => ['Coffee beans', 1290],
    'honey' => ['Heather honey', 780],
    'bread' => ['Rye bread', 350],
];

function e(string $s): string
{
    return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

function money(int $cents): string
{
    return sprintf('%d.%02d €', intdiv($cents, 100), $cents % 100);
}

// Starts the session, or answers 503 when the store cannot be reached
// (the handler has already logged which node failed).
function start_session(): void
{
    if (!session_start()) {
        http_response_code(503);
        header('Retry-After: 5');
        exit('The session store is unavailable; try again in a moment.');
    }
    $_SESSION['csrf'] ??= bin2hex(random_bytes(16));
}

// A POST must carry the session's token (a form field or, for fetch(), a
// header), so that another site cannot make the browser post here. A form
// posted from a page older than the session (it expired, or the store lost
// it) lands on the front page, which says so.
function require_post(): void
{
    $token = (string) ($_POST['csrf'] ?? $_SERVER['HTTP_X_CSRF_TOKEN'] ?? '');
    if ($_SERVER['REQUEST_METHOD'] === 'POST' && hash_equals($_SESSION['csrf'], $token)) {
        return;
    }
    if ($_SERVER['REQUEST_METHOD'] === 'POST' && isset($_POST['csrf'])) {
        flash('Your session has expired: please log in again.');
        redirect('/');
    }
    http_response_code(400);
    exit('Bad request.');
}

function csrf_field(): string
{
    return '<input type="hidden" name="csrf" value="' . e($_SESSION['csrf']) . '">';
}

function flash(string $message): void
{
    $_SESSION['flash'] = $message;
}

// The flash message, once: taken out of the session as it is shown.
function take_flash(): ?string
{
    $message = $_SESSION['flash'] ?? null;
    unset($_SESSION['flash']);
    return $message;
}

function redirect(string $to): never
{
    header('Location: ' . $to, true, 303);
    exit;
}

function user(): ?string
{
    return $_SESSION['user'] ?? null;
}

function page_start(string $title): void
{
    header('Content-Type: text/html; charset=utf-8');
    $web = getenv('PEB_WEB') ?: 'php';
    $user = user();
    $flash = take_flash();
    ?>
<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title><?= e($title) ?> · peb shop</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #a2003d; }
  header a { color: #a2003d; text-decoration: none; margin-right: 1rem; }
  .flash { background: #e8f6e8; border: 1px solid #7cbf7c; padding: .5rem 1rem; margin: 1rem 0; }
  .who { color: #666; font-size: .9rem; margin: 1rem 0; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; }
  td.n, th.n { text-align: right; }
  button { font: inherit; padding: .2rem .8rem; }
  form.inline { display: inline; }
</style>
<header>
  <h1><a href="/">peb shop</a></h1>
  <nav><a href="/">Cart</a><a href="/counter.php">Counter</a></nav>
</header>
<div class="who">Served by <strong id="web"><?= e($web) ?></strong> (php-fpm pid <?= getmypid() ?>).
<?php if ($user !== null): ?>
  Logged in as <strong id="user"><?= e($user) ?></strong>.
  <form class="inline" method="post" action="/logout.php"><?= csrf_field() ?><button id="logout">Log out</button></form>
  <form class="inline" method="post" action="/logout_all.php"><?= csrf_field() ?><button id="logout-all">Log out everywhere</button></form>
<?php else: ?>
  Not logged in.
<?php endif; ?>
</div>
<?php if ($flash !== null): ?>
<p class="flash" id="flash"><?= e($flash) ?></p>
<?php endif;
}
