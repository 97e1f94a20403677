--TEST--
Raft store: the leader of a three-node Raft cluster is killed (kill -9) right after 200 session writes were acknowledged; every one is still there through the other nodes, a new leader serves locks and writes, the killed node restarts with its Raft log and catches up, and a node whose log was wiped joins again and gets every session
--SKIPIF--
<?php if (trim((string) getenv('PEB_RA_EBINS')) === '') die('skip Ra is not unpacked (scripts/setup)'); ?>
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
putenv('PEB_CLUSTER_STORE=raft');
ob_start();
$prefix = 'rl' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));

/** The node number of the leader as `$node` sees it, or 0. */
function leader_of(array $nodes, string $node): int
{
    $s = cluster_status($node);
    return $s && $s['status'] === 'ok' ? (int) array_search($s['leader'], $nodes, true) : 0;
}

/** Waits until node `$n` holds `$count` sessions of its own (its copy caught up). */
function wait_sessions(array $nodes, int $n, int $count): int
{
    $t0 = hrtime(true);
    do {
        $held = (int) (cluster_status($nodes[$n])['sessions'] ?? -1);
    } while ($held !== $count && ms_since($t0) < 20000 && usleep(100_000) === null);
    return $held;
}

/** How many of `$ids` read back their own number through `$path`. */
function readable(array $ids, string $path): int
{
    ini_set('session.save_path', $path);
    $readable = 0;
    foreach ($ids as $i => $sid) {
        $_SESSION = [];
        session_id($sid);
        if (session_start()) {
            $readable += ($_SESSION['i'] ?? null) === $i ? 1 : 0;
            session_abort();
        }
    }
    return $readable;
}

$leader = leader_of($nodes, $nodes[1]);
echo "a leader: ", $leader > 0 ? 'yes' : 'no', "\n";
$others = array_values(array_diff_key($nodes, [$leader => true]));

// 200 sessions written through the leader, each write acknowledged.
use_erlang_sessions(implode(',', array_merge([$nodes[$leader]], $others)), ['peb.default_timeout' => 2000]);
$ids = [];
$acknowledged = 0;
for ($i = 0; $i < 200; $i++) {
    $ids[$i] = new_session_id();
    $acknowledged += session_cycle($ids[$i], function () use ($i) { $_SESSION['i'] = $i; }) ? 1 : 0;
}
echo "acknowledged: $acknowledged of 200\n";

// The leader is killed at once: the writes it acknowledged are on a majority.
shell_exec("kill -9 " . (int) $pids[$leader]);
stop_node($pids[$leader], "$prefix$leader");
$t0 = hrtime(true);
do {
    usleep(100_000);
    $new = leader_of($nodes, $others[0]);
} while (($new === 0 || $new === $leader) && ms_since($t0) < 20000);
echo "a new leader among the others: ", $new !== 0 && $new !== $leader ? 'yes' : 'no', "\n";
echo "acknowledged before the kill, readable after: ", readable($ids, implode(',', $others)), " of 200\n";
var_dump(session_cycle($ids[0], function () { $_SESSION['i'] = 0; $_SESSION['after'] = true; }));

// The killed node restarts with its Raft log (the same command: it finds
// its member in its dir) and catches up with what was written meanwhile.
$pids[$leader] = start_cluster_node($prefix, $leader, 'ram', $others);
var_dump(wait_cluster($nodes, 3));
echo "the restarted node holds ", wait_sessions($nodes, $leader, 200), " sessions\n";
echo "through it alone: ", readable($ids, $nodes[$leader]), " of 200\n";
$_SESSION = [];
session_id($ids[0]);
session_start(['read_and_close' => true]);
echo "it sees the write made while it was down: ", isset($_SESSION['after']) ? 'yes' : 'no', "\n";

// A follower loses its Raft log (its dir wiped) and joins again.
$wiped = $new === 1 ? 2 : 1;
stop_node($pids[$wiped], "$prefix$wiped");
shell_exec('rm -rf ' . escapeshellarg(cluster_dir($prefix) . "/$prefix$wiped"));
$seeds = array_values(array_diff_key($nodes, [$wiped => true]));
$pids[$wiped] = start_cluster_node($prefix, $wiped, 'ram', $seeds);
var_dump(wait_cluster($nodes, 3));
echo "the wiped node holds ", wait_sessions($nodes, $wiped, 200), " sessions; members: ",
    count(cluster_status($nodes[$wiped])['nodes'] ?? []), "\n";
echo "through it alone: ", readable($ids, $nodes[$wiped]), " of 200\n";

stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECT--
bool(true)
a leader: yes
acknowledged: 200 of 200
a new leader among the others: yes
acknowledged before the kill, readable after: 200 of 200
bool(true)
bool(true)
the restarted node holds 200 sessions
through it alone: 200 of 200
it sees the write made while it was down: yes
bool(true)
the wiped node holds 200 sessions; members: 3
through it alone: 200 of 200
