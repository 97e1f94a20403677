--TEST--
TLS: the save handler with peb.tls=1 skips the save path's nodes it cannot use over TLS (an expired certificate, a plain node) and the next one serves; with none usable, one warning names each node and why, and session_start() is false within the timeouts
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$tag = getmypid();
$pids = [];
foreach (['node', 'expired'] as $cert) {
    $pids["pebtlsf{$cert}_$tag"] = start_tls_node("pebtlsf{$cert}_$tag", $cert);
}
$good = "pebtlsfnode_$tag@127.0.0.1";
$expired = "pebtlsfexpired_$tag@127.0.0.1";
$cycle = <<<'PHP'
$id = new_session_id();
$t0 = hrtime(true);
$ok = session_cycle($id, function () { $_SESSION['via'] = 'tls'; });
$ms = ms_since($t0);
echo "cycle: ", var_export($ok, true), ", in time: ", $ms < 3500 ? 'yes' : "no ($ms ms)", "\n";
if ($ok) {
    session_id($id);
    session_start();
    echo "read back: {$_SESSION['via']}\n";
    session_abort();
}
PHP;
$mask = fn ($s) => preg_replace(['/pebtlsf(\w+?)_\d+@127\.0\.0\.1/', '/pebtest_\d+@127\.0\.0\.1/', '/ in \S+ on line \d+/'], ['NODE($1)', 'PLAIN', ''], $s);
$ini = fn ($path) => tls_ini('client', erlang_session_ini($path, ['peb.default_timeout' => '1500']));
echo "== expired, plain, good\n";
echo $mask(tls_php($cycle, $ini("$expired," . test_node() . ",$good")));
echo "== expired, plain\n";
$out = tls_php($cycle, $ini("$expired," . test_node()));
echo trim($mask($out)), "\n";
echo "cookie: ", str_contains($out, test_cookie()) ? 'SHOWN' : 'absent', "\n";
foreach ($pids as $name => $pid) {
    stop_node($pid, $name);
}
?>
--EXPECT--
== expired, plain, good
cycle: true, in time: yes
read back: tls
== expired, plain
Warning: session_start(): peb session: no session node could be used: TLS with NODE(expired) failed: the node's certificate has expired; TLS with PLAIN failed: no TLS answer in time (is it a plain node? peb.tls is on)

Warning: session_start(): Failed to initialize storage module: erlang (path: NODE(expired),PLAIN)
cycle: false, in time: yes
cookie: absent
