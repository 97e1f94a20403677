--TEST--
TLS: each refusal is false, errno 2 and a message saying which (wrong CA, expired certificate, name mismatch, no client certificate, a client certificate of another CA, TLS to a plain node, plain to a TLS node), within the timeout, with no cookie and no key material in any output
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$dir = tls_dir();
$tag = getmypid();
$pids = [];
foreach (['node', 'expired', 'wrongname'] as $cert) {
    $pids["pebtlsr{$cert}_$tag"] = start_tls_node("pebtlsr{$cert}_$tag", $cert, 'tlsv1.2,tlsv1.3', 'require');
}
$good = "pebtlsrnode_$tag@127.0.0.1";
$try = <<<'PHP'
$t0 = hrtime(true);
$l = peb_connect(getenv('NODE'), test_cookie(), 1500);
$ms = ms_since($t0);
echo var_export($l, true), ' errno ', peb_errorno(), ' in time: ', $ms < 2500 ? 'yes' : "no ($ms ms)", "\n", peb_error(), "\n";
PHP;
$cases = [
    'wrong CA' => [$good, tls_ini('client', ['peb.tls_cafile' => "$dir/other-ca.pem"])],
    'expired' => ["pebtlsrexpired_$tag@127.0.0.1", tls_ini()],
    'name mismatch' => ["pebtlsrwrongname_$tag@127.0.0.1", tls_ini()],
    'no client certificate' => [$good, tls_ini('')],
    'client certificate of another CA' => [$good, tls_ini('stranger')],
    'TLS to a plain node' => [test_node(), tls_ini()],
    'plain to a TLS node' => [$good, []],
];
$all = '';
foreach ($cases as $what => [$node, $ini]) {
    $out = tls_php($try, $ini, ['NODE' => $node]);
    $all .= $out;
    echo "== $what\n", trim(preg_replace(['/^\s*Warning: .*\n/m', '/pebtlsr(\w+?)_\d+@127\.0\.0\.1/', '/pebtest_\d+@127\.0\.0\.1/'], ['', 'NODE($1)', 'PLAIN'], $out)), "\n";
}
$key = file($dir . '/client.key', FILE_IGNORE_NEW_LINES);
printf("warnings: %d, cookie %s, key %s\n", substr_count($all, 'Warning: peb_connect()'),
    str_contains($all, test_cookie()) ? 'SHOWN' : 'absent',
    str_contains($all, 'PRIVATE KEY') || str_contains($all, $key[1]) ? 'SHOWN' : 'absent');
foreach ($pids as $name => $pid) {
    stop_node($pid, $name);
}
?>
--EXPECT--
== wrong CA
false errno 2 in time: yes
TLS with NODE(node) failed: the node's certificate is not signed by a CA of peb.tls_cafile (unknown issuer)
== expired
false errno 2 in time: yes
TLS with NODE(expired) failed: the node's certificate has expired
== name mismatch
false errno 2 in time: yes
TLS with NODE(wrongname) failed: the node's certificate is not valid for the name 127.0.0.1 (the host of the node's name)
== no client certificate
false errno 2 in time: yes
TLS with NODE(node) failed: the node requires a client certificate (set peb.tls_certfile and peb.tls_keyfile)
== client certificate of another CA
false errno 2 in time: yes
TLS with NODE(node) failed: the node refused our client certificate (is it signed by a CA the node trusts?)
== TLS to a plain node
false errno 2 in time: yes
TLS with PLAIN failed: no TLS answer in time (is it a plain node? peb.tls is on)
== plain to a TLS node
false errno 2 in time: yes
NODE(node) does not speak plain distribution (a TLS node, inet_tls_dist? set peb.tls=1)
warnings: 7, cookie absent, key absent
