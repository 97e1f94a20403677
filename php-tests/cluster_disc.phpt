--TEST--
Replicated store with disc_copies: the whole cluster is stopped and started again with the same commands, and the sessions are still there
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
ob_start();
$prefix = 'disc' . getmypid() . '_';
$pids = start_cluster($prefix, 'disc');
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));
echo "storage: ", cluster_status($nodes[2])['storage'], "\n";

use_erlang_sessions(cluster_path($prefix));
$ids = [];
for ($i = 0; $i < 100; $i++) {
    $ids[$i] = new_session_id();
    session_cycle($ids[$i], function () use ($i) { $_SESSION['i'] = $i; });
}

// A clean stop of every node (SIGTERM: init:stop), then the same commands again.
stop_cluster($prefix, $pids);
echo "running after the stop: ", str_contains(epmd_names(), "name {$prefix}") ? 'some' : 'none', "\n";
$pids = start_cluster($prefix, 'disc');
var_dump(wait_cluster($nodes, 3));

foreach ([1, 3] as $n) {
    ini_set('session.save_path', $nodes[$n]);
    $kept = 0;
    foreach ($ids as $i => $id) {
        $_SESSION = [];
        session_id($id);
        session_start(['read_and_close' => true]);
        $kept += ($_SESSION['i'] ?? null) === $i ? 1 : 0;
    }
    echo "through node $n after the restart: $kept of 100\n";
}
stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECTF--
bool(true)
storage: %r(disc_copies|raft_datasync)%r
running after the stop: none
bool(true)
through node 1 after the restart: 100 of 100
through node 3 after the restart: 100 of 100
