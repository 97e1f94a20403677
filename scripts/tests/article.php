<?php
// The PHP half of scripts/tests/article: one step of the 2009 article's
// flow per run (a fresh PHP process each, as web requests are), against
// the node $PEB_ARTICLE_NODE whose shell compiled the one file
// session_handler.erl and ran session_handler:start(). Prints "PASS step"
// or "FAIL step: why"; exits non-zero on FAIL.
//   userland ID   the article's userland handler writes a session (classic store)
//   native ID     the native handler (session.save_handler = erlang) reads it, adds to it
//   classic ID    the article's API (read, gc, destroy) sees the native handler's write
require __DIR__ . '/../../php/ErlangSessionHandler.php';

[, $step, $id] = $argv;
$node = getenv('PEB_ARTICLE_NODE');
$cookie = getenv('PEB_TEST_COOKIE');
ini_set('session.use_cookies', '0');
ini_set('session.cache_limiter', '');
ini_set('session.gc_probability', '0');
ini_set('session.serialize_handler', 'php');
// The CLI counts headers as sent at the first output: held back until the end.
ob_start();

function check(string $step, bool $ok, string $why): never
{
    $out = ob_get_clean();
    echo $ok ? "PASS $step\n" : "FAIL $step: $why (output: $out)\n";
    exit($ok ? 0 : 1);
}

function call(string $node, string $cookie, string $f, string $fmt, array $args)
{
    $link = peb_connect($node, $cookie, 2000);
    $reply = $link === false ? false : peb_rpc('session_handler', $f, peb_encode($fmt, [$args]), $link);
    return $reply === false ? 'rpc failed: ' . peb_error() : peb_decode($reply)[0];
}

switch ($step) {
    case 'userland':
        // The store the shell started is the classic one: ensure/0 says version 0.
        $ensure = call($node, $cookie, 'ensure', '[]', []);
        session_set_save_handler(new ErlangSessionHandler($node, $cookie, 2000), true);
        session_id($id);
        $ok = session_start();
        $_SESSION['by'] = ['userland'];
        $ok = $ok && session_write_close();
        check('userland handler wrote to the classic store', $ok && $ensure === ['ok', 0]
            && call($node, $cookie, 'read', '[~s]', [$id]) === 'by|a:1:{i:0;s:8:"userland";}',
            'ensure: ' . var_export($ensure, true));
    case 'native':
        ini_set('session.save_handler', 'erlang');
        ini_set('session.save_path', $node);
        ini_set('peb.default_cookie', $cookie);
        session_id($id);
        $ok = session_start();
        $seen = $_SESSION['by'] ?? null;
        $_SESSION['by'][] = 'native';
        $ok = $ok && session_write_close();
        check('native handler read the userland session and wrote to it', $ok && $seen === ['userland'],
            'read ' . var_export($seen, true));
    case 'classic':
        $held = call($node, $cookie, 'read', '[~s]', [$id]);
        $gc = call($node, $cookie, 'gc', '[~i]', [1440]);
        $destroyed = call($node, $cookie, 'destroy', '[~s]', [$id]);
        $after = call($node, $cookie, 'read', '[~s]', [$id]);
        check('the article API reads the native write, gc and destroy work',
            $held === 'by|a:2:{i:0;s:8:"userland";i:1;s:6:"native";}' && $gc === 0 && $destroyed === 'ok' && $after === '',
            var_export([$held, $gc, $destroyed, $after], true));
}
check($step, false, 'unknown step');
