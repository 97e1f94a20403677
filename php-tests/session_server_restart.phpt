--TEST--
Native save handler: the session server restarts (its router killed) while the link stays up; the next cycle through the same link succeeds well within the timeout (the link monitors the router and learns the new shards' pids), and the one after goes by pid again
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
// A node of its own: killing the test node's server would disturb the tests beside this one.
$name = 'restart' . getmypid();
$node = "$name@127.0.0.1";
$pid = start_node($name);
use_erlang_sessions($node, ['peb.default_timeout' => '3000']);
// Another link, not the save handler's, for what the test does to the node.
$ctl = peb_connect($node, test_cookie(), 3000);
$on = fn (string $m, string $f, string $fmt = '[]', array $args = [[]]) =>
    peb_decode(peb_rpc($m, $f, peb_encode($fmt, $args), $ctl))[0];

/** A cycle through the handler's link, and whether it took less than 1 s. */
function timed_cycle(string $id, string $v): string
{
    $t0 = hrtime(true);
    $ok = session_cycle($id, function () use ($v) { $_SESSION['v'] = $v; });
    $ms = ms_since($t0);
    return var_export($ok, true) . ($ms < 1000 ? ', under 1 s' : ", $ms ms");
}

/** A cycle while the router is suspended: only one that goes by pid passes. */
function cycle_past_the_router(callable $on, string $id, string $v): string
{
    $on('sys', 'suspend', '[~a]', [['session_handler']]);
    try {
        return timed_cycle($id, $v);
    } finally {
        $on('sys', 'resume', '[~a]', [['session_handler']]);
    }
}

$id = new_session_id();
echo "-- a cycle learns the shards; the next goes by pid\n";
echo timed_cycle($id, 'one'), "\n";
echo cycle_past_the_router($on, $id, 'two'), "\n";

echo "-- the router is killed; the supervisor starts a new server\n";
$old = $on('erlang', 'whereis', '[~a]', [['session_handler']]);
$on('erlang', 'exit', '[~P,~a]', [[$old, 'kill']]);
$up = false;
for ($i = 0; $i < 100 && !$up; $i++) {
    usleep(50_000);
    $shards = $on('session_handler', 'shards');
    $up = is_array($shards) && is_resource($shards[2])
        && count(array_filter($shards[1], 'is_resource')) === $shards[0];
}
var_dump($up, $on('erlang', 'is_process_alive', '[~P]', [[$old]]));

echo "-- the next cycle through the same link\n";
echo timed_cycle($id, 'three'), "\n";
var_dump(stored($id, $node));
echo "-- and the one after it, by pid again\n";
echo cycle_past_the_router($on, $id, 'four'), "\n";
var_dump(stored($id, $node));

echo "-- once more: the new router is monitored too\n";
$on('erlang', 'exit', '[~P,~a]', [[$on('erlang', 'whereis', '[~a]', [['session_handler']]), 'kill']]);
usleep(300_000);
echo timed_cycle($id, 'five'), "\n";
var_dump(stored($id, $node));

echo "-- a read waiting at its shard (for a lock) when the router is killed fails at once, not after the timeout\n";
ini_set('peb.session.lock_wait', '20000');
$held = new_session_id();
$grant = $on('gen_server', 'call', '[~a,{~a,~b,{~a,~p,~i,~i}}]', [['session_handler', ['read', $held, ['lock', $ctl, 0, 60000]]]]);
var_dump($grant[0]);
$router = $on('erlang', 'whereis', '[~a]', [['session_handler']]);
$on('timer', 'apply_after', '[~i,~a,~a,[~P,~a]]', [[300, 'erlang', 'exit', [$router, 'kill']]]);
echo timed_cycle($held, 'waited'), "\n";
usleep(300_000);
echo timed_cycle($held, 'after'), "\n";
var_dump(stored($held, $node));
stop_node($pid, $name);
?>
--EXPECTF--
-- a cycle learns the shards; the next goes by pid
true, under 1 s
true, under 1 s
-- the router is killed; the supervisor starts a new server
bool(true)
string(5) "false"
-- the next cycle through the same link
true, under 1 s
string(14) "v|s:5:"three";"
-- and the one after it, by pid again
true, under 1 s
string(13) "v|s:4:"four";"
-- once more: the new router is monitored too
true, under 1 s
string(13) "v|s:4:"five";"
-- a read waiting at its shard (for a lock) when the router is killed fails at once, not after the timeout
string(2) "ok"

Warning: session_start(): peb session: %sexited before it answered (the server restarted) in %s on line %d

Warning: session_start(): Failed to read session data: erlang (path: restart%d@127.0.0.1) in %s on line %d
false, under 1 s
true, under 1 s
string(14) "v|s:5:"after";"
