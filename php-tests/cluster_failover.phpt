--TEST--
Replicated store: the node PHP uses is killed with kill -9 during a load of session cycles; every session stays readable, requests fail for at most the timeout, 4 processes x 250 increments end at exactly 1,000; the node restarts, rejoins and serves what was written while it was down
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
ob_start();
$prefix = 'fo' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));
$timeout = 1000;
$path = cluster_path($prefix);

// Sessions written before the kill.
use_erlang_sessions($path, ['peb.default_timeout' => $timeout]);
$before = [];
for ($i = 0; $i < 200; $i++) {
    $before[$i] = new_session_id();
    session_cycle($before[$i], function () use ($i) { $_SESSION['i'] = $i; });
}

// Each worker makes 250 increments that stick. Its session's log tells it,
// at its next read, whether the previous write made it; one that did not
// (its node died under it) is made again. No write may count twice.
$worker = <<<'PHP'
$id = getenv('SID');
$me = getenv('ME');
$done = 0; $tries = 0; $failed = 0; $longest = 0; $pending = null;
set_error_handler(function () { return true; });
while ($done < 250) {
    session_id($id);
    $t0 = hrtime(true);
    $ok = session_start();
    $longest = max($longest, intdiv(hrtime(true) - $t0, 1000000));
    if (!$ok) { $failed++; continue; }
    if ($pending !== null && in_array($pending, $_SESSION['log'] ?? [], true)) { $done++; }
    $pending = null;
    if ($done === 250) { session_abort(); break; }
    $pending = "$me-" . $tries++;
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    $_SESSION['log'][] = $pending;
    session_write_close();
    usleep(1000);
}
echo json_encode(['tries' => $tries, 'failed' => $failed, 'longest' => $longest]), "\n";
PHP;

$id = new_session_id();
$ini = erlang_session_ini($path, ['peb.default_timeout' => $timeout]);
$children = [];
for ($p = 0; $p < 4; $p++) {
    $children[] = php_child($worker, $ini, ['SID' => $id, 'ME' => "w$p"]);
}
// Kill node 1 once the load is well under way.
$t0 = hrtime(true);
do {
    usleep(50_000);
    preg_match('/n\|i:(\d+);/', (string) @cluster_call($nodes[2], 'session_handler', 'read', '[~b]', [[$id]]), $m);
} while ((int) ($m[1] ?? 0) < 300 && ms_since($t0) < 60000);
shell_exec("kill -9 " . (int) $pids[1]);
echo "node 1 killed at count ", ($m[1] ?? 0) >= 300 ? '300 or more' : 'less than 300', "\n";

$tries = $failed = $longest = 0;
foreach ($children as $c) {
    $out = php_child_wait($c);
    $r = json_decode($out, true);
    if (!$r) { echo "worker: $out"; continue; }
    $tries += $r['tries']; $failed += $r['failed']; $longest = max($longest, $r['longest']);
}
stop_node($pids[1], $prefix . '1');

session_id($id);
session_start(['read_and_close' => true]);
$log = $_SESSION['log'] ?? [];
echo "counter {$_SESSION['n']}, log ", count($log), " entries, ", count(array_unique($log)), " distinct\n";
echo "writes made again after the kill: ", $tries - 1000, ", failed session_start calls: $failed\n";
echo "longest session_start: $longest ms, ", $longest <= 1.5 * $timeout ? 'within' : 'beyond', " the timeout\n";

$readable = 0;
foreach ($before as $i => $sid) {
    $_SESSION = [];
    session_id($sid);
    session_start(['read_and_close' => true]);
    $readable += ($_SESSION['i'] ?? null) === $i ? 1 : 0;
}
echo "sessions written before the kill, readable after: $readable of 200\n";

// Node 1 comes back with the join command, and serves the counter written
// while it was down.
$pids[1] = start_cluster_node($prefix, 1, 'ram', [$nodes[2]]);
var_dump(wait_cluster($nodes, 3));
ini_set('session.save_path', $nodes[1]);
$_SESSION = [];
session_id($id);
session_start(['read_and_close' => true]);
echo "node 1 after rejoining: counter {$_SESSION['n']}\n";
$status = cluster_status($nodes[1]);
echo "node 1 holds {$status['sessions']} sessions\n";
stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECTF--
bool(true)
node 1 killed at count 300 or more
counter 1000, log 1000 entries, 1000 distinct
writes made again after the kill: %d, failed session_start calls: %d
longest session_start: %d ms, within the timeout
sessions written before the kill, readable after: 200 of 200
bool(true)
node 1 after rejoining: counter 1000
node 1 holds 201 sessions
