--TEST--
TLS: a three-node cluster (the Raft store) whose nodes talk TLS distribution to each other (client certificates required) and to PHP: 100 sessions written, the node PHP uses killed with kill -9, every session read back through the next node, writes go on
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/tls.php';
$prefix = 'tlsc' . getmypid() . '_';
$opts = tls_dir() . "/$prefix.opts";
// The nodes' certificate: IP 127.0.0.1 and DNS localhost (their host: localhost).
peb_env(sprintf('tls optfile %s node tlsv1.2,tlsv1.3 require', escapeshellarg($opts)));
$code = <<<'PHP'
require_once getenv('LIB') . '/cluster.php';
ob_start();
$prefix = getenv('PREFIX');
putenv('PEB_NODE_FLAGS=-proto_dist inet_tls -ssl_dist_optfile ' . getenv('OPTS'));
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
echo "cluster over TLS serving: ", var_export(wait_cluster($nodes, 3), true), "\n";
$link = peb_connect($nodes[2], test_cookie(), 2000);
$seen = peb_decode(peb_rpc('erlang', 'nodes', peb_encode('[]', [[]]), $link))[0];
sort($seen);
echo "node 2 sees: ", implode(' ', array_map(fn ($n) => str_replace($prefix, 'P', $n), $seen)), "\n";
echo "PHP's link: ", peb_linkinfo($link)['tls'] !== '' ? 'TLS' : 'plain', "\n";
use_erlang_sessions(cluster_path($prefix), ['peb.default_timeout' => '1000']);
$ids = [];
for ($i = 0; $i < 100; $i++) {
    $ids[$i] = new_session_id();
    session_cycle($ids[$i], function () use ($i) { $_SESSION['i'] = $i; });
}
// session_write_close() does not wait for the write: the next request
// confirms it. Every write acknowledged before the kill.
session_id($ids[0]);
var_dump(session_start() && session_abort());
stop_node($pids[1], "{$prefix}1", 9);
$read = 0;
foreach ($ids as $i => $id) {
    // While the others elect a new leader (node 1 may have led), a request
    // can fail within the timeout: it is asked again, as a user would (a
    // failed session_start() forgets the id: it is given again).
    for ($try = 0; session_id($id) !== false && !@session_start() && $try < 10; $try++) {
        usleep(200_000);
    }
    if (($_SESSION['i'] ?? null) === $i) { $read++; }
    $_SESSION['after'] = true;
    @session_write_close();
}
echo "read back after node 1 was killed: $read of 100\n";
session_id($ids[7]);
session_start();
echo "written after the kill: ", var_export($_SESSION['after'] ?? false, true), "\n";
session_abort();
stop_cluster($prefix, [2 => $pids[2], 3 => $pids[3]]);
remove_cluster_dir($prefix);
PHP;
echo tls_php($code, tls_ini(), ['LIB' => __DIR__ . '/../scripts/lib/php', 'PREFIX' => $prefix, 'OPTS' => $opts]);
?>
--EXPECT--
cluster over TLS serving: true
node 2 sees: P1@localhost P3@localhost
PHP's link: TLS
bool(true)
read back after node 1 was killed: 100 of 100
written after the kill: true
