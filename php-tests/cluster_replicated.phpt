--TEST--
Replicated store: a three-node cluster (the Raft store; PEB_CLUSTER_STORE=mnesia: the Mnesia one) formed with one command per node; 1,000 sessions written through one node are readable through each of the others, and a lock taken through one node holds on the others
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
ob_start();
$prefix = 'rep' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));

use_erlang_sessions($nodes[1]);
$ids = [];
for ($i = 0; $i < 1000; $i++) {
    $ids[$i] = new_session_id();
    session_cycle($ids[$i], function () use ($i) { $_SESSION['i'] = $i; $_SESSION['pad'] = str_repeat('x', 100); });
}
foreach ([2, 3] as $n) {
    session_write_close();
    ini_set('session.save_path', $nodes[$n]);
    $same = 0;
    foreach ($ids as $i => $id) {
        session_id($id);
        session_start(['read_and_close' => true]);
        $same += ($_SESSION['i'] ?? null) === $i ? 1 : 0;
        $_SESSION = [];
    }
    $status = cluster_status($nodes[$n]);
    echo "through node $n: $same of 1000 read back; the node holds {$status['sessions']} sessions; leader is node ",
        array_search($status['leader'], $nodes), "\n";
}

// A lock taken through node 2 keeps a process on node 3 waiting.
$id = new_session_id();
$holder = php_child(<<<'PHP'
session_id(getenv('SID'));
session_start();
$_SESSION['by'] = 'holder';
echo "locked\n";
usleep(800_000);
session_write_close();
PHP, erlang_session_ini($nodes[2]), ['SID' => $id]);
echo php_child_line($holder);
ini_set('session.save_path', $nodes[3]);
$t0 = hrtime(true);
session_id($id);
session_start();
$waited = ms_since($t0);
echo "node 3 waited for node 2's lock: ", $waited > 300 ? 'yes' : "no ($waited ms)", "; it read '{$_SESSION['by']}'\n";
session_write_close();
echo php_child_wait($holder);
// The last write reached node 1 through node 3: its lock goes once the
// write is on every replica, which this process did not wait for.
foreach ($nodes as $n => $node) {
    for ($i = 0; $i < 50; $i++) {
        $stats = node_call('session_handler', 'stats', '[]', [[]], $node);
        if ($stats['locks'] + $stats['waiters'] + $stats['forwarded'] === 0) { break; }
        usleep(20_000);
    }
    echo "node $n: locks {$stats['locks']}, waiters {$stats['waiters']}, forwarded {$stats['forwarded']}\n";
}
stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECT--
bool(true)
through node 2: 1000 of 1000 read back; the node holds 1000 sessions; leader is node 1
through node 3: 1000 of 1000 read back; the node holds 1000 sessions; leader is node 1
locked
node 3 waited for node 2's lock: yes; it read 'holder'
node 1: locks 0, waiters 0, forwarded 0
node 2: locks 0, waiters 0, forwarded 0
node 3: locks 0, waiters 0, forwarded 0
