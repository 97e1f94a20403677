--TEST--
Native save handler: use_strict_mode rejects unknown ids and hands out only unused ones; without it the given id is kept
--FILE--
<?php
require __DIR__ . '/../scripts/lib/php/session.php';
ob_start();
use_erlang_sessions(null, ['session.use_strict_mode' => '1']);

echo "-- an unknown id is replaced by a fresh one\n";
$forged = new_session_id();
session_id($forged);
var_dump(session_start());
$fresh = session_id();
var_dump($fresh !== $forged, strlen($fresh) >= 22);
$_SESSION['who'] = 'fresh';
session_write_close();
var_dump(stored($forged), stored($fresh));

echo "-- a live id is kept\n";
session_id($fresh);
session_start();
var_dump(session_id() === $fresh, $_SESSION['who']);
session_write_close();

echo "-- an id that expired is unknown again\n";
ini_set('session.gc_maxlifetime', '1');
session_cycle($fresh, function () { $_SESSION['who'] = 'short'; });
usleep(2_100_000);
ini_set('session.gc_maxlifetime', '1440');
session_id($fresh);
session_start();
var_dump(session_id() !== $fresh, $_SESSION);
session_abort();

echo "-- without strict mode the given id is used\n";
ini_set('session.use_strict_mode', '0');
$given = new_session_id();
session_cycle($given, function () { $_SESSION['x'] = 1; });
var_dump(stored($given));

echo "-- session_create_id() with the handler active\n";
session_id($given);
session_start();
$new = session_create_id('pfx-');
var_dump(str_starts_with($new, 'pfx-'), stored($new));
session_abort();
ob_end_flush();
?>
--EXPECT--
-- an unknown id is replaced by a fresh one
bool(true)
bool(true)
bool(true)
string(0) ""
string(16) "who|s:5:"fresh";"
-- a live id is kept
bool(true)
string(5) "fresh"
-- an id that expired is unknown again
bool(true)
array(0) {
}
-- without strict mode the given id is used
string(6) "x|i:1;"
-- session_create_id() with the handler active
bool(true)
string(0) ""
