--TEST--
TLS: the malicious node speaking TLS distribution (malformed frames, wrong lengths, truncated terms, stray control messages, silence, inside TLS): every call returns an error within its timeout, the process never crashes
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$code = <<<'PHP'
require_once getenv('LIB') . '/fake_node.php';
ob_start();
$timeout = 600;
$errors = [];
set_error_handler(function ($no, $msg) use (&$errors) { $errors[] = $msg; return true; });
foreach (['silent', 'garbage', 'short-frame', 'huge-length', 'truncated', 'wrong-shape', 'control', 'close'] as $mode) {
    $name = 'tlsfake_' . str_replace('-', '_', $mode) . getmypid();
    $fake = start_fake_node($name, $mode, null, tls_dir());
    $node = "$name@127.0.0.1";
    $link = peb_connect($node, test_cookie(), 2000);
    $tls = $link ? peb_linkinfo($link)['tls'] : 'not connected: ' . peb_error();
    $t0 = hrtime(true);
    $reply = $link ? peb_rpc('erlang', 'node', peb_encode('[]', [[]]), $link) : false;
    $ms = ms_since($t0);
    $rpc = $reply === false ? 'error ' . peb_errorno() : 'reply ' . peb_print_term($reply, true);
    $t0 = hrtime(true);
    $msg = $link ? peb_receive($link, 200) : false;
    $recv_ms = ms_since($t0);
    printf("%-12s %s rpc: %s, within the timeout: %s; receive: %s; cookie shown: %s\n", $mode, $tls, $rpc,
        $ms <= $timeout * 1.2 ? 'yes' : "no ($ms ms)", $msg === false && $recv_ms <= 240 ? 'false in time' : "other ($recv_ms ms)",
        str_contains(implode("\n", $errors) . peb_error(), test_cookie()) ? 'yes' : 'no');
    if ($link) {
        peb_close($link);
    }
    stop_fake_node($fake);
}
echo "-- the process is still sound: a TLS node answers\n";
ob_end_flush();
PHP;
echo tls_php($code, tls_ini('client', ['peb.default_timeout' => '600']), ['LIB' => __DIR__ . '/../scripts/lib/php']);
$name = 'pebtlsfk_' . getmypid();
$pid = start_tls_node($name);
echo tls_php('var_dump(peb_decode(peb_rpc("erlang", "node", peb_encode("[]", [[]]), peb_connect(getenv("NODE"), test_cookie(), 2000)))[0] === getenv("NODE"));', tls_ini(), ['NODE' => "$name@127.0.0.1"]);
stop_node($pid, $name);
?>
--EXPECT--
silent       TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
garbage      TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
short-frame  TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
huge-length  TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
truncated    TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
wrong-shape  TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
control      TLSv1_3 rpc: reply ok, within the timeout: yes; receive: false in time; cookie shown: no
close        TLSv1_3 rpc: error 4, within the timeout: yes; receive: false in time; cookie shown: no
-- the process is still sound: a TLS node answers
bool(true)
