--TEST--
TLS: the native save handler over TLS 1.2 and 1.3 (the server autoloaded into a stock node): 3 processes x 100 locked increments of one session end at exactly 300; session data is what PHP wrote
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$worker = <<<'PHP'
$ok = 0;
for ($i = 0; $i < 100; $i++) {
    session_id(getenv('SID'));
    if (!session_start()) { continue; }
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    $_SESSION['secret'] = 'card 4111-1111';
    if (session_write_close()) { $ok++; }
}
echo "$ok\n";
PHP;
foreach (['tlsv1.2', 'tlsv1.3'] as $version) {
    $name = 'pebtlss' . str_replace('.', '', substr($version, 4)) . '_' . getmypid();
    $node = "$name@127.0.0.1";
    $pid = start_tls_node($name, 'node', $version);
    $id = new_session_id();
    $ini = tls_ini('client', erlang_session_ini($node, ['peb.default_timeout' => '5000']));
    $children = [];
    for ($p = 0; $p < 3; $p++) {
        $children[] = php_child("require '" . __DIR__ . "/../scripts/lib/php/tls.php';\n$worker", $ini, ['SID' => $id]);
    }
    $ok = 0;
    foreach ($children as $c) {
        $out = php_child_wait($c);
        preg_match('/^\d+\n$/', $out) ? $ok += (int) $out : print($out);
    }
    $check = tls_php('echo stored(getenv("SID"), getenv("NODE")), "\n", peb_linkinfo(peb_pconnect(getenv("NODE"), test_cookie()))["tls"], "\n";', $ini + ['session.save_handler' => 'files'], ['SID' => $id, 'NODE' => $node]);
    echo "== $version: $ok sessions written\n";
    echo str_replace($id, 'ID', $check);
    stop_node($pid, $name);
}
?>
--EXPECT--
== tlsv1.2: 300 sessions written
n|i:300;secret|s:14:"card 4111-1111";
TLSv1_2
== tlsv1.3: 300 sessions written
n|i:300;secret|s:14:"card 4111-1111";
TLSv1_3
