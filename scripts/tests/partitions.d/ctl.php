<?php
// The partition checker's calls to the nodes (scripts/tests/partitions),
// past the save handler, each through a link of its own:
//   php ctl.php rpc NODE MODULE FUNCTION   prints the reply (an atom, a number)
//   php ctl.php connect NODE...            each node connects to every other
//   php ctl.php serve MS NODE...           waits (MS at most) until a session
//                                          cycle succeeds through each node alone;
//                                          prints those that never served
// The cookie is PEB_TEST_COOKIE; nodes are found through ERL_EPMD_PORT.

function call(string $node, string $m, string $f, string $fmt = '[]', array $args = [[]])
{
    $link = @peb_connect($node, getenv('PEB_TEST_COOKIE'), 2000);
    if (!$link) {
        return false;
    }
    $reply = @peb_rpc($m, $f, peb_encode($fmt, $args), $link);
    peb_close($link);
    return $reply === false ? false : peb_decode($reply)[0];
}

/** One session cycle through `$node` alone: the node serves sessions. */
function serves(string $node): bool
{
    ini_set('session.save_path', $node);
    session_id('pebpartprobe' . substr(md5($node), 0, 8));
    $warned = false;
    set_error_handler(function () use (&$warned) { $warned = true; return true; });
    $ok = session_start() && session_write_close() && !$warned;
    restore_error_handler();
    return $ok;
}

[, $cmd] = $argv + [1 => ''];
$nodes = array_slice($argv, 2);
switch ($cmd) {
    case 'rpc':
        $r = call($nodes[0], $nodes[1], $nodes[2]);
        echo is_scalar($r) ? $r : json_encode($r), "\n";
        exit($r === false ? 1 : 0);
    case 'connect':
        foreach ($nodes as $a) {
            foreach ($nodes as $b) {
                if ($a !== $b) {
                    call($a, 'net_kernel', 'connect_node', '[~a]', [[$b]]);
                }
            }
        }
        exit(0);
    case 'serve':
        $ms = (int) array_shift($nodes);
        foreach (['session.save_handler' => 'erlang', 'session.use_cookies' => '0', 'session.cache_limiter' => '',
                  'peb.default_cookie' => getenv('PEB_TEST_COOKIE'), 'peb.default_timeout' => '1000',
                  'peb.session.lock_wait' => '2000'] as $k => $v) {
            ini_set($k, $v);
        }
        $t_end = hrtime(true) + $ms * 1_000_000;
        $left = $nodes;
        while ($left && hrtime(true) < $t_end) {
            $left = array_values(array_filter($left, fn ($n) => !serves($n)));
            if ($left) {
                usleep(250_000);
            }
        }
        echo implode(' ', $left), $left ? "\n" : '';
        exit($left ? 1 : 0);
}
fwrite(STDERR, "usage: see the head of " . __FILE__ . "\n");
exit(2);
