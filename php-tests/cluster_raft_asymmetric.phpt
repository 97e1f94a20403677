--TEST--
Raft store under the asymmetric partition of issue 20: the link between nodes 1 and 3 is cut (node 2 still sees both) while one PHP process increments a session's counter through node 1 and another through node 3; every increment PHP saw acknowledged is in the final session, and the counter equals the number of increments in it (no acknowledged update lost, none counted twice)
--SKIPIF--
<?php if (trim((string) getenv('PEB_RA_EBINS')) === '') die('skip Ra is not unpacked (scripts/setup)'); ?>
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
putenv('PEB_CLUSTER_STORE=raft');
ob_start();
$prefix = 'ra' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));

// Nodes 1 and 3 forget each other's cookie (each a different one, so that
// no new connection between them can be made) and drop their connection.
cluster_call($nodes[1], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[3], 'cut1']]);
cluster_call($nodes[3], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[1], 'cut3']]);
cluster_call($nodes[1], 'erlang', 'disconnect_node', '[~a]', [[$nodes[3]]]);
$connected = cluster_call($nodes[3], 'erlang', 'nodes', '[]', [[]]);
echo "node 3 connected to node 1: ", in_array($nodes[1], $connected, true) ? 'yes' : 'no',
    ", to node 2: ", in_array($nodes[2], $connected, true) ? 'yes' : 'no', "\n";

// Each worker makes 150 attempts through its own node only. A write is
// sent without waiting (session_write_close() returns at once) and
// confirmed at the next read, which warns if it failed: it is acknowledged
// once the next session_start() succeeds without a warning (a write
// followed by a failed read or a warning is left uncertain). The worker
// prints the increments acknowledged.
$worker = <<<'PHP'
$id = getenv('SID');
$me = getenv('ME');
$acked = [];
$warned = 0;
set_error_handler(function () use (&$warned) { $warned++; return true; });
$pending = null;
for ($i = 0; ; $i++) {
    $warned = 0;
    session_id($id);
    $ok = session_start();
    if ($pending !== null && $ok && $warned === 0) { $acked[] = $pending; }
    $pending = null;
    if (!$ok) { usleep(20000); if ($i < 300) { continue; } break; }
    if ($i >= 150) { session_abort(); break; }
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    $_SESSION['log'][] = "$me-$i";
    if (session_write_close()) { $pending = "$me-$i"; }
}
echo json_encode($acked), "\n";
PHP;
$id = new_session_id();
$children = [];
foreach ([1, 3] as $n) {
    $ini = erlang_session_ini($nodes[$n], ['peb.default_timeout' => 2000]);
    $children[$n] = php_child($worker, $ini, ['SID' => $id, 'ME' => "w$n"]);
}
$acked = [];
foreach ($children as $n => $c) {
    $out = php_child_wait($c);
    $list = json_decode($out, true);
    if (!is_array($list)) { echo "worker $n: $out"; continue; }
    $acked[$n] = $list;
}

// The cut heals; the final session is read through node 2.
cluster_call($nodes[1], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[3], test_cookie()]]);
cluster_call($nodes[3], 'erlang', 'set_cookie', '[~a,~a]', [[$nodes[1], test_cookie()]]);
use_erlang_sessions($nodes[2]);
session_id($id);
session_start(['read_and_close' => true]);
$log = $_SESSION['log'] ?? [];
$all = array_merge(...array_values($acked));
$lost = array_diff($all, $log);
echo "acknowledged: ", count($all) > 0 ? 'some' : 'none', "; through node 1: ", count($acked[1] ?? []) > 0 ? 'some' : 'none', "\n";
echo "acknowledged but lost: ", count($lost), "\n";
echo "counter equals the increments in the log: ", ($_SESSION['n'] ?? 0) === count($log) ? 'yes' : 'no', "\n";
echo "increments in the log twice: ", count($log) - count(array_unique($log)), "\n";
stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECT--
bool(true)
node 3 connected to node 1: no, to node 2: yes
acknowledged: some; through node 1: some
acknowledged but lost: 0
counter equals the increments in the log: yes
increments in the log twice: 0
