--TEST--
Links: connect, rpc, badrpc as data, the default link, two links at once, linkinfo, close
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/node.php';
$node = test_node();
$l = peb_connect($node, test_cookie(), 2000);
var_dump(get_resource_type($l), peb_errorno(), peb_error());

$nil = peb_encode('[]', [[]]);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === $node);
echo peb_print_term(peb_rpc('lists', 'reverse', peb_encode('[~v]', [[[1, 2, 3]]])), true), "\n";
echo peb_print_term(peb_rpc('erlang', 'list_to_tuple', peb_encode('[[~a,~s,~i]]', [[['x', 'y', 3]]])), true), "\n";

// A hidden node: listed by nodes(hidden), not by nodes().
$me = peb_linkinfo($l)['thisnodename'];
var_dump(in_array($me, peb_decode(peb_rpc('erlang', 'nodes', peb_encode('[~a]', [['hidden']])))[0], true));
var_dump(in_array($me, peb_decode(peb_rpc('erlang', 'nodes', $nil))[0], true));

// {badrpc, ...} is data, as mypeb returned it.
$bad = peb_decode(peb_rpc('no_such_module', 'f', $nil))[0];
var_dump($bad[0], $bad[1][0]);

// The link opened last is used where the argument is left out.
$l2 = peb_connect($node, test_cookie());
$i1 = peb_linkinfo($l);
$i2 = peb_linkinfo();
var_dump($i1['thisnodename'] !== $i2['thisnodename'], $i2 === peb_linkinfo($l2));
var_dump(array_keys($i1), $i1['connectcookie'], $i1['is_persistent'], $i1['node'] === $node);
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === peb_decode(peb_rpc('erlang', 'node', $nil, $l2))[0]);

// ~p is the link's pid.
echo preg_replace('/<peb_.*@127\.0\.0\.1\./', '<LOCAL.', peb_print_term(peb_encode('~p', [$l]), true)), "\n";

var_dump(peb_close($l2));
var_dump(peb_rpc('erlang', 'node', $nil, $l2), peb_errorno(), peb_error());
var_dump(peb_rpc('erlang', 'node', $nil), peb_errorno(), peb_error());
var_dump(peb_decode(peb_rpc('erlang', 'node', $nil, $l))[0] === $node);
ob_start(); peb_status(); $status = ob_get_clean();
echo preg_replace('/^default link: .*$/m', 'default link: (none after close)', $status);
?>
--EXPECT--
string(17) "PHP-Erlang Bridge"
int(0)
NULL
bool(true)
[3,2,1]
{x,"y",3}
bool(true)
bool(false)
string(6) "badrpc"
string(4) "EXIT"
bool(true)
bool(true)
array(9) {
  [0]=>
  string(12) "thishostname"
  [1]=>
  string(12) "thisnodename"
  [2]=>
  string(13) "thisalivename"
  [3]=>
  string(13) "connectcookie"
  [4]=>
  string(8) "creation"
  [5]=>
  string(13) "is_persistent"
  [6]=>
  string(4) "node"
  [7]=>
  string(5) "alive"
  [8]=>
  string(3) "tls"
}
string(8) "********"
int(0)
bool(true)
bool(true)
#Pid<LOCAL.1.0>
bool(true)
bool(false)
int(2)
string(18) "the link is closed"
bool(false)
int(2)
string(51) "no link: call peb_connect() or peb_pconnect() first"
bool(true)
default link: (none after close)
num link: 2
num persistent: 0
