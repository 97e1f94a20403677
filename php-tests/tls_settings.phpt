--TEST--
TLS: php --ri peb shows the TLS settings (paths, never key material); peb.tls* are php.ini only (ini_set refuses them); peb.tls_verify=0 accepts a node of another CA or name, warned once per process; a CA file replaced in place is read again (its mtime changed), not per request otherwise
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$dir = tls_dir();
$tag = getmypid();
$pids = ["pebtlsvnode_$tag" => start_tls_node("pebtlsvnode_$tag"), "pebtlsvwrongname_$tag" => start_tls_node("pebtlsvwrongname_$tag", 'wrongname')];
$ini = tls_ini();
$cmd = implode(' ', array_map('escapeshellarg', array_merge(php_child_cmd($ini + ['peb.tls_verify' => '0']), ['--ri', 'peb'])));
$info = (string) shell_exec($cmd);
echo "== php --ri peb\n";
foreach (explode("\n", $info) as $line) {
    if (str_starts_with($line, 'peb.tls')) {
        echo str_replace($dir, 'DIR', $line), "\n";
    }
}
$key = file("$dir/client.key", FILE_IGNORE_NEW_LINES);
echo "key material: ", str_contains($info, 'PRIVATE') || str_contains($info, $key[1]) ? 'SHOWN' : 'absent', "\n";

echo "== ini_set\n";
echo tls_php('var_dump(ini_set("peb.tls", "0"), ini_get("peb.tls"), ini_set("peb.tls_verify", "0"));', $ini);

echo "== peb.tls_verify=0\n";
$code = <<<'PHP'
foreach (explode(',', getenv('NODES')) as $node) {
    $l = peb_connect($node, test_cookie(), 3000);
    echo $l === false ? 'refused: ' . peb_error() : 'connected over ' . peb_linkinfo($l)['tls'], "\n";
}
PHP;
$nodes = "pebtlsvwrongname_$tag@127.0.0.1,pebtlsvnode_$tag@127.0.0.1";
$out = tls_php($code, tls_ini('client', ['peb.tls_verify' => '0', 'peb.tls_cafile' => "$dir/other-ca.pem"]), ['NODES' => $nodes]);
echo trim(preg_replace('/ in .+? on line \d+/', '', $out)), "\n";

echo "== the CA file replaced in place\n";
$ca = getenv('PEB_ENV_DIR') . "/ca-$tag.pem";
copy("$dir/other-ca.pem", $ca);
touch($ca, time() - 10);
$code = <<<'PHP'
$node = getenv('NODE');
$ca = getenv('CA');
var_dump(peb_connect($node, test_cookie(), 3000) !== false);
copy(getenv('GOOD'), $ca);
var_dump(peb_connect($node, test_cookie(), 3000) !== false);
PHP;
$out = tls_php($code, tls_ini('client', ['peb.tls_cafile' => $ca]), ['NODE' => "pebtlsvnode_$tag@127.0.0.1", 'CA' => $ca, 'GOOD' => "$dir/ca.pem"]);
echo trim(preg_replace(['/ in .+? on line \d+/', '/pebtlsvnode_\d+/'], ['', 'NODE'], $out)), "\n";
unlink($ca);
foreach ($pids as $name => $pid) {
    stop_node($pid, $name);
}
?>
--EXPECT--
== php --ri peb
peb.tls => 1 (every link over TLS)
peb.tls_cafile => DIR/ca.pem
peb.tls_certfile => DIR/client.pem
peb.tls_keyfile => DIR/client.key
peb.tls_verify => 0 (NOT CHECKED: any certificate is accepted)
key material: absent
== ini_set
bool(false)
string(1) "1"
bool(false)
== peb.tls_verify=0
Warning: peb_connect(): peb.tls_verify=0: the certificates of nodes are not checked, any node can pass for another
connected over TLSv1_3
connected over TLSv1_3
== the CA file replaced in place
Warning: peb_connect(): TLS with NODE@127.0.0.1 failed: the node's certificate is not signed by a CA of peb.tls_cafile (unknown issuer)
bool(false)
bool(true)
