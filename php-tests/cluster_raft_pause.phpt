--TEST--
Raft store: the leader is paused (SIGSTOP) for 6 s while two PHP processes increment one session's counter through the other two nodes, then resumed; no increment PHP saw acknowledged is lost, none counts twice, the others elect a leader and go on during the pause, and the paused node catches up once resumed
--SKIPIF--
<?php if (trim((string) getenv('PEB_RA_EBINS')) === '') die('skip Ra is not unpacked (scripts/setup)'); ?>
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
putenv('PEB_CLUSTER_STORE=raft');
ob_start();
$prefix = 'rp' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));
$s = cluster_status($nodes[1]);
$leader = (int) array_search($s['leader'] ?? '', $nodes, true);
$others = array_values(array_diff_key($nodes, [$leader => true]));
echo "a leader: ", $leader > 0 ? 'yes' : 'no', "\n";

// Each worker increments for 11 s through its own node, then through the
// other. A write is sent without waiting (session_write_close() returns at
// once) and confirmed at the next read, which warns if it failed: it is
// acknowledged once the next session_start() succeeds without a warning
// (a write followed by a failed read or a warning is left uncertain, in
// neither list). The worker prints the increments acknowledged, and how
// many of them were sent while the leader was paused.
$worker = <<<'PHP'
$id = getenv('SID');
$me = getenv('ME');
$acked = [];
$during = 0;
$warned = 0;
set_error_handler(function () use (&$warned) { $warned++; return true; });
$pending = null;
$t0 = microtime(true);
for ($i = 0; ; $i++) {
    $warned = 0;
    session_id($id);
    $ok = session_start();
    if ($pending !== null && $ok && $warned === 0) {
        $acked[] = $pending[0];
        $during += $pending[1];
    }
    $pending = null;
    if (!$ok) { continue; }
    if (microtime(true) - $t0 >= 11) { session_abort(); break; }
    $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
    $_SESSION['log'][] = "$me-$i";
    $paused = file_exists(getenv('PAUSED')) ? 1 : 0;
    if (session_write_close()) { $pending = ["$me-$i", $paused]; }
}
echo json_encode(['acked' => $acked, 'during' => $during]), "\n";
PHP;
$id = new_session_id();
$paused = sys_get_temp_dir() . "/$prefix.paused";
$children = [];
foreach ([0, 1] as $w) {
    $path = $w === 0 ? "$others[0],$others[1]" : "$others[1],$others[0]";
    $ini = erlang_session_ini($path, ['peb.default_timeout' => 2000]);
    $children[] = php_child($worker, $ini, ['SID' => $id, 'ME' => "w$w", 'PAUSED' => $paused]);
}
usleep(2_000_000);
shell_exec("kill -STOP " . (int) $pids[$leader]);
usleep(500_000);
touch($paused);   // counted from 0.5 s into the pause: what the old leader took is answered by then
// 6 s in all: on two shared cores the others' failure detection and
// election can take 3 s, and a request then in flight its 2 s timeout.
usleep(5_500_000);
unlink($paused);
shell_exec("kill -CONT " . (int) $pids[$leader]);
$acked = [];
$during = 0;
foreach ($children as $c) {
    $out = php_child_wait($c);
    $r = json_decode($out, true);
    if (!$r) { echo "worker: $out"; continue; }
    $acked = array_merge($acked, $r['acked']);
    $during += $r['during'];
}
echo "acknowledged while the leader was paused: ", $during > 0 ? 'some' : 'none', "\n";

use_erlang_sessions($others[0]);
session_id($id);
session_start(['read_and_close' => true]);
$log = $_SESSION['log'] ?? [];
echo "acknowledged but lost: ", count(array_diff($acked, $log)), "\n";
echo "counter equals the increments in the log: ", ($_SESSION['n'] ?? 0) === count($log) ? 'yes' : 'no', "\n";
echo "increments in the log twice: ", count($log) - count(array_unique($log)), "\n";

// The paused node, resumed, serves the same session.
var_dump(wait_cluster($nodes, 3));
$t0 = hrtime(true);
do {
    $_SESSION = [];
    ini_set('session.save_path', $nodes[$leader]);
    session_id($id);
    $ok = session_start(['read_and_close' => true]);
} while ((!$ok || count($_SESSION['log'] ?? []) !== count($log)) && ms_since($t0) < 20000 && usleep(200_000) === null);
echo "the resumed node reads the same log: ", count($_SESSION['log'] ?? []) === count($log) ? 'yes' : 'no', "\n";
stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECT--
bool(true)
a leader: yes
acknowledged while the leader was paused: some
acknowledged but lost: 0
counter equals the increments in the log: yes
increments in the log twice: 0
bool(true)
the resumed node reads the same log: yes
