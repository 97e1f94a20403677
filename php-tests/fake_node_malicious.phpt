--TEST--
A malicious node (malformed frames, wrong lengths, truncated terms, stray control messages, silence): every call returns an error within its timeout, the process never crashes
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/fake_node.php';
require_once __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
$timeout = 600;
$errors = [];
set_error_handler(function ($no, $msg) use (&$errors) { $errors[] = $msg; return true; });

foreach (['silent', 'garbage', 'short-frame', 'huge-length', 'truncated', 'wrong-shape', 'control', 'close'] as $mode) {
    $name = 'fake_' . str_replace('-', '_', $mode) . getmypid();
    $fake = start_fake_node($name, $mode);
    $node = "$name@127.0.0.1";

    ini_set('peb.default_timeout', (string) $timeout);
    $link = peb_connect($node, test_cookie(), $timeout);
    $t0 = hrtime(true);
    $reply = $link ? peb_rpc('erlang', 'node', peb_encode('[]', [[]]), $link) : false;
    $rpc_ms = ms_since($t0);
    $rpc = $reply === false ? 'error ' . peb_errorno() : 'reply ' . peb_print_term($reply, true);
    $t0 = hrtime(true);
    $msg = $link ? peb_receive($link, 200) : false;
    $recv_ms = ms_since($t0);

    $errors = [];
    use_erlang_sessions($node, ['peb.default_timeout' => (string) $timeout, 'peb.session.lock_wait' => '30000']);
    $t0 = hrtime(true);
    $started = @session_start();
    $session_ms = ms_since($t0);
    if ($started) {
        session_abort();
    }
    $warned = count(array_filter($errors, fn ($e) => str_contains($e, 'peb session:')));
    $cookie_seen = str_contains(implode("\n", $errors) . peb_error(), test_cookie());

    printf(
        "%-12s rpc: %s, within the timeout: %s; receive: %s; session_start: %s, warned: %s, within 2 timeouts: %s; cookie shown: %s\n",
        $mode, $rpc, $rpc_ms <= $timeout * 1.2 ? 'yes' : "no ($rpc_ms ms)",
        $msg === false && $recv_ms <= 240 ? 'false in time' : "other ($recv_ms ms)",
        $started ? 'true' : 'false', $warned > 0 ? 'yes' : 'no',
        $session_ms <= 2 * $timeout * 1.2 ? 'yes' : "no ($session_ms ms)",
        $cookie_seen ? 'yes' : 'no'
    );
    if ($link) {
        peb_close($link);
    }
    stop_fake_node($fake);
}

echo "-- the process is still sound: a real node answers\n";
$link = peb_connect(test_node(), test_cookie(), 2000);
echo peb_print_term(peb_rpc('erlang', 'node', peb_encode('[]', [[]]), $link), true) === "'" . test_node() . "'" ? "ok\n" : "wrong\n";
ob_end_flush();
?>
--EXPECT--
silent       rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
garbage      rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
short-frame  rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
huge-length  rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
truncated    rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
wrong-shape  rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
control      rpc: reply ok, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
close        rpc: error 4, within the timeout: yes; receive: false in time; session_start: false, warned: yes, within 2 timeouts: yes; cookie shown: no
-- the process is still sound: a real node answers
ok
