<?php
// The session tags test of a three-node cluster (cluster_tags.phpt: the
// Raft store; cluster_tags_mnesia.phpt: the Mnesia one): tags written
// through one node are counted on the others, the node PHP uses is killed
// (kill -9) and the next one serves the tags, destroys a tag's sessions,
// also one whose lock a request holds through another node.
require_once __DIR__ . '/cluster.php';

function tags_cluster_test(string $prefix): void
{
    $pids = start_cluster($prefix);
    $nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
    var_dump(wait_cluster($nodes, 3));
    use_erlang_sessions(cluster_path($prefix), ['peb.default_timeout' => '2000']);

    echo "-- 20 sessions of user 1, 10 of user 2, written through node 1\n";
    $ids = [];
    for ($i = 0; $i < 30; $i++) {
        $ids[$i] = new_session_id();
        $user = $i < 20 ? 1 : 2;
        session_cycle($ids[$i], function () use ($user) { $_SESSION['user'] = $user; peb_session_tag("user:$user"); });
    }
    foreach ([2, 3] as $n) {
        echo "node $n counts ", cluster_call($nodes[$n], 'peb_session', 'count_tagged', '[~b]', [['user:1']]),
            " and ", cluster_call($nodes[$n], 'peb_session', 'count_tagged', '[~b]', [['user:2']]), "\n";
    }

    echo "-- node 1 is killed; PHP goes on through node 2\n";
    shell_exec('kill -9 ' . (int) $pids[1]);
    var_dump(wait_cluster([2 => $nodes[2], 3 => $nodes[3]], 2));
    session_id($ids[20]);
    var_dump(session_start());
    var_dump(peb_session_count_tagged('user:1'));
    var_dump(peb_session_destroy_tagged('user:1'));
    session_write_close();
    echo "node 3 counts ", cluster_call($nodes[3], 'peb_session', 'count_tagged', '[~b]', [['user:1']]), "\n";
    $left = 0;
    foreach (array_slice($ids, 0, 20) as $id) {
        $left += cluster_call($nodes[3], 'session_handler', 'read', '[~b]', [[$id]]) === '' ? 0 : 1;
    }
    echo "user 1's sessions left: $left\n";
    session_id($ids[0]);
    session_start();
    var_dump($_SESSION);
    session_write_close();

    echo "-- user 2's sessions destroyed through node 3 while a request holds one's lock through node 2\n";
    $go = sys_get_temp_dir() . "/peb-ctags-go-" . getmypid();
    @unlink($go);
    $holder = <<<'PHP'
session_id(getenv('SID'));
session_start();
echo "holding\n";
while (!file_exists(getenv('GO'))) { usleep(20_000); }
$_SESSION['more'] = 'from the holder';
session_write_close();
echo "end of script\n";
PHP;
    $h = php_child($holder, erlang_session_ini($nodes[2]), ['SID' => $ids[21], 'GO' => $go]);
    echo php_child_line($h);
    var_dump(cluster_call($nodes[3], 'peb_session', 'destroy_tagged', '[~b]', [['user:2']]));
    touch($go);
    echo preg_replace('/ in .* on line \d+/', '', php_child_wait($h));
    unlink($go);
    var_dump(cluster_call($nodes[2], 'session_handler', 'read', '[~b]', [[$ids[21]]]));
    var_dump(cluster_call($nodes[3], 'peb_session', 'count_tagged', '[~b]', [['user:2']]));

    stop_cluster($prefix, [2 => $pids[2], 3 => $pids[3]]);
    stop_node($pids[1], $prefix . '1');
    remove_cluster_dir($prefix);
}
