--TEST--
TLS: rpc, messages, a 2 MB term both ways and a persistent link over TLS 1.2 and TLS 1.3, against stock OTP nodes (inet_tls_dist) that require a client certificate
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$child = <<<'PHP'
$node = getenv('TLS_NODE');
$nil = peb_encode('[]', [[]]);
$l = peb_connect($node, test_cookie(), 3000);
$info = peb_linkinfo($l);
echo "connected: ", var_export($l !== false, true), ", tls: {$info['tls']}\n";
echo "rpc: ", peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === $node ? 'the node' : 'other', "\n";
// Frames of many records each way.
$big = random_bytes(2 << 20);
$back = peb_decode(peb_rpc('erlang', 'iolist_to_binary', peb_encode('[[~b]]', [[[$big]]]), $l))[0];
echo "2 MB back: ", $back === $big ? 'same' : 'differs', "\n";
peb_send_byname('peb_echo', peb_vencode('{~p,~a}', [[$l, 'hello']]), $l);
[$tag, , $msg] = peb_vdecode(peb_receive($l, 2000))[0];
echo "echo: $tag $msg\n";
peb_rpc_to('erlang', 'node', $nil, $l);
echo "rpc_to: ", peb_vdecode(peb_receive($l, 2000))[0][0], "\n";
$p = peb_pconnect($node, test_cookie(), 3000);
$again = peb_pconnect($node, test_cookie(), 3000);
echo "persistent: ", peb_linkinfo($p)['thisnodename'] === peb_linkinfo($again)['thisnodename'] ? 'one link' : 'two', ", tls: ", peb_linkinfo($p)['tls'], "\n";
echo "errno: ", peb_errorno(), "\n";
PHP;
foreach (['tlsv1.2', 'tlsv1.3'] as $version) {
    $name = 'pebtls' . str_replace('.', '', substr($version, 4)) . '_' . getmypid();
    $pid = start_tls_node($name, 'node', $version, 'require', "-eval 'peb_echo:start()'");
    echo "== $version\n";
    echo php_child_wait(php_child("require '" . __DIR__ . "/../scripts/lib/php/tls.php';\n$child", tls_ini(), ['TLS_NODE' => "$name@127.0.0.1"]));
    stop_node($pid, $name);
}
?>
--EXPECT--
== tlsv1.2
connected: true, tls: TLSv1_2
rpc: the node
2 MB back: same
echo: echo hello
rpc_to: rex
persistent: one link, tls: TLSv1_2
errno: 0
== tlsv1.3
connected: true, tls: TLSv1_3
rpc: the node
2 MB back: same
echo: echo hello
rpc_to: rex
persistent: one link, tls: TLSv1_3
errno: 0
