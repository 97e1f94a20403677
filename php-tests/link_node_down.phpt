--TEST--
Links: a node killed in the middle of a call fails the call at once; a persistent link is replaced unseen after the node restarts
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$name = 'pebdown_' . getmypid();
$node = "$name@127.0.0.1";
$nil = peb_encode('[]', [[]]);

$pid = start_node($name);
$l = peb_connect($node, test_cookie(), 2000);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === $node);

// kill -9 the node 300 ms into a 3 s call; the call must end when the link drops.
shell_exec("(sleep 0.3; kill -9 $pid) >/dev/null 2>&1 &");
$t0 = hrtime(true);
var_dump(peb_rpc('timer', 'sleep', peb_encode('[~i]', [[3000]]), $l), peb_errorno(), peb_error());
echo "failed as the node died: ", var_export(ms_since($t0) < 2000, true), "\n";
stop_node($pid, $name, 9);
var_dump(peb_rpc('erlang', 'node', $nil, $l), peb_errorno());
var_dump(peb_linkinfo($l)['alive']);

// A persistent link to a node that restarts: PHP code sees no error.
$pid = start_node($name);
$p = peb_pconnect($node, test_cookie(), 2000);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $p))[0] === $node);
$before = peb_linkinfo($p)['thisnodename'];
// kill -9: a node stopped gently can still answer on its old link while a
// new node of the same name registers, and then nothing needs replacing.
stop_node($pid, $name, 9);
$pid = start_node($name);
$r = peb_rpc('erlang', 'node', $nil, $p);
var_dump(peb_errorno(), peb_error(), peb_decode($r)[0] === $node);
echo "replaced by a new link: ", var_export(peb_linkinfo($p)['thisnodename'] !== $before, true), "\n";
stop_node($pid, $name);
?>
--EXPECTF--
bool(true)
bool(false)
int(4)
string(%d) "pebdown_%d@127.0.0.1 closed the link during the call"
failed as the node died: true
bool(false)
int(3)
bool(false)
bool(true)
int(0)
NULL
bool(true)
replaced by a new link: true
