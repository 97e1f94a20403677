--TEST--
Change notifications in the Raft cluster: a subscriber on node 3 (a PHP link's pid, subscribed to a tag and to one session) hears of the writes made through node 1, of a destroy by tag made through node 2 and of a destroy by id, each once; nothing of untagged sessions
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/cluster.php';
ob_start();   // the session cycles print nothing, and send no headers
$prefix = 'ntf' . getmypid() . '_';
$pids = start_cluster($prefix);
$nodes = [1 => cluster_node($prefix, 1), cluster_node($prefix, 2), cluster_node($prefix, 3)];
var_dump(wait_cluster($nodes, 3));

// The link to node 3 subscribes its own pid; its messages come through peb_receive.
$l3 = peb_connect($nodes[3], test_cookie(), 2000);
$subscribe = fn (string $kind, string $key) =>
    peb_decode(peb_rpc('peb_session_subs', 'subscribe', peb_vencode('[{~a,~b},~p]', [[[$kind, $key], $l3]]), $l3))[0];
var_dump($subscribe('tag', 'user:7'));
$news = function () use ($l3): array {
    $got = [];
    while (($m = peb_receive($l3, 1500)) !== false) {
        $t = peb_vdecode($m)[0];
        $got[] = $t[1] . (isset($t[3]) ? " by tag {$t[3][1]}" : ' by id');
    }
    sort($got);   // a destroy by tag tells the sessions in the order of their ids
    return $got;
};

use_erlang_sessions($nodes[1], ['peb.default_timeout' => '2000']);
echo "-- through node 1: two sessions tagged user:7, one untagged\n";
$a = new_session_id();
$b = new_session_id();
var_dump(session_cycle($a, function () { $_SESSION['n'] = 1; peb_session_tag('user:7'); }));
var_dump(session_cycle($b, function () { $_SESSION['n'] = 1; peb_session_tag('user:7'); }));
var_dump(session_cycle(new_session_id(), function () { $_SESSION['n'] = 1; }));
var_dump($subscribe('id', $a));
var_dump(session_cycle($a, function () { $_SESSION['n'] = 2; }));
print_r($news());

echo "-- through node 2: user:7's sessions destroyed by tag\n";
$l2 = peb_connect($nodes[2], test_cookie(), 2000);
echo peb_decode(peb_rpc('peb_session', 'destroy_tagged', peb_encode('[~b]', [['user:7']]), $l2))[0], "\n";
print_r($news());
echo "-- nothing more\n";
print_r($news());

stop_cluster($prefix, $pids);
remove_cluster_dir($prefix);
ob_end_flush();
?>
--EXPECT--
bool(true)
string(2) "ok"
-- through node 1: two sessions tagged user:7, one untagged
bool(true)
bool(true)
bool(true)
string(2) "ok"
bool(true)
Array
(
    [0] => written by id
    [1] => written by tag user:7
    [2] => written by tag user:7
    [3] => written by tag user:7
)
-- through node 2: user:7's sessions destroyed by tag
2
Array
(
    [0] => destroyed by id
    [1] => destroyed by tag user:7
    [2] => destroyed by tag user:7
)
-- nothing more
Array
(
)
