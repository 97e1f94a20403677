--TEST--
Links: an idle persistent link survives 12 s against a node with net_ticktime 4 (ticks are answered in the background)
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$name = 'pebtick_' . getmypid();
$node = "$name@127.0.0.1";
$nil = peb_encode('[]', [[]]);
$pid = start_node($name, '-kernel net_ticktime 4');
$p = peb_pconnect($node, test_cookie(), 2000);
var_dump(peb_decode(peb_rpc('net_kernel', 'get_net_ticktime', $nil, $p))[0]);
$before = peb_linkinfo($p)['thisnodename'];
sleep(12);
var_dump(peb_linkinfo($p)['alive']);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === $node, peb_errorno());
echo "the same link, not a new one: ", var_export(peb_linkinfo($p)['thisnodename'] === $before, true), "\n";
stop_node($pid, $name);
?>
--EXPECT--
int(4)
bool(true)
bool(true)
int(0)
the same link, not a new one: true
