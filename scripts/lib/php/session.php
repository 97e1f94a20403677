<?php
// Helpers for tests of the native save handler (session.save_handler =
// erlang): settings, a fresh session id, what the node holds (read past
// the handler), and PHP child processes for tests of concurrency.
require_once __DIR__ . '/node.php';

/** The settings that put sessions in `$save_path` (the test node by default). */
function erlang_session_ini(?string $save_path = null, array $extra = []): array
{
    return $extra + [
        'session.save_handler' => 'erlang',
        'session.save_path' => $save_path ?? test_node(),
        'peb.default_cookie' => test_cookie(),
        'peb.default_timeout' => '2000',
        'session.use_cookies' => '0',
        'session.cache_limiter' => '',
        'session.gc_probability' => '0',
    ];
}

function use_erlang_sessions(?string $save_path = null, array $extra = []): void
{
    foreach (erlang_session_ini($save_path, $extra) as $k => $v) {
        if (ini_set($k, (string) $v) === false) {
            echo "ini_set($k) failed\n";
        }
    }
}

function new_session_id(): string { return 'peb' . bin2hex(random_bytes(12)); }

/** One session cycle: start with `$id`, let `$change` edit the data, write. */
function session_cycle(string $id, callable $change): bool
{
    session_id($id);
    if (!session_start()) {
        return false;
    }
    $change();
    return session_write_close();
}

/**
 * A call to `$m:$f` on the test node (or `$node`), past the save handler,
 * through the process's persistent link: the one the save handler uses, so
 * that the call reaches the node after the writes the handler sent.
 */
function node_call(string $m, string $f, string $fmt = '[]', array $args = [[]], ?string $node = null)
{
    $link = peb_pconnect($node ?? test_node(), test_cookie(), 2000);
    $reply = peb_rpc($m, $f, peb_encode($fmt, $args), $link);
    return $reply === false ? false : peb_decode($reply)[0];
}

/** What the store holds for `$id` ('' when missing or expired), read through the server. */
function stored(string $id, ?string $node = null): string
{
    return node_call('session_handler', 'read', '[~b]', [[$id]], $node);
}

function server_stats(?string $node = null): array
{
    return node_call('session_handler', 'stats', '[]', [[]], $node);
}

/** The command line of a PHP child with the extension and these settings. */
function php_child_cmd(array $ini): array
{
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . getenv('PEB_EXTENSION')];
    foreach ($ini as $k => $v) {
        array_push($cmd, '-d', "$k=$v");
    }
    return $cmd;
}

/** Starts a PHP child running `$code` (stdout and stderr piped); returns [proc, pipes].
 * The child ends itself (SIGALRM) after PHP_CHILD_LIMIT_S seconds: a test
 * that run-tests.php stops at its timeout cannot wait for its children,
 * and a child looping on a store that is gone must not outlive it. */
const PHP_CHILD_LIMIT_S = 150;
function php_child(string $code, array $ini, array $env = []): array
{
    $limit = 'function_exists("pcntl_alarm") && pcntl_alarm(' . PHP_CHILD_LIMIT_S . ');';
    $proc = proc_open(
        array_merge(php_child_cmd($ini), ['-r', $limit . $code]),
        [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
        $pipes,
        null,
        $env + getenv()
    );
    fclose($pipes[0]);
    return [$proc, $pipes];
}

/** Waits for a child; returns its stdout and stderr joined. */
function php_child_wait(array $child): string
{
    [$proc, $pipes] = $child;
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    proc_close($proc);
    return $out;
}

/** Reads one line from a child's stdout (within $ms). */
function php_child_line(array $child, int $ms = 10000): string
{
    $r = [$child[1][1]];
    $w = $e = null;
    return stream_select($r, $w, $e, intdiv($ms, 1000), ($ms % 1000) * 1000) ? (string) fgets($child[1][1]) : '';
}
