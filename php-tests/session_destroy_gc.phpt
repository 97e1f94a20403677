--TEST--
Native save handler: destroy (also of a missing session), expiry before any gc, and session_gc() counting what it removed
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
// A node of this test's own, so that session_gc() counts only these sessions.
$name = 'gc' . getmypid();
$pid = start_node($name);
$node = "$name@127.0.0.1";
use_erlang_sessions($node);

echo "-- destroy\n";
$id = new_session_id();
session_cycle($id, function () { $_SESSION['a'] = 1; });
session_id($id);
session_start();
var_dump(session_destroy(), stored($id, $node));

echo "-- destroy of a session that was never written\n";
session_id(new_session_id());
session_start();
var_dump(session_destroy());

echo "-- an expired session is never returned, even before gc\n";
ini_set('session.gc_maxlifetime', '1');
// Two are read after they expired (and so removed on sight), seven are left to gc.
$short = [];
for ($i = 0; $i < 9; $i++) {
    $short[] = $s = new_session_id();
    session_cycle($s, function () { $_SESSION['v'] = 'short-lived'; });
}
ini_set('session.gc_maxlifetime', '3600');
$long = new_session_id();
session_cycle($long, function () { $_SESSION['v'] = 'long-lived'; });
var_dump(stored($short[0], $node));
usleep(2_100_000);
session_id($short[0]);
session_start();
var_dump($_SESSION);
session_abort();
var_dump(stored($short[1], $node));

echo "-- session_gc() returns how many it removed\n";
session_id($long);
session_start();
var_dump(session_gc());
var_dump(session_gc());
var_dump($_SESSION['v']);
session_write_close();
echo "sessions left: ", server_stats($node)['sessions'], "\n";
stop_node($pid, $name);
ob_end_flush();
?>
--EXPECT--
-- destroy
bool(true)
string(0) ""
-- destroy of a session that was never written
bool(true)
-- an expired session is never returned, even before gc
string(21) "v|s:11:"short-lived";"
array(0) {
}
string(0) ""
-- session_gc() returns how many it removed
int(7)
int(0)
string(10) "long-lived"
sessions left: 1
