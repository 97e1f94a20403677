--TEST--
TLS: an idle persistent TLS link survives 12 s against a TLS node with net_ticktime 4 (the ticker answers ticks through the TLS session), and stays the same link
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$name = 'pebtlstick_' . getmypid();
$pid = start_tls_node($name, 'node', 'tlsv1.2,tlsv1.3', 'require', '-kernel net_ticktime 4');
$code = <<<'PHP'
$node = getenv('NODE');
$nil = peb_encode('[]', [[]]);
$p = peb_pconnect($node, test_cookie(), 2000);
var_dump(peb_decode(peb_rpc('net_kernel', 'get_net_ticktime', $nil, $p))[0], peb_linkinfo($p)['tls']);
$before = peb_linkinfo($p)['thisnodename'];
sleep(12);
var_dump(peb_linkinfo($p)['alive']);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === $node, peb_errorno());
echo "the same link, not a new one: ", var_export(peb_linkinfo($p)['thisnodename'] === $before, true), "\n";
PHP;
echo tls_php($code, tls_ini(), ['NODE' => "$name@127.0.0.1"]);
stop_node($pid, $name);
?>
--EXPECT--
int(4)
string(7) "TLSv1_3"
bool(true)
bool(true)
int(0)
the same link, not a new one: true
