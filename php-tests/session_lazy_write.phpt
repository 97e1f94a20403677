--TEST--
Native save handler: with session.lazy_write, unchanged data costs one touch and no write; changed data is written
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions(test_node(), ['session.lazy_write' => '1']);
$id = new_session_id();
session_cycle($id, function () { $_SESSION['a'] = 1; });

// The test node is shared with other tests running at the same time, so
// the counters are compared on a node of this test's own.
$name = 'lazy' . getmypid();
$pid = start_node($name);
$node = "$name@127.0.0.1";
use_erlang_sessions($node, ['session.lazy_write' => '1']);
session_cycle($id, function () { $_SESSION['a'] = 1; });
$before = server_stats($node);
for ($i = 0; $i < 5; $i++) {
    session_cycle($id, function () { $_SESSION['a'] = 1; });
}
$after = server_stats($node);
echo "unchanged x5: writes +", $after['writes'] - $before['writes'], ", touches +", $after['touches'] - $before['touches'], "\n";

session_cycle($id, function () { $_SESSION['a'] = 2; });
$last = server_stats($node);
echo "changed x1: writes +", $last['writes'] - $after['writes'], ", touches +", $last['touches'] - $after['touches'], "\n";
var_dump(stored($id, $node));
echo "locks held: ", $last['locks'], "\n";

ini_set('session.lazy_write', '0');
session_cycle($id, function () { });
$off = server_stats($node);
echo "lazy_write off, unchanged: writes +", $off['writes'] - $last['writes'], "\n";
stop_node($pid, $name);
ob_end_flush();
?>
--EXPECT--
unchanged x5: writes +0, touches +5
changed x1: writes +1, touches +0
string(6) "a|i:2;"
locks held: 0
lazy_write off, unchanged: writes +1
