--TEST--
Replicated store in a network partition (erlang:disconnect_node/1, reconnection refused): the node cut off refuses changes, PHP moves to a node of the majority, which goes on; once the partition heals the node cut off takes the majority's sessions
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
ob_start();
$prefix = 'part' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));

$id = new_session_id();
use_erlang_sessions($nodes[3]);
var_dump(session_cycle($id, function () { $_SESSION['v'] = 'before'; }));

// Node 3 is cut off: each side forgets the other's cookie (two different
// ones, so that the two sides do not agree on a new one), so that the
// connection erlang:disconnect_node/1 drops cannot be made again, even by
// a store that sends across it (Ra's members do).
function cut(array $nodes, string $cookie, ?string $other = null): void
{
    cluster_call($nodes[3], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[1], $cookie]]);
    cluster_call($nodes[3], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[2], $cookie]]);
    cluster_call($nodes[1], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[3], $other ?? $cookie]]);
    cluster_call($nodes[2], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[3], $other ?? $cookie]]);
}
cut($nodes, 'partitioned3', 'partitioned12');
cluster_call($nodes[3], 'erlang', 'disconnect_node', '[~a]', [[$nodes[1]]]);
cluster_call($nodes[3], 'erlang', 'disconnect_node', '[~a]', [[$nodes[2]]]);
// Nodes 1 and 2 learn of the cut when their end of each connection
// closes: waited for (at most 10 s), not a fixed time, which a loaded
// machine can outlast (the test once passed only on run-tests' retry).
$expected = [1 => 'ok, sees 2', 2 => 'ok, sees 2', 3 => 'no_majority, sees 1'];
$t0 = hrtime(true);
do {
    $seen = [];
    foreach ($nodes as $n => $node) {
        $s = cluster_status($node);
        $seen[$n] = ($s['status'] ?? '?') . ', sees ' . count($s['running'] ?? []);
    }
} while ($seen !== $expected && ms_since($t0) < 10000 && usleep(100_000) === null);
foreach ($seen as $n => $line) {
    echo "node $n: $line running\n";
}

echo "-- through node 3 alone: refused\n";
ini_set('session.save_path', $nodes[3]);
session_id($id);
var_dump(session_start());
echo "-- through node 3, then node 1: the majority serves\n";
ini_set('session.save_path', "{$nodes[3]},{$nodes[1]}");
var_dump(session_cycle($id, function () { $_SESSION['v'] = 'during'; }));
echo "node 2 reads '", cluster_call($nodes[2], 'session_handler', 'read', '[~b]', [[$id]]), "'\n";
echo "node 3 still has '", cluster_call($nodes[3], 'session_handler', 'read', '[~b]', [[$id]]), "'\n";

echo "-- the partition heals\n";
cut($nodes, test_cookie());
cluster_call($nodes[3], 'net_kernel', 'connect_node', '[~a]', [[$nodes[1]]]);
var_dump(wait_cluster($nodes, 3));
echo "node 3 reads '", cluster_call($nodes[3], 'session_handler', 'read', '[~b]', [[$id]]), "'\n";
ini_set('session.save_path', $nodes[3]);
var_dump(session_cycle($id, function () { $_SESSION['v'] = 'after'; }));
echo "node 1 reads '", cluster_call($nodes[1], 'session_handler', 'read', '[~b]', [[$id]]), "'\n";
stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECTF--
bool(true)
bool(true)
node 1: ok, sees 2 running
node 2: ok, sees 2 running
node 3: no_majority, sees 1 running
-- through node 3 alone: refused

Warning: session_start(): peb session: node %s cannot serve: it sees no majority of its cluster, so it refuses changes in %s on line %d

Warning: session_start(): Failed to read session data: erlang (path: part%s) in %s on line %d
bool(false)
-- through node 3, then node 1: the majority serves
bool(true)
node 2 reads 'v|s:6:"during";'
node 3 still has 'v|s:6:"before";'
-- the partition heals
bool(true)
node 3 reads 'v|s:6:"during";'
bool(true)
node 1 reads 'v|s:5:"after";'
